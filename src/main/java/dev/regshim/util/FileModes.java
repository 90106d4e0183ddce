package dev.regshim.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The mode an output file gets: the mode of the file it replaces, else the input's mode within what the umask allows
 * a new file. A temporary file is created private (0600) while it is written and takes this mode before it is moved
 * into place, so a rewrite never silently tightens (nor loosens) who may read a save image.
 */
public final class FileModes {

    private static final List<PosixFilePermission> BITS = List.of(
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ);
    private static final int DEFAULT_UMASK = 022;
    private static final int NEW_FILE = 0666;

    private FileModes() {
    }

    /**
     * Gives {@code tmp} the mode {@code out} should end with: {@code out}'s own when it exists (also when it is the
     * input), else {@code in}'s limited by the umask. No-op on file systems without POSIX modes.
     */
    public static void applyOutputMode(Path tmp, Path in, Path out) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        int mode;
        if (Files.exists(out)) {
            mode = mode(out);
        } else if (in != null && Files.exists(in)) {
            mode = mode(in) & NEW_FILE & ~umask();
        } else {
            mode = NEW_FILE & ~umask();
        }
        view.setPermissions(permissions(mode));
    }

    /** The permission bits of {@code p} (following links), e.g. 0644. */
    public static int mode(Path p) throws IOException {
        Set<PosixFilePermission> set = Files.getPosixFilePermissions(p);
        int m = 0;
        for (int i = 0; i < BITS.size(); i++) {
            if (set.contains(BITS.get(i))) {
                m |= 1 << i;
            }
        }
        return m;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.size(); i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(BITS.get(i));
            }
        }
        return set;
    }

    /** The process umask (Linux reports it in /proc/self/status), else the usual 022. */
    static int umask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring("Umask:".length()).strip(), 8) & 0777;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: fall back
        }
        return DEFAULT_UMASK;
    }
}
