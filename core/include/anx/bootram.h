/*
 * The least RAM an image needs: its own bytes (from the load address to
 * __image_end, <anx/platform.h>) plus ANX_BOOT_RESERVE for the core to
 * reach "anunix: ready" (the page allocator's bitmap, the platform's page
 * tables, the boot threads' stacks). The manifest's modules need more on
 * top (their memory: keys); the generator checks the sum at build time.
 *
 * The arch entry code checks the RAM that holds the image against this
 * before it touches any memory past the image's code (its stack, page
 * tables and data live there), and with too little prints
 *
 *     anunix: only 4096 KiB of RAM; this image needs at least 5436 KiB (memory: 6M or more)
 *
 * and powers off with status 1, where it would otherwise fault without a
 * word. This header is included by assembly too: plain defines only.
 */
#ifndef ANX_BOOTRAM_H
#define ANX_BOOTRAM_H

#define ANX_BOOT_RESERVE (512 * 1024)

#endif
