package dev.regshim.profile.source;

import dev.regshim.RegshimException;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegListReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A plain register list file (one ID or name per line, {@code #} comments, optional {@code REG = VALUE}, selftest
 * {@code --list} output or QEMU trace lines): a host's raw cpreg list, the same for every vCPU.
 */
public final class ListFileSource implements ProfileSource {

    @Override
    public boolean accepts(String spec) {
        return Files.isRegularFile(Path.of(spec));
    }

    @Override
    public Profile load(String spec) {
        Path file = Path.of(spec);
        RegListReader.RegList list = RegListReader.read(file);
        if (list.ids().isEmpty()) {
            throw new RegshimException(spec + ": no registers in the list");
        }
        long[] ids = list.ids().toArray();
        long[] values = null;
        if (!list.values().isEmpty()) {
            if (list.values().size() != ids.length) {
                throw new RegshimException(spec + ": " + list.values().size() + " of " + ids.length
                        + " registers have values; give a value for every register or for none");
            }
            values = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                values[i] = list.values().get(RegId.of(ids[i]));
            }
        }
        return new Profile(Provenance.of("list", spec), null, null, null, null,
                List.of(new Profile.Vcpu(0, CpregArray.of(ids, values))), false, true);
    }
}
