/*
 * NetSurf's object: fetcher: object:///www/index.html is the current
 * version of the object www/index.html in the image's object store
 * (docs/objstore.md), read through the core's named data (<anx/data.h>),
 * so the browser needs no compile-time tie to the store. The object's name
 * comes from the URL's path (object_url.c), its content type from the
 * name's extension.
 *
 * Reads are checked against the browser's object grants (module.yaml
 * objects:, its config objects:, the manifest's grants:). A name that is
 * missing, not a name, not granted or unreadable ends the fetch with
 * FETCH_ERROR and the reason in words: NetSurf's error page shows it, and
 * a kiosk shows its offline page and tries again (the object may be
 * written later; with watch: the kiosk tries as soon as it is).
 *
 * As with NetSurf's file: fetcher the read happens in poll() on the browser
 * thread: the store answers from memory, or blocks the browser thread for
 * the disk read of one object. NetSurf's cache keeps no object: content
 * (its cachable schemes are fixed), so every load, a reload included,
 * reads the current version.
 */
#define LOG_TAG "browser"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anx/data.h>
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/time.h>

#include "utils/nsurl.h"
#include "netsurf/fetch.h"
#include "content/fetch.h"
#include "content/fetchers.h"

#include "fetch_object.h"
#include "object_url.h"

struct object_fetch {
    struct object_fetch *next;
    struct fetch *parent;
    nsurl *url;
    bool aborted;
};

static struct object_fetch *fetches;
static bool polling; /* poll() is running: a callback may call it again */

static bool object_initialise(lwc_string *scheme)
{
    (void)scheme;
    return true;
}

static void object_finalise(lwc_string *scheme)
{
    (void)scheme;
}

static bool object_acceptable(const nsurl *url)
{
    (void)url;
    return true;
}

static void *object_setup(struct fetch *parent, nsurl *url, bool only_2xx,
                          bool downgrade_tls, const char *post_urlenc,
                          const struct fetch_multipart_data *post_multipart, const char **headers)
{
    /* a GET of the current version: nothing to post, no conditions */
    (void)only_2xx;
    (void)downgrade_tls;
    (void)post_urlenc;
    (void)post_multipart;
    (void)headers;
    struct object_fetch *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->parent = parent;
    c->url = nsurl_ref(url);
    c->next = fetches;
    fetches = c;
    return c;
}

static bool object_start(void *vc)
{
    (void)vc;
    return true; /* poll() does the work */
}

static void object_abort(void *vc)
{
    /* often from inside a callback: poll() frees it once none runs */
    ((struct object_fetch *)vc)->aborted = true;
}

static void object_free(void *vc)
{
    struct object_fetch *c = vc;
    for (struct object_fetch **p = &fetches; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    nsurl_unref(c->url);
    free(c);
}

/* Sends msg; whether the fetch was aborted meanwhile (then nothing more). */
static bool send(struct object_fetch *c, fetch_msg *msg)
{
    fetch_send_callback(msg, c->parent);
    return c->aborted;
}

static bool send_header(struct object_fetch *c, const char *fmt, const char *value)
{
    char line[160];
    int n = snprintf(line, sizeof line, fmt, value);
    if (n < 0 || (size_t)n >= sizeof line)
        return c->aborted;
    fetch_msg msg = { .type = FETCH_HEADER };
    msg.data.header_or_data.buf = (const uint8_t *)line;
    msg.data.header_or_data.len = (size_t)n;
    return send(c, &msg);
}

static void fail(struct object_fetch *c, const char *error)
{
    log_info("GET %s: %s", nsurl_access(c->url), error);
    fetch_msg msg = { .type = FETCH_ERROR };
    msg.data.error = error;
    send(c, &msg);
}

/* The reason a read of name failed, in the words a page shows. */
static void read_error(char *out, size_t size, const char *name, int rc)
{
    switch (rc) {
    case ANX_ENOENT:
#ifdef CONFIG_MODULE_OBJSTORE
        snprintf(out, size, "Object not found: there is no object %s in the object store", name);
#else
        snprintf(out, size, "Object not found: %s (this image has no object store: "
                 "add the objstore module)", name);
#endif
        break;
    case ANX_EPERM:
        snprintf(out, size, "Not permitted: the browser may not read the object %s "
                 "(the browser's objects: or the manifest's grants:)", name);
        break;
    case ANX_EAGAIN:
        snprintf(out, size, "The object store is not open yet (%s)", name);
        break;
    default:
        snprintf(out, size, "Cannot read the object %s: %s", name, anx_strerror(rc));
        break;
    }
}

static void process(struct object_fetch *c)
{
    uint64_t t0 = anx_time_ns();
    char *path = NULL;
    size_t path_len = 0;
    if (nsurl_get(c->url, NSURL_PATH, &path, &path_len) != NSERROR_OK) {
        fail(c, "Out of memory");
        return;
    }
    char name[256], error[384];
    const char *why = NULL;
    int rc = browser_object_name(path, name, sizeof name, &why);
    free(path);
    if (rc < 0) {
        snprintf(error, sizeof error, "Not an object name: %s", why ? why : anx_strerror(rc));
        fail(c, error);
        return;
    }
    struct anx_data d;
    rc = anx_data_get("browser", name, &d);
    if (rc < 0) {
        read_error(error, sizeof error, name, rc);
        fail(c, error);
        return;
    }
    const char *type = browser_object_type(name, d.type);
    char size[24], id[16] = "";
    snprintf(size, sizeof size, "%zu", d.size);
    if (d.has_sha256)
        snprintf(id, sizeof id, "%02x%02x%02x%02x%02x%02x", d.sha256[0], d.sha256[1], d.sha256[2],
                 d.sha256[3], d.sha256[4], d.sha256[5]);
    fetch_set_http_code(c->parent, 200);
    fetch_msg msg = { .type = FETCH_DATA };
    msg.data.header_or_data.buf = (const uint8_t *)d.data;
    msg.data.header_or_data.len = d.size;
    if (!send_header(c, "Content-Type: %s", type) && !send_header(c, "Content-Length: %s", size) &&
        (!d.size || !send(c, &msg))) {
        msg.type = FETCH_FINISHED;
        send(c, &msg);
    }
    log_info("GET %s 200 (%s, %zu bytes, %s, id %s, %llu ms)", nsurl_access(c->url), name, d.size,
             type, id[0] ? id : "-", (unsigned long long)((anx_time_ns() - t0) / ANX_NS_PER_MS));
    if (d.owned)
        anx_free((void *)d.data);
}

static void object_poll(lwc_string *scheme)
{
    (void)scheme;
    if (polling)
        return; /* from inside a callback of the outer poll() */
    polling = true;
    /* Callbacks may set up new fetches (added at the list's head, behind
     * this walk: served at the next poll) and abort any fetch (only
     * flagged); only this loop frees, so next stays valid. */
    for (struct object_fetch *c = fetches, *next; c; c = next) {
        next = c->next;
        if (!c->aborted)
            process(c);
        fetch_remove_from_queues(c->parent);
        fetch_free(c->parent); /* calls object_free */
    }
    polling = false;
}

nserror browser_object_register(void)
{
    static const struct fetcher_operation_table ops = {
        .initialise = object_initialise,
        .acceptable = object_acceptable,
        .setup = object_setup,
        .start = object_start,
        .abort = object_abort,
        .free = object_free,
        .poll = object_poll,
        .finalise = object_finalise,
    };
    lwc_string *scheme;
    if (lwc_intern_string("object", 6, &scheme) != lwc_error_ok)
        return NSERROR_NOMEM;
    return fetcher_add(scheme, &ops);
}
