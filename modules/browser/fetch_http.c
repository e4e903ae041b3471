/*
 * NetSurf's http: and https: fetcher over lwIP: the browser thread's side.
 *
 * NetSurf is single-threaded: its fetch layer calls this fetcher's poll()
 * every 10 ms from the browser thread's scheduler while fetches are
 * active, and every fetch_send_callback must happen there. The network
 * side blocks (DNS, connect, receive), so each fetch runs its exchange in
 * a worker thread of its own (http_worker.c), which hands what it gets -
 * status, header fields, body bytes, the end or an error - to this side
 * through a bounded queue (http_job.h) that poll() drains.
 *
 * abort() and free() only tell the worker to stop and drop this side's
 * reference to the shared job; the worker closes its connection and drops
 * its own. Nothing reaches NetSurf after abort(): messages still queued
 * are freed unread.
 *
 * HTTP/1.1 with `Connection: close`: one connection per fetch, no
 * keep-alive, no pipelining; Accept-Encoding: identity. Redirects, 304 and
 * 401 are reported to NetSurf's low-level cache, which follows them
 * itself, as with its curl fetcher; cookies come from and go to its urldb,
 * Referer and the conditional-request fields from the cache.
 *
 * https: is the same exchange inside a TLS session of the tls module
 * (http_worker.c). A certificate or handshake failure ends the fetch with
 * FETCH_ERROR and the reason in words, which NetSurf shows as its error
 * page; it never sends FETCH_CERT_ERR, whose page offers to proceed
 * anyway: a kiosk has no one to judge a bad certificate.
 */
#define LOG_TAG "browser"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anx/buf.h>
#include <anx/log.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "utils/corestrings.h"
#include "utils/messages.h"
#include "utils/nsoption.h"
#include "utils/nsurl.h"
#include "utils/useragent.h"
#include "netsurf/fetch.h"
#include "desktop/gui_internal.h"
#include "content/fetch.h"
#include "content/fetchers.h"
#include "content/urldb.h"
#include <nsutils/base64.h>

#include "browser_kiosk.h"
#include "fetch_http.h"
#include "http_job.h"

/* ------------------------------------------------------------------ */
/* The browser side: NetSurf's fetcher operations                       */

struct http_fetch {
    struct http_fetch *next, *prev; /* every fetch between setup and free */
    struct fetch *parent;
    nsurl *url;
    char *host;
    uint16_t port;
    bool tls; /* https: */
    bool only_2xx;
    char **headers; /* the caller's, NULL-terminated */
    char *post_urlenc;
    struct fetch_multipart_data *post_multipart;
    struct browser_http_job *job; /* from start() */
    bool aborted;                 /* abort() was called: nothing more to NetSurf */
    bool done;                    /* a final message was sent */
    long code;
    char *location, *realm;
    uint64_t started_ns;
    uint64_t body_bytes;
};

static struct http_fetch *fetches;
static bool polling; /* poll() is running: a callback may call it again */

static bool http_initialise(lwc_string *scheme)
{
    (void)scheme;
    return true;
}

static void http_finalise(lwc_string *scheme)
{
    (void)scheme;
}

/* Whether url's scheme is https (else it is http: NetSurf only hands this
 * fetcher the schemes it was registered for). */
static bool is_https(const nsurl *url)
{
    lwc_string *scheme = nsurl_get_component(url, NSURL_SCHEME);
    bool match = false;
    if (scheme) {
        lwc_string_caseless_isequal(scheme, corestring_lwc_https, &match);
        lwc_string_unref(scheme);
    }
    return match;
}

static bool http_acceptable(const nsurl *url)
{
    return nsurl_has_component(url, NSURL_HOST);
}

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static void *http_setup(struct fetch *parent, nsurl *url, bool only_2xx, bool downgrade_tls,
                        const char *post_urlenc, const struct fetch_multipart_data *post_multipart,
                        const char **headers)
{
    (void)downgrade_tls;
    struct http_fetch *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->parent = parent;
    c->url = nsurl_ref(url);
    c->only_2xx = only_2xx;
    lwc_string *host = nsurl_get_component(url, NSURL_HOST);
    lwc_string *port = nsurl_get_component(url, NSURL_PORT);
    c->tls = is_https(url);
    c->port = c->tls ? 443 : 80;
    if (port) {
        long n = strtol(lwc_string_data(port), NULL, 10);
        c->port = n > 0 && n < 65536 ? (uint16_t)n : 0;
        lwc_string_unref(port);
    }
    if (host) {
        c->host = strndup(lwc_string_data(host), lwc_string_length(host));
        lwc_string_unref(host);
    }
    size_t n = 0;
    while (headers && headers[n])
        n++;
    c->headers = calloc(n + 1, sizeof *c->headers);
    bool ok =
        c->host && c->host[0] && c->port && strlen(c->host) < sizeof c->job->host && c->headers;
    for (size_t i = 0; ok && i < n; i++)
        ok = (c->headers[i] = strdup(headers[i])) != NULL;
    if (ok && post_urlenc)
        ok = (c->post_urlenc = strdup(post_urlenc)) != NULL;
    if (ok && post_multipart)
        ok = (c->post_multipart = fetch_multipart_data_clone(post_multipart)) != NULL;
    if (!ok) {
        free_strv(c->headers);
        free(c->post_urlenc);
        free(c->host);
        nsurl_unref(c->url);
        free(c);
        return NULL;
    }
    c->next = fetches;
    if (fetches)
        fetches->prev = c;
    fetches = c;
    return c;
}

/* A form field name or file name inside a quoted multipart header
 * (the HTML standard's escaping: " and line breaks percent-encoded). */
static void add_quoted(struct anx_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            anx_buf_puts(b, "%22");
        else if (*s == '\r')
            anx_buf_puts(b, "%0D");
        else if (*s == '\n')
            anx_buf_puts(b, "%0A");
        else
            anx_buf_add(b, s, 1);
    }
}

static void add_file(struct anx_buf *b, const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        log_warn("form upload: cannot read %s; the field is sent empty", path ? path : "(none)");
        return;
    }
    char chunk[1024];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        anx_buf_add(b, chunk, n);
    fclose(f);
}

/* multipart/form-data (RFC 7578) of a form's fields and files. */
static void multipart_body(struct anx_buf *b, const char *boundary,
                           const struct fetch_multipart_data *m)
{
    for (; m; m = m->next) {
        anx_buf_printf(b, "--%s\r\nContent-Disposition: form-data; name=\"", boundary);
        add_quoted(b, m->name);
        anx_buf_puts(b, "\"");
        if (m->file) {
            const char *leaf = strrchr(m->value, '/');
            anx_buf_puts(b, "; filename=\"");
            add_quoted(b, leaf ? leaf + 1 : m->value);
            char *type = m->value[0] && guit && guit->fetch && guit->fetch->mimetype
                             ? guit->fetch->mimetype(m->value)
                             : NULL;
            anx_buf_printf(b, "\"\r\nContent-Type: %s\r\n\r\n",
                           type ? type : "application/octet-stream");
            free(type);
            if (m->value[0])
                add_file(b, m->rawfile);
        } else {
            anx_buf_puts(b, "\r\n\r\n");
            anx_buf_puts(b, m->value);
        }
        anx_buf_puts(b, "\r\n");
    }
    anx_buf_printf(b, "--%s--\r\n", boundary);
}

/* "Authorization: Basic ..." from the credentials NetSurf's urldb holds
 * for this URL (entered on its login page after a 401). */
static void add_auth(struct anx_buf *b, nsurl *url)
{
    const char *auth = urldb_get_auth_details(url, NULL);
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    if (!auth || !auth[0] ||
        nsu_base64_encode_alloc((const uint8_t *)auth, strlen(auth), &enc, &enc_len) != NSUERROR_OK)
        return;
    anx_buf_puts(b, "Authorization: Basic ");
    anx_buf_add(b, enc, enc_len);
    anx_buf_puts(b, "\r\n");
    free(enc);
}

/* The request, built on the browser thread (urldb and the options are
 * NetSurf's, not thread-safe). */
static bool build_request(struct http_fetch *c, struct anx_buf *b)
{
    char *path = NULL;
    size_t path_len = 0;
    if (nsurl_get(c->url, NSURL_PATH | NSURL_QUERY, &path, &path_len) != NSERROR_OK)
        return false;
    bool post = c->post_urlenc || c->post_multipart;
    anx_buf_printf(b, "%s %s HTTP/1.1\r\n", post ? "POST" : "GET", path_len ? path : "/");
    free(path);
    if (c->port == (c->tls ? 443 : 80))
        anx_buf_printf(b, "Host: %s\r\n", c->host);
    else
        anx_buf_printf(b, "Host: %s:%u\r\n", c->host, c->port);
    anx_buf_printf(b, "User-Agent: %s\r\nAccept: */*\r\nAccept-Encoding: identity\r\n",
                   user_agent_string());
    if (nsoption_charp(accept_language) && nsoption_charp(accept_language)[0])
        anx_buf_printf(b, "Accept-Language: %s, *;q=0.1\r\n", nsoption_charp(accept_language));
    if (nsoption_charp(accept_charset) && nsoption_charp(accept_charset)[0])
        anx_buf_printf(b, "Accept-Charset: %s, *;q=0.1\r\n", nsoption_charp(accept_charset));
    if (nsoption_bool(do_not_track))
        anx_buf_puts(b, "DNT: 1\r\n");
    anx_buf_puts(b, "Connection: close\r\n");
    char *cookie = urldb_get_cookie(c->url, true);
    if (cookie) {
        anx_buf_printf(b, "Cookie: %s\r\n", cookie);
        free(cookie);
    }
    add_auth(b, c->url);
    /* Referer, If-Modified-Since, If-None-Match ... from the cache; a
     * line break inside one would inject a header: such a one is dropped */
    for (size_t i = 0; c->headers[i]; i++)
        if (!strpbrk(c->headers[i], "\r\n"))
            anx_buf_printf(b, "%s\r\n", c->headers[i]);
    if (c->post_urlenc) {
        size_t n = strlen(c->post_urlenc);
        anx_buf_printf(b,
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: %zu\r\n\r\n",
                       n);
        anx_buf_add(b, c->post_urlenc, n);
    } else if (c->post_multipart) {
        char boundary[48];
        snprintf(boundary, sizeof boundary, "----AnunixNetSurf%016llx",
                 (unsigned long long)(anx_time_ns() ^ (uintptr_t)c));
        struct anx_buf body = { 0 };
        multipart_body(&body, boundary, c->post_multipart);
        anx_buf_printf(b,
                       "Content-Type: multipart/form-data; boundary=%s\r\n"
                       "Content-Length: %zu\r\n\r\n",
                       boundary, body.len);
        anx_buf_add(b, body.p, body.len);
        bool oom = body.oom;
        anx_buf_free(&body);
        if (oom)
            return false;
    } else {
        anx_buf_puts(b, "\r\n");
    }
    return !b->oom;
}

static bool http_start(void *vc)
{
    struct http_fetch *c = vc;
    if (c->aborted || c->job)
        return true; /* poll() frees an aborted fetch */
    struct browser_http_job *j = calloc(1, sizeof *j);
    if (!j)
        return false; /* stays queued; NetSurf tries again */
    strlcpy(j->host, c->host, sizeof j->host);
    j->port = c->port;
    j->tls = c->tls;
    if (!build_request(c, &j->request) || !browser_http_job_start(j)) {
        anx_buf_free(&j->request);
        free(j);
        return false;
    }
    c->job = j;
    c->started_ns = anx_time_ns();
    return true;
}

/* Tells the worker to give up; it closes its connection on its own. */
static void stop_job(struct http_fetch *c)
{
    if (c->job)
        browser_http_job_stop(c->job);
}

static void http_abort(void *vc)
{
    struct http_fetch *c = vc;
    /* Often called from inside one of this fetcher's callbacks (the
     * cache aborts a fetch it got a redirect from), so only flagged here:
     * poll() removes and frees the fetch once no callback is running. */
    c->aborted = true;
    stop_job(c);
}

static void http_free(void *vc)
{
    struct http_fetch *c = vc;
    stop_job(c);
    if (c->job)
        browser_http_job_release(c->job);
    if (c->prev)
        c->prev->next = c->next;
    else
        fetches = c->next;
    if (c->next)
        c->next->prev = c->prev;
    nsurl_unref(c->url);
    free(c->host);
    free_strv(c->headers);
    free(c->post_urlenc);
    if (c->post_multipart)
        fetch_multipart_data_destroy(c->post_multipart);
    free(c->location);
    free(c->realm);
    free(c);
}

static void send_msg(struct http_fetch *c, fetch_msg *msg)
{
    if (msg->type >= FETCH_FINISHED) {
        c->done = true;
        stop_job(c);
    }
    fetch_send_callback(msg, c->parent);
}

static void log_end(struct http_fetch *c, const char *error)
{
    unsigned long long ms = (anx_time_ns() - c->started_ns) / ANX_NS_PER_MS;
    const char *method = c->post_urlenc || c->post_multipart ? "POST" : "GET";
    if (error)
        log_info("%s %s: %s (%llu ms)", method, nsurl_access(c->url), error, ms);
    else
        log_info("%s %s %ld (%llu bytes, %llu ms)", method, nsurl_access(c->url), c->code,
                 (unsigned long long)c->body_bytes, ms);
}

/* A copy of a field's value (after "Name:"), or NULL. */
static char *field_value(const char *line, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) || line[n] != ':')
        return NULL;
    line += n + 1;
    while (*line == ' ')
        line++;
    return strdup(line);
}

/* realm="..." of a WWW-Authenticate challenge (the first one). */
static void note_realm(struct http_fetch *c, const char *value)
{
    const char *r = strstr(value, "realm=\"");
    if (!r)
        return;
    r += 7;
    const char *e = strchr(r, '"');
    if (!e)
        return;
    free(c->realm);
    c->realm = strndup(r, (size_t)(e - r));
}

static void on_header_line(struct http_fetch *c, const char *line, size_t len)
{
    char *v;
    fetch_msg msg = { .type = FETCH_HEADER };
    msg.data.header_or_data.buf = (const uint8_t *)line;
    msg.data.header_or_data.len = len;
    send_msg(c, &msg);
    if (c->aborted)
        return;
    if ((v = field_value(line, "Location"))) {
        free(c->location);
        c->location = v;
    } else if ((v = field_value(line, "Set-Cookie"))) {
        fetch_set_cookie(c->parent, v);
        free(v);
    } else if ((v = field_value(line, "WWW-Authenticate"))) {
        note_realm(c, v);
        free(v);
    }
}

/* The head is complete: what the cache must act on instead of a body
 * (the same decisions as NetSurf's curl fetcher). */
static void on_head_complete(struct http_fetch *c)
{
    fetch_msg msg = { 0 };
    bool post = c->post_urlenc || c->post_multipart;
    if (c->code == 304 && !post) {
        msg.type = FETCH_NOTMODIFIED;
    } else if (c->code >= 300 && c->code < 400 && c->location) {
        msg.type = FETCH_REDIRECT;
        msg.data.redirect = c->location;
    } else if (c->code == 401) {
        msg.type = FETCH_AUTH;
        msg.data.auth.realm = c->realm ? c->realm : "";
    } else if (c->only_2xx && (c->code < 200 || c->code > 299)) {
        msg.type = FETCH_ERROR;
        msg.data.error = messages_get("Not2xx");
    } else {
        return;
    }
    log_end(c, NULL);
    send_msg(c, &msg);
}

/* Delivers what the worker queued, until the fetch ends or is aborted. */
static void deliver(struct http_fetch *c)
{
    struct browser_http_job *j = c->job;
    struct browser_http_msg *m;
    while (!c->aborted && !c->done && (m = browser_http_job_pop(j))) {
        fetch_msg msg = { 0 };
        switch (m->type) {
        case BROWSER_HTTP_STATUS:
            c->code = m->code;
            fetch_set_http_code(c->parent, m->code);
            browser_kiosk_http_status(nsurl_access(c->url), m->code);   /* NetSurf keeps no status */
            break;
        case BROWSER_HTTP_HEADER: on_header_line(c, m->data, m->len); break;
        case BROWSER_HTTP_HEAD_DONE: on_head_complete(c); break;
        case BROWSER_HTTP_DATA:
            c->body_bytes += m->len;
            msg.type = FETCH_DATA;
            msg.data.header_or_data.buf = (const uint8_t *)m->data;
            msg.data.header_or_data.len = m->len;
            send_msg(c, &msg);
            break;
        }
        free(m);
    }
    if (c->aborted || c->done || !j->finished || j->head)
        return;
    fetch_msg msg = { 0 };
    if (j->error[0]) {
        log_end(c, j->error);
        msg.type = FETCH_ERROR;
        msg.data.error = j->error;
    } else {
        log_end(c, NULL);
        msg.type = FETCH_FINISHED;
    }
    send_msg(c, &msg);
}

static void http_poll(lwc_string *scheme)
{
    (void)scheme;
    if (polling)
        return; /* from inside a callback of the outer poll() */
    polling = true;
    /* Callbacks may set up new fetches (added at the list's head, behind
     * this walk) and abort any fetch (only flagged); only this loop frees. */
    for (struct http_fetch *c = fetches, *next; c; c = next) {
        next = c->next;
        if (c->job && !c->aborted && !c->done)
            deliver(c);
        if (c->aborted || c->done) {
            fetch_remove_from_queues(c->parent);
            fetch_free(c->parent); /* calls http_free */
        }
    }
    polling = false;
}

nserror browser_http_register(void)
{
    static const struct fetcher_operation_table ops = {
        .initialise = http_initialise,
        .acceptable = http_acceptable,
        .setup = http_setup,
        .start = http_start,
        .abort = http_abort,
        .free = http_free,
        .poll = http_poll,
        .finalise = http_finalise,
    };
    nserror e = fetcher_add(lwc_string_ref(corestring_lwc_http), &ops);
    if (e != NSERROR_OK)
        return e;
    return fetcher_add(lwc_string_ref(corestring_lwc_https), &ops);
}
