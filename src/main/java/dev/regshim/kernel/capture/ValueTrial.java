package dev.regshim.kernel.capture;

import java.util.List;

/**
 * Values written into a fresh vCPU of a real kernel with {@code KVM_SET_ONE_REG}, in order, as QEMU writes its cpreg
 * list into KVM after a migration, and what KVM answered to each: the ground truth for which incoming values a
 * destination kernel accepts.
 *
 * @param label   what the values are (e.g. the source kernel and set they came from)
 * @param set     the vCPU feature set of the fresh vCPU
 * @param entries each register, the value written and KVM's errno (0: accepted)
 */
public record ValueTrial(String label, String set, List<Entry> entries) {

    /** One write and its result. */
    public record Entry(long id, long value, int errno) {
        public boolean accepted() {
            return errno == 0;
        }
    }

    public ValueTrial {
        entries = List.copyOf(entries);
    }
}
