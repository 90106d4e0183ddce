// QEMU 11.1 sends the cpu/event subsection (the event register) once a guest has set it: SEVL, then spin.
// Saved for src/test/resources/streams/qemu-11.1/sevl.mig.xz (see its README.txt).
.global _start
_start:
    sevl
1:  b 1b
