/* The embedded payloads, kept byte for byte in read-only data (which strip leaves alone):
 * the pip wheel, the runtime archive built from it (see build-aux/mkruntime.py), and the
 * source of py/importer.py, which imports from that archive in memory.
 * WHEEL_FILE, RUNTIME_FILE and IMPORTER_FILE are absolute paths given by Makefile.am. Each
 * payload is followed by a NUL byte that is not part of it (the importer's source is used as a
 * C string). The symbols are hidden: only ensurepip_* is exported. */

/* Not needed for its definitions: including it makes this file depend (through the compiler's
 * dependency tracking) on the header make regenerates whenever a payload changes. */
#include <payload-digests.h> /* <>: found through -I, so that test builds can bring their own */

        .section .rodata.ensurepip_payload,"a"

        .balign 16
        .globl payload_wheel_start
        .hidden payload_wheel_start
payload_wheel_start:
        .incbin WHEEL_FILE
        .globl payload_wheel_end
        .hidden payload_wheel_end
payload_wheel_end:
        .byte 0

        .balign 16
        .globl payload_runtime_start
        .hidden payload_runtime_start
payload_runtime_start:
        .incbin RUNTIME_FILE
        .globl payload_runtime_end
        .hidden payload_runtime_end
payload_runtime_end:
        .byte 0

        .balign 16
        .globl payload_importer_start
        .hidden payload_importer_start
payload_importer_start:
        .incbin IMPORTER_FILE
        .globl payload_importer_end
        .hidden payload_importer_end
payload_importer_end:
        .byte 0

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack,"",%progbits
#endif
