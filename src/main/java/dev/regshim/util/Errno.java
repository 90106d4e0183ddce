package dev.regshim.util;

import java.util.Map;

/** Linux errno names for the values the lab reports (arm64 and x86 share these). */
public final class Errno {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(5, "EIO"), Map.entry(7, "E2BIG"),
            Map.entry(9, "EBADF"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"),
            Map.entry(25, "ENOTTY"), Map.entry(95, "EOPNOTSUPP"));

    private Errno() {
    }

    /** "EINVAL (22)", or "errno 123". */
    public static String name(int errno) {
        String n = NAMES.get(errno);
        return n == null ? "errno " + errno : n + " (" + errno + ")";
    }
}
