package dev.regshim.cpreg;

import dev.regshim.regs.RegId;

/**
 * Whether {@code KVM_SET_ONE_REG} on the destination accepts an incoming value that differs from the destination's
 * own. KVM rejects a different ID-register value unless the register is writable in that kernel (6.7+) and only
 * writable fields move, each in its safe direction; other registers take any value the architecture allows.
 */
@FunctionalInterface
public interface KvmValueRule {

    record Verdict(boolean accepted, String reason) {
        public static Verdict accept() {
            return new Verdict(true, "");
        }

        public static Verdict reject(String reason) {
            return new Verdict(false, reason);
        }
    }

    Verdict check(RegId id, long incoming, long destination);

    /**
     * Without the destination kernel's writable masks: a differing ID/feature register value is rejected, the
     * firmware registers follow {@link KvmWriteRules}, anything else is accepted.
     */
    KvmValueRule CONSERVATIVE = (id, incoming, destination) -> TcgConstRegisters.isConst(id)
            ? Verdict.reject("ID register value differs from the destination kernel's; KVM only accepts writable fields "
            + "moved in their safe direction (kernels 6.7+)")
            : KvmWriteRules.withMasks(java.util.Map.of()).check(id, incoming, destination);
}
