/*
 * Stand-ins for the parts of NetSurf image_stb.c's content handler calls,
 * so the host tests (and the fuzz target, which only needs them to link)
 * can drive the handler without NetSurf's core: a content lifecycle that
 * records its status, title and broadcast errors; an image cache of a few
 * entries keeping the bitmap and the conversion function it was given; a
 * bitmap table over malloc with rows wider than the image; the content
 * factory recording registrations; NetSurf's bitmap format globals.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_image_stb_stubs.h"

/* ---- content ---------------------------------------------------------------------- */

struct stub_error stub_error;

nserror content__init(struct content *c, const struct content_handler *handler, lwc_string *imime_type,
                      const struct http_parameter *params, struct llcache_handle *llcache,
                      const char *fallback_charset, bool quirks)
{
    (void)imime_type, (void)params, (void)fallback_charset, (void)quirks;
    c->handler = handler;
    c->llcache = llcache;
    c->status = CONTENT_STATUS_LOADING;
    c->size = (unsigned int)sizeof *c;
    return NSERROR_OK;
}

nserror content__clone(const struct content *c, struct content *nc)
{
    nc->handler = c->handler;
    nc->llcache = c->llcache;
    nc->status = CONTENT_STATUS_LOADING;
    nc->size = (unsigned int)sizeof *nc;
    return NSERROR_OK;
}

void content_destroy(struct content *c)
{
    if (c->handler->destroy)
        c->handler->destroy(c);
    free(c->title);
    free(c);
}

const uint8_t *content__get_source_data(struct content *c, size_t *size)
{
    *size = c->llcache->size;
    return c->llcache->data;
}

void content_broadcast_error(struct content *c, nserror errorcode, const char *msg)
{
    (void)c;
    stub_error.count++;
    stub_error.code = errorcode;
    snprintf(stub_error.msg, sizeof stub_error.msg, "%s", msg ? msg : "(none)");
}

void content_set_ready(struct content *c) { c->status = CONTENT_STATUS_READY; }
void content_set_done(struct content *c) { c->status = CONTENT_STATUS_DONE; }
void content_set_status(struct content *c, const char *status_message) { (void)c, (void)status_message; }

bool content__set_title(struct content *c, const char *title)
{
    free(c->title);
    c->title = strdup(title);
    return c->title != NULL;
}

/* The English Messages say "%s (PNG image %lux%lu pixels)": the key and
 * the arguments are what matters here. */
char *messages_get_buff(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    const char *leaf = va_arg(ap, const char *);
    unsigned long w = va_arg(ap, unsigned long), h = va_arg(ap, unsigned long);
    va_end(ap);
    char buf[200];
    snprintf(buf, sizeof buf, "%s %s %lux%lu", key, leaf, w, h);
    return strdup(buf);
}

nsurl *llcache_handle_get_url(const llcache_handle *handle)
{
    return (nsurl *)(uintptr_t)handle->url;
}

const char *nsurl_access(const nsurl *url)
{
    return (const char *)url;
}

const char *nsurl_access_leaf(const nsurl *url)
{
    const char *s = (const char *)url, *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

/* ---- the image cache -------------------------------------------------------------- */

struct stub_cache_entry stub_cache[STUB_CACHE_SIZE];
bool stub_speculate;

struct stub_cache_entry *stub_cache_find(const struct content *c)
{
    for (int i = 0; i < STUB_CACHE_SIZE; i++)
        if (stub_cache[i].content == c)
            return &stub_cache[i];
    return NULL;
}

nserror image_cache_add(struct content *content, struct bitmap *bitmap, image_cache_convert_fn *convert)
{
    struct stub_cache_entry *e = stub_cache_find(content);
    if (!e)
        e = stub_cache_find(NULL);
    if (!e)
        return NSERROR_NOMEM;
    if (e->bitmap && bitmap)
        guit->bitmap->destroy(e->bitmap);
    e->content = content;
    e->convert = convert;
    if (bitmap)
        e->bitmap = bitmap;
    return NSERROR_OK;
}

bool image_cache_speculate(struct content *c)
{
    (void)c;
    return stub_speculate;
}

void image_cache_destroy(struct content *c)
{
    struct stub_cache_entry *e = stub_cache_find(c);
    if (!e)
        return;
    if (e->bitmap)
        guit->bitmap->destroy(e->bitmap);
    memset(e, 0, sizeof *e);
}

bool image_cache_redraw(struct content *c, struct content_redraw_data *data, const struct rect *clip,
                        const struct redraw_context *ctx)
{
    (void)c, (void)data, (void)clip, (void)ctx;
    return false;
}

void *image_cache_get_internal(const struct content *c, void *context)
{
    (void)context;
    struct stub_cache_entry *e = stub_cache_find(c);
    return e ? e->bitmap : NULL;
}

bool image_cache_is_opaque(struct content *c)
{
    (void)c;
    return false;
}

content_type image_cache_content_type(void)
{
    return CONTENT_IMAGE;
}

/* ---- the content factory -------------------------------------------------------- */

struct stub_registration stub_registered[STUB_MAX_TYPES];
int stub_nregistered;

nserror content_factory_register_handler(const char *mime_type, const struct content_handler *handler)
{
    if (stub_nregistered == STUB_MAX_TYPES)
        return NSERROR_NOMEM;
    stub_registered[stub_nregistered].mime = mime_type;
    stub_registered[stub_nregistered++].handler = handler;
    return NSERROR_OK;
}

/* ---- bitmaps ------------------------------------------------------------------------ */

int stub_bitmaps_live;
bool stub_bitmap_fail;

static void *bm_create(int width, int height, enum gui_bitmap_flags flags)
{
    (void)flags;
    if (stub_bitmap_fail)
        return NULL;
    struct stub_bitmap *b = calloc(1, sizeof *b);
    b->width = width;
    b->height = height;
    b->stride = (size_t)width * 4 + 8;      /* wider rows, as a front end's may be */
    b->buf = malloc(b->stride * (size_t)height);
    memset(b->buf, 0xa5, b->stride * (size_t)height);
    stub_bitmaps_live++;
    return b;
}

static void bm_destroy(void *p)
{
    struct stub_bitmap *b = p;
    free(b->buf);
    free(b);
    stub_bitmaps_live--;
}

static void bm_set_opaque(void *p, bool opaque) { ((struct stub_bitmap *)p)->opaque = opaque; }
static bool bm_get_opaque(void *p) { return ((struct stub_bitmap *)p)->opaque; }
static unsigned char *bm_get_buffer(void *p) { return ((struct stub_bitmap *)p)->buf; }
static size_t bm_get_rowstride(void *p) { return ((struct stub_bitmap *)p)->stride; }
static int bm_get_width(void *p) { return ((struct stub_bitmap *)p)->width; }
static int bm_get_height(void *p) { return ((struct stub_bitmap *)p)->height; }
static void bm_modified(void *p) { ((struct stub_bitmap *)p)->modified++; }

static struct gui_bitmap_table stub_bitmap_table = {
    .create = bm_create, .destroy = bm_destroy, .set_opaque = bm_set_opaque, .get_opaque = bm_get_opaque,
    .get_buffer = bm_get_buffer, .get_rowstride = bm_get_rowstride, .get_width = bm_get_width,
    .get_height = bm_get_height, .modified = bm_modified,
};
static struct netsurf_table stub_table = {.bitmap = &stub_bitmap_table};
struct netsurf_table *guit = &stub_table;

/* NetSurf's defaults (desktop/bitmap.c): R, G, B, A bytes, straight alpha */
bitmap_fmt_t bitmap_fmt = {.layout = BITMAP_LAYOUT_R8G8B8A8, .pma = false};
struct bitmap_colour_layout bitmap_layout = {.r = 0, .g = 1, .b = 2, .a = 3};
struct stub_convert stub_convert;

void bitmap_format_convert(void *bitmap, const bitmap_fmt_t *from, const bitmap_fmt_t *to)
{
    (void)bitmap;
    stub_convert.count++;
    stub_convert.from = *from;
    stub_convert.to = *to;
}
