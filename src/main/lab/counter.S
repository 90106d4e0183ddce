// counter.S: regshim's bare-metal liveness probe for QEMU `-M virt` (aarch64), loaded with `-kernel counter.elf`.
//
// QEMU enters an ELF image at its entry point with the MMU off: at EL1, or at EL2 with -M virt,virtualization=on.
// The program
//   * parks every vCPU but the first (MPIDR affinity != 0) in a WFE loop;
//   * writes known values to TPIDR_EL0, TPIDRRO_EL0, TPIDR_EL1 and CONTEXTIDR_EL1 (at EL2 these MSRs still
//     reach the EL1 registers, as HCR_EL2.E2H is 0 after QEMU's boot);
//   * counts in x19 (callee-saved, so it lives only in the vCPU state a migration carries);
//   * about every 100 ms (CNTVCT_EL0 advanced by CNTFRQ_EL0/10) prints one line on the PL011 UART:
//
//       counter n=<x19> el=<CurrentEL> tpidr_el0=<v> tpidrro_el0=<v> tpidr_el1=<v> contextidr_el1=<v> isar1=<v>
//
//     every <v> and n being 16 lower-case hex digits, read back from the registers at print time.
//     A line "counter start el=<CurrentEL>" is printed once at boot (never again after a migration).
//
// Build: aarch64-linux-gnu-as -o counter.o counter.S
//        aarch64-linux-gnu-ld -N -Ttext=0x40080000 -e _start -o counter.elf counter.o

        .equ    UART_BASE,          0x09000000      // PL011 on QEMU virt
        .equ    UART_DR,            0x00            // data register
        .equ    UART_FR,            0x18            // flag register
        .equ    UART_FR_TXFF_BIT,   5               // transmit FIFO full
        .equ    LINES_PER_SECOND,   10

        // The values the program sets, chosen so that every byte differs from its neighbours.
        .equ    VALUE_TPIDR_EL0,        0x7265677368696d30      // "regshim0"
        .equ    VALUE_TPIDRRO_EL0,      0xfeedface00c0ffee
        .equ    VALUE_TPIDR_EL1,        0x0123456789abcdef
        .equ    VALUE_CONTEXTIDR_EL1,   0x00000000c0de5eed      // PROCID is 32 bits, the rest RES0

        .text
        .global _start
_start:
        mrs     x0, mpidr_el1
        and     x1, x0, #0xffffff               // Aff2..Aff0
        ubfx    x2, x0, #32, #8                 // Aff3
        orr     x1, x1, x2
        cbnz    x1, park

        ldr     x0, =stack_top
        mov     sp, x0

        ldr     x0, =VALUE_TPIDR_EL0
        msr     tpidr_el0, x0
        ldr     x0, =VALUE_TPIDRRO_EL0
        msr     tpidrro_el0, x0
        ldr     x0, =VALUE_TPIDR_EL1
        msr     tpidr_el1, x0
        ldr     x0, =VALUE_CONTEXTIDR_EL1
        msr     contextidr_el1, x0
        isb

        adr     x0, msg_start
        bl      put_str
        bl      put_el
        mov     w0, #'\n'
        bl      put_char

        mov     x19, #0                         // the count
        mrs     x21, cntfrq_el0
        mov     x0, #LINES_PER_SECOND
        udiv    x21, x21, x0                    // ticks between lines
        isb
        mrs     x20, cntvct_el0                 // tick of the last line

tick:
        isb
        mrs     x0, cntvct_el0
        sub     x1, x0, x20                     // unsigned: a counter that went backwards prints at once
        cmp     x1, x21
        b.lo    tick
        mov     x20, x0
        bl      print_line
        add     x19, x19, #1
        b       tick

park:
        wfe
        b       park

// One status line for the current x19.
print_line:
        stp     x29, x30, [sp, #-16]!
        adr     x0, msg_n
        bl      put_str
        mov     x0, x19
        bl      put_hex64
        adr     x0, msg_el
        bl      put_str
        bl      put_el
        adr     x0, msg_tpidr_el0
        bl      put_str
        mrs     x0, tpidr_el0
        bl      put_hex64
        adr     x0, msg_tpidrro_el0
        bl      put_str
        mrs     x0, tpidrro_el0
        bl      put_hex64
        adr     x0, msg_tpidr_el1
        bl      put_str
        mrs     x0, tpidr_el1
        bl      put_hex64
        adr     x0, msg_contextidr_el1
        bl      put_str
        mrs     x0, contextidr_el1
        bl      put_hex64
        adr     x0, msg_isar1
        bl      put_str
        mrs     x0, id_aa64isar1_el1
        bl      put_hex64
        mov     w0, #'\n'
        bl      put_char
        ldp     x29, x30, [sp], #16
        ret

// CurrentEL as one decimal digit.
put_el:
        stp     x29, x30, [sp, #-16]!
        mrs     x0, CurrentEL
        ubfx    x0, x0, #2, #2
        add     w0, w0, #'0'
        bl      put_char
        ldp     x29, x30, [sp], #16
        ret

// x0 as 16 lower-case hex digits. Clobbers x0-x3.
put_hex64:
        stp     x29, x30, [sp, #-16]!
        mov     x2, x0
        mov     x3, #60                         // shift of the most significant nibble
1:      lsr     x0, x2, x3
        and     x0, x0, #0xf
        cmp     x0, #10
        b.lo    2f
        add     x0, x0, #('a' - 10 - '0')
2:      add     x0, x0, #'0'
        bl      put_char
        subs    x3, x3, #4
        b.ge    1b
        ldp     x29, x30, [sp], #16
        ret

// NUL-terminated string at x0. Clobbers x0, x1.
put_str:
        stp     x29, x30, [sp, #-16]!
        mov     x1, x0
1:      ldrb    w0, [x1], #1
        cbz     w0, 2f
        bl      put_char
        b       1b
2:      ldp     x29, x30, [sp], #16
        ret

// w0 to the UART once its transmit FIFO has room. Leaf; clobbers x9, x10.
put_char:
        ldr     x9, =UART_BASE
1:      ldr     w10, [x9, #UART_FR]
        tbnz    w10, #UART_FR_TXFF_BIT, 1b
        strb    w0, [x9, #UART_DR]
        ret

        .ltorg

msg_start:          .asciz "counter start el="
msg_n:              .asciz "counter n="
msg_el:             .asciz " el="
msg_tpidr_el0:      .asciz " tpidr_el0="
msg_tpidrro_el0:    .asciz " tpidrro_el0="
msg_tpidr_el1:      .asciz " tpidr_el1="
msg_contextidr_el1: .asciz " contextidr_el1="
msg_isar1:          .asciz " isar1="

        .bss
        .balign 16
stack:  .skip   4096
stack_top:
