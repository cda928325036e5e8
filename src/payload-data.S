/* The embedded payloads, kept byte for byte in read-only data (which strip leaves alone):
 * the pip wheel, the setuptools wheel where the build's Python's ensurepip installs one
 * (PAYLOAD_SETUPTOOLS_FILE, from payload-digests.h), and the runtime archive built from them
 * (see build-aux/mkruntime.py).
 * WHEEL_FILE and RUNTIME_FILE are absolute paths given by Makefile.am. Each payload is
 * followed by a NUL byte that is not part of it. The symbols are hidden: only ensurepip_* is
 * exported. */

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

#ifdef PAYLOAD_SETUPTOOLS_FILE
        .balign 16
        .globl payload_setuptools_start
        .hidden payload_setuptools_start
payload_setuptools_start:
        .incbin PAYLOAD_SETUPTOOLS_FILE
        .globl payload_setuptools_end
        .hidden payload_setuptools_end
payload_setuptools_end:
        .byte 0
#endif

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack,"",%progbits
#endif
