// memfill: a tiny bare-metal aarch64 guest for regshim's big-stream benchmarks.
//
// Loaded with -kernel as an ELF (QEMU enters it at EL1 with the MMU off, at 0x40080000 on -M virt). It fills
// [FILL_START, FILL_END) with a pattern that is non-zero and different on every page (each 8-byte word holds its
// own address XOR a constant), so QEMU migrates every filled page as a PAGE record with 4096 data bytes. Then it
// prints "memfill done" on the PL011 and spins, so the host can stop it and save.
//
// Build (scripts/make-big-stream.sh does this):
//   aarch64-linux-gnu-as --defsym FILL_END=0x50000000 -o memfill.o memfill.S
//   aarch64-linux-gnu-ld -N -Ttext=0x40080000 -e _start -o memfill.elf memfill.o

    .ifndef FILL_END
    .set FILL_END, 0x50000000           // -m 256
    .endif
    .set FILL_START, 0x40200000         // above the DTB (RAM base) and this program
    .set UART, 0x09000000               // PL011 data register on -M virt
    .set PATTERN, 0x9E3779B97F4A7C15

    .text
    .global _start
_start:
    ldr     x0, =FILL_START
    ldr     x1, =FILL_END
    ldr     x2, =PATTERN
1:  eor     x3, x0, x2                  // word value = address ^ PATTERN: never zero, unique per word
    add     x4, x0, #8
    eor     x4, x4, x2
    stp     x3, x4, [x0], #16
    cmp     x0, x1
    b.lo    1b

    ldr     x5, =UART
    adr     x6, done
2:  ldrb    w7, [x6], #1
    cbz     w7, 3f
    str     w7, [x5]
    b       2b
3:  wfe
    b       3b

done:
    .asciz  "memfill done\n"
