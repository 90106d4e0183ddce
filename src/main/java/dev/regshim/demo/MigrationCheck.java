package dev.regshim.demo;

import dev.regshim.kernel.KernelRegList;
import dev.regshim.regs.RegSet;

/**
 * Decides which registers stop a migration from one host's register list to another's. The demo uses
 * {@link #STOCK_QEMU_SET_RULE}; a full model of QEMU's cpreg load can be plugged in instead.
 */
@FunctionalInterface
public interface MigrationCheck {

    /**
     * Stock QEMU's rule as a set rule: every register in the source's cpreg list that the destination's cpreg list
     * lacks fails the load; registers only the destination has keep their reset value and are fine.
     */
    MigrationCheck STOCK_QEMU_SET_RULE = (src, dst) -> src.cpregs().minus(dst.cpregs());

    /** The registers that make the migration fail (empty when it loads). */
    RegSet blockers(KernelRegList source, KernelRegList destination);
}
