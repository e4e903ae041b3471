/* The kiosk's decisions (kiosk_policy.h): pure functions of their inputs. */
#include <anx/lib.h>       /* the core's string functions */
#include <anx/mem.h>       /* malloc, realloc, free */
#include <anx/printf.h>    /* snprintf */

#include "kiosk_policy.h"

/* Where the authority (host[:port]) ends: the first '/', '?' or '#'
 * after "scheme://"; NULL for a URL without "//". */
static const char *authority_end(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return NULL;
    p += 3;
    return p + strcspn(p, "/?#");
}

bool kiosk_default_prefix(const char *start, char *out, size_t size)
{
    size_t len;
    if (!strncmp(start, "http://", 7) || !strncmp(start, "https://", 8)) {
        len = (size_t)(authority_end(start) - start);
        if (len + 2 > size)
            return false;
        memcpy(out, start, len);
        out[len++] = '/';
    } else if (!strncmp(start, "file://", 7) || !strncmp(start, "object:", 7)) {
        /* the folder; never shorter than "object:" (object:index.html is
         * in the store's top folder: every object: URL), which would be
         * the empty prefix that allows everything */
        len = strcspn(start, "?#");
        while (len > 7 && start[len - 1] != '/')
            len--;
        if (len + 1 > size)
            return false;
        memcpy(out, start, len);
    } else {
        len = strlen(start);
        if (len + 1 > size)
            return false;
        memcpy(out, start, len);
    }
    out[len] = '\0';
    return true;
}

static bool prefix_matches(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(url, prefix, n) != 0)
        return false;
    /* A prefix that stops inside the authority must stop at its end. */
    const char *end = authority_end(prefix);
    if (end && !*end) {
        char next = url[n];
        return next == '\0' || next == '/' || next == ':' || next == '?' || next == '#';
    }
    return true;
}

bool kiosk_allowed(const char *url, const char *start, const char *const *prefixes, size_t n)
{
    if (!strcmp(url, start))
        return true;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(prefixes[i], "*") || prefix_matches(url, prefixes[i]))
            return true;
    return false;
}

uint64_t kiosk_backoff_ns(unsigned attempt, uint64_t max_ns)
{
    uint64_t ns = 1000000000ull;
    for (unsigned i = 1; i < attempt && ns < max_ns; i++)
        ns *= 2;
    return ns < max_ns ? ns : max_ns;
}

/* Appends text to the growing page, escaped for HTML when escape is set. */
struct page {
    char *p;
    size_t n, cap;
    bool failed;
};

static void put(struct page *pg, const char *text, bool escape)
{
    for (; *text; text++) {
        const char *s = NULL;
        char one[2] = {*text, 0};
        if (escape && *text == '<')
            s = "&lt;";
        else if (escape && *text == '>')
            s = "&gt;";
        else if (escape && *text == '&')
            s = "&amp;";
        else if (escape && *text == '"')
            s = "&quot;";
        else
            s = one;
        size_t l = strlen(s);
        if (pg->n + l + 1 > pg->cap) {
            size_t cap = pg->cap ? pg->cap * 2 : 1024;
            while (cap < pg->n + l + 1)
                cap *= 2;
            char *p = realloc(pg->p, cap);
            if (!p) {
                pg->failed = true;
                return;
            }
            pg->p = p;
            pg->cap = cap;
        }
        memcpy(pg->p + pg->n, s, l);
        pg->n += l;
        pg->p[pg->n] = '\0';
    }
}

static char *finish(struct page *pg)
{
    if (pg->failed) {
        free(pg->p);
        return NULL;
    }
    return pg->p;
}

/* One look for both pages: dark, large, centred; no images or fonts the
 * image might lack. */
static void head(struct page *pg, const char *title)
{
    put(pg, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>", false);
    put(pg, title, true);
    put(pg, "</title><style>body{background:#202830;color:#f0f0f0;font-family:sans-serif;"
            "margin:0;padding:12% 10%}h1{font-size:200%;color:#ffb347}p{font-size:130%}"
            ".small{font-size:100%;color:#b0b8c0;word-wrap:break-word}a{color:#8cc8ff}"
            "</style></head><body>", false);
}

char *kiosk_offline_html(const char *url, const char *reason, uint64_t retry_in_ns, unsigned attempt)
{
    struct page pg = {0};
    char line[96];
    head(&pg, "Offline");
    put(&pg, "<h1>This display is offline</h1><p>The page could not be loaded: ", false);
    put(&pg, reason, true);
    put(&pg, ".</p><p>", false);
    snprintf(line, sizeof line, "Trying again in %llu s (attempt %u).",
             (unsigned long long)((retry_in_ns + 999999999ull) / 1000000000ull), attempt);
    put(&pg, line, false);
    put(&pg, "</p><p class=\"small\">", false);
    put(&pg, url, true);
    put(&pg, "</p></body></html>", false);
    return finish(&pg);
}

char *kiosk_refused_html(const char *url, const char *back)
{
    struct page pg = {0};
    head(&pg, "Not available");
    put(&pg, "<h1>This page is not available here</h1><p>This display only shows its own pages.</p>"
             "<p class=\"small\">", false);
    put(&pg, url, true);
    put(&pg, "</p><p><a href=\"", false);
    put(&pg, back, true);
    put(&pg, "\">Back</a></p></body></html>", false);
    return finish(&pg);
}
