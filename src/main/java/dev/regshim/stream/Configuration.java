package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The configuration record that follows the file header:
 * {@code u8 0x07, be32 len, machine-type[len], subsection*} (no id, no footer).
 *
 * @param offset      offset of the 0x07 byte
 * @param machineType the versioned machine class name, e.g. {@code virt-7.2} (the loader compares it)
 * @param subsections in wire order
 */
public record Configuration(long offset, String machineType, List<ConfigSubsection> subsections) {

    public Configuration {
        subsections = List.copyOf(subsections);
    }

    /** {@code configuration/target-page-bits}, or the ARM legacy 10 bits when the subsection is absent. */
    public int pageBits() {
        return find(ConfigSubsection.TARGET_PAGE_BITS)
                .map(s -> ByteBuffer.wrap(s.payload()).getInt())
                .orElse(WireFormat.LEGACY_PAGE_BITS);
    }

    public int pageSize() {
        return 1 << pageBits();
    }

    /** The validated capabilities QEMU announced ({@code x-ignore-shared}, {@code mapped-ram}); usually empty. */
    public List<String> capabilities() {
        Optional<ConfigSubsection> s = find(ConfigSubsection.CAPABILITIES);
        if (s.isEmpty()) {
            return List.of();
        }
        ByteBuffer b = ByteBuffer.wrap(s.get().payload());
        int n = b.getInt();
        List<String> caps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] name = new byte[b.get() & 0xff];
            b.get(name);
            caps.add(new String(name, StandardCharsets.ISO_8859_1));
        }
        return caps;
    }

    /** The VM UUID (only sent with the validate-uuid capability), as lowercase hex. */
    public Optional<String> uuid() {
        return find(ConfigSubsection.UUID).map(s -> HexFormat.of().formatHex(s.payload()));
    }

    public Optional<ConfigSubsection> find(String name) {
        return subsections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public int encodedLength() {
        int n = WireFormat.CONFIGURATION_HEADER_BYTES + machineType.length();
        for (ConfigSubsection s : subsections) {
            n += s.encodedLength();
        }
        return n;
    }

    public byte[] machineTypeBytes() {
        return machineType.getBytes(StandardCharsets.ISO_8859_1);
    }
}
