package dev.regshim.kernel;

import dev.regshim.regs.RegId;

/**
 * Why a kernel lists one register: which part of {@code KVM_GET_REG_LIST} emits it, the visibility function that
 * gates it (or {@code -}), the condition that held, and a note when the fact is inferred rather than read.
 *
 * @param table      the kernel table or code the ID comes from ({@code sys_reg_descs}, {@code invariant_sys_regs},
 *                   {@code guest.c copy_core_reg_indices}, ...)
 * @param visibility the {@code .visibility} function of the descriptor, {@code -} when none
 * @param condition  the listing condition that held, as the bundled tables word it
 * @param inferred   true when this entry rests on inference (6.15/6.16 data)
 * @param note       extra explanation, empty when none
 */
public record RegListing(RegId id, Component component, String table, String visibility, String condition,
                         boolean inferred, String note) {

    /** One line: {@code sys_reg_descs, tcr2_visibility: vm.ID_AA64MMFR3_EL1.TCRX>=IMP}. */
    public String why() {
        StringBuilder sb = new StringBuilder(table);
        if (!visibility.equals("-") && !visibility.isEmpty()) {
            sb.append(", ").append(visibility);
        }
        sb.append(": ").append(condition);
        if (!note.isEmpty()) {
            sb.append(" (").append(note).append(')');
        }
        return sb.toString();
    }
}
