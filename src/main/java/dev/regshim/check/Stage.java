package dev.regshim.check;

/** Where in QEMU's load a migration fails, in stream order. */
public enum Stage {
    NONE, MACHINE, RAM, SECTION, CPU
}
