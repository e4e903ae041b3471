/*
 * The multiboot2 framebuffer information tag (type 8), decoded. Kept apart
 * from boot.c so the host tests (arch/x86_64/tests) can feed it good and
 * malformed tags: the tag comes from the boot loader and is not trusted.
 */
#ifndef ARCH_X86_64_MB2FB_H
#define ARCH_X86_64_MB2FB_H

#include <stdint.h>
#include <anx/platform.h>

#define X86_MB2_TAG_FRAMEBUFFER 8

enum x86_mb2fb_result {
    X86_MB2FB_OK = 0,
    X86_MB2FB_SHORT,        /* the tag is smaller than its fields */
    X86_MB2FB_INDEXED,      /* type 0: a palette mode */
    X86_MB2FB_TEXT,         /* type 2: EGA text, no pixels */
    X86_MB2FB_TYPE,         /* an unknown framebuffer type */
    X86_MB2FB_SIZE,         /* zero or absurd numbers (no address, pitch shorter than a row) */
};

/* Decode the tag at tag (size bytes, as its header says): the framebuffer
 * of an RGB (direct color) mode into *out. */
enum x86_mb2fb_result x86_mb2_framebuffer(const uint8_t *tag, uint32_t size, struct plat_framebuffer *out);

/* "ok", "tag too short", "indexed color (palette) mode", ... */
const char *x86_mb2fb_reason(enum x86_mb2fb_result r);

#endif
