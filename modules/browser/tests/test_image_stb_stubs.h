/* The NetSurf stand-ins of test_image_stb_stubs.c and what they record. */
#ifndef TEST_IMAGE_STB_STUBS_H
#define TEST_IMAGE_STB_STUBS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "utils/errors.h"
#include "netsurf/bitmap.h"
#include "content/llcache.h"
#include "content/content_protected.h"
#include "content/content_factory.h"
#include "desktop/gui_table.h"
#include "desktop/gui_internal.h"
#include "desktop/bitmap.h"
#include "image/image_cache.h"

/* A fetched resource: its data and URL (the real one is llcache.c's). */
struct llcache_handle {
    const uint8_t *data;
    size_t size;
    const char *url;
};

struct stub_error {
    int count;
    nserror code;
    char msg[256];
};
extern struct stub_error stub_error;         /* content_broadcast_error's last call */

#define STUB_CACHE_SIZE 8
struct stub_cache_entry {
    struct content *content;
    struct bitmap *bitmap;
    image_cache_convert_fn *convert;
};
extern struct stub_cache_entry stub_cache[STUB_CACHE_SIZE];
extern bool stub_speculate;                  /* what image_cache_speculate answers */
struct stub_cache_entry *stub_cache_find(const struct content *c);

#define STUB_MAX_TYPES 16
struct stub_registration {
    const char *mime;
    const struct content_handler *handler;
};
extern struct stub_registration stub_registered[STUB_MAX_TYPES];
extern int stub_nregistered;

struct stub_bitmap {
    int width, height;
    size_t stride;
    uint8_t *buf;
    bool opaque;
    int modified;
};
extern int stub_bitmaps_live;
extern bool stub_bitmap_fail;                /* bitmap creation fails */

struct stub_convert {
    int count;
    bitmap_fmt_t from, to;
};
extern struct stub_convert stub_convert;     /* bitmap_format_convert's calls */
#endif
