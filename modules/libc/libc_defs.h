/*
 * Shared by the libc module's headers (modules/libc/README in module.yaml).
 *
 * LIBC_SYM(name) gives a standard function its symbol: `FILE *fopen(...)
 * LIBC_SYM(fopen);` declares the C name fopen, which links to libc_fopen.
 * Ported code calls the standard names unchanged; the image's symbol table
 * holds only libc_* names, so they cannot clash with another module's (the
 * prefix check of tests/modules.sh) nor, in a host test, with the host's
 * own C library that the test compares against. Functions the core already
 * has (memcpy, strtol, malloc ...) are declared with their plain names:
 * they are the core's.
 */
#ifndef LIBC_DEFS_H
#define LIBC_DEFS_H

#define LIBC_SYM(name) __asm__("libc_" #name)

#endif
