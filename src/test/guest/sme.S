// QEMU sends the cpu/sme and cpu/zt0 subsections once a guest has enabled SME streaming mode and ZA (SMSTART).
// Saved for src/test/resources/streams/qemu-11.1/sme.mig.xz (see its README.txt). Assemble with -march=armv9-a+sme.
.global _start
_start:
    mrs x0, cpacr_el1
    orr x0, x0, #(3 << 20)
    orr x0, x0, #(3 << 16)
    orr x0, x0, #(3 << 24)
    msr cpacr_el1, x0
    isb
    mov x0, #1
    msr s3_0_c1_c2_6, x0
    isb
    smstart
    mov w12, #0
    fmov z0.s, #1.0
1:  b 1b
