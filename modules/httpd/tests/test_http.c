/*
 * test_http.c - host tests of the HTTP request parser.
 *
 *   test_http [LLHTTP_CASES_DIR]
 *
 * 1. Every case of llhttp's request suite (index.tsv + cases/) is parsed
 *    whole and one byte at a time; the verdict must agree with llhttp's
 *    default (strict) verdict, and the two runs must give identical traces.
 *    HTTP_TEST_RAW=1 parses the files exactly as stored (see the CRLF note).
 * 2. Unit tests of limits, pipelining, chunked bodies, keep-alive, upgrades,
 *    pausing and error statuses.
 * Prints one line per failure and ends with "N passed, N failed".
 */
#include <dirent.h>
#include <stdbool.h>

#include "http_trace.h"

static unsigned passed, failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s: ", __func__, __LINE__, #cond);                                 \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            ok = false;                                                                            \
        }                                                                                          \
    } while (0)

static void result(bool ok)
{
    if (ok)
        passed++;
    else
        failed++;
}

/* ------------------------------------------------------------------ */
/* llhttp cases                                                        */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 3);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* value of "key": "..." in the meta JSON, or "" */
static void meta_str(const char *meta, const char *key, char *out, size_t outsz)
{
    const char *s = strstr(meta, key);
    size_t n = 0;
    out[0] = 0;
    if (!s)
        return;
    s = strchr(s + strlen(key), ':');
    if (!s)
        return;
    s = strchr(s, '"');
    if (!s)
        return;
    s++;
    while (*s && *s != '"' && n + 1 < outsz)
        out[n++] = *s++;
    out[n] = 0;
}

struct llhttp_stats {
    unsigned strict_total, strict_agree;
    unsigned lenient_total, lenient_agree;
    unsigned skipped, reconstructed;
};

static void run_llhttp_case(const char *dir, char **f, struct llhttp_stats *st)
{
    /* f: file, source, title, meta, expect, last_log_line */
    char path[4096], type[64], expect[64];
    const char *paren;
    size_t len;
    char *data;
    bool lenient, ok = true, finish_case, skip_body;
    long off = -1;
    int want_finish = -1;
    struct trace t1 = { 0 }, t2 = { 0 };
    struct run_result r1, r2;

    meta_str(f[3], "\"type\"", type, sizeof type);
    if (strncmp(type, "request", 7) != 0) {
        printf("SKIP %s: meta type '%s' is not a request\n", f[0], type);
        st->skipped++;
        return;
    }
    snprintf(path, sizeof path, "%s/cases/%s", dir, f[0]);
    data = read_file(path, &len);
    if (!data) {
        printf("FAIL %s: cannot read %s\n", f[0], path);
        failed++;
        return;
    }
    snprintf(expect, sizeof expect, "%s", f[4]);
    paren = strstr(expect, "(lenient-mode)");
    lenient = paren != NULL;
    if (paren)
        expect[paren - expect] = 0;
    finish_case = strcmp(type, "request-finish") == 0;
    skip_body = strstr(f[3], "\"skipBody\": true") != NULL;
    if (sscanf(f[5], "off=%ld", &off) != 1)
        off = -1;
    if (finish_case && strstr(f[5], "finish="))
        want_finish = atoi(strstr(f[5], "finish=") + 7);

    /* The extractor stripped trailing newlines with Python's re `\n$`,
     * which also matches before a final newline: blocks that ended with a
     * blank line lost one CRLF that llhttp did see.  The log proves it
     * when llhttp's last event lies past the end of the file, or is an
     * error at the file's end (llhttp reports an error at the offset of
     * the offending byte, so that byte existed).  A finish=0 case that
     * stops inside the head is the same artifact. */
    if (getenv("HTTP_TEST_RAW") == NULL &&
        ((off >= 0 && (size_t)off > len) ||
         (off >= 0 && (size_t)off == len && strstr(f[5], " error code=") &&
          !strstr(f[5], " error code=22 ")) ||
         (want_finish == 0 && !(len >= 4 && !memcmp(data + len - 4, "\r\n\r\n", 4))))) {
        memcpy(data + len, "\r\n", 2);
        len += 2;
        st->reconstructed++;
    }

    t1.skip_body = t2.skip_body = skip_body;
    r1 = run_split(NULL, (const uint8_t *)data, len, NULL, NULL, &t1);
    r2 = run_split(NULL, (const uint8_t *)data, len, step_one, NULL, &t2);

    if (r1.short_consume || r2.short_consume) {
        printf("FAIL %s: http_parse stopped early without a reason\n", f[0]);
        ok = false;
    }
    if (r1.error != r2.error || r1.error_offset != r2.error_offset || r1.consumed != r2.consumed ||
        r1.messages != r2.messages || t1.len != t2.len ||
        memcmp(t1.s ? t1.s : "", t2.s ? t2.s : "", t1.len)) {
        printf("FAIL %s: whole (%s @%zu, %u msgs) and byte-wise (%s @%zu, %u msgs) differ\n", f[0],
               http_error_name(r1.error), r1.error_offset, r1.messages, http_error_name(r2.error),
               r2.error_offset, r2.messages);
        ok = false;
    }
    if (finish_case && want_finish >= 0) {
        /* llhttp_finish: 0 safe, 2 unsafe (inside a message) */
        static char head[4096];
        static struct http_header h[32];
        struct http_parser p;
        enum http_error fe;
        http_parser_init(&p, NULL, head, sizeof head, h, 32);
        http_parse(&p, data, len, NULL, NULL);
        fe = http_finish(&p);
        if ((want_finish == 0) != (fe == HTTP_OK)) {
            printf("FAIL %s: http_finish gave %s, llhttp finish=%d\n", f[0], http_error_name(fe),
                   want_finish);
            ok = false;
        }
    }
    {
        const char *got = verdict_of(r1.error);
        bool agree = strcmp(got, expect) == 0;
        if (lenient) {
            st->lenient_total++;
            st->lenient_agree += agree;
            /* informational only: we implement no lenient flags */
        } else {
            st->strict_total++;
            st->strict_agree += agree && ok;
            if (!agree) {
                printf("FAIL %s: llhttp says %s, we say %s (%s at %zu) [%s]\n", f[0], expect, got,
                       http_error_name(r1.error), r1.error_offset, f[5]);
                ok = false;
            }
        }
    }
    if (!lenient || !ok)
        result(ok); /* lenient cases count only through split-invariance */
    else
        passed++;
    free(t1.s);
    free(t2.s);
    free(data);
}

static void run_llhttp_suite(const char *dir)
{
    char path[4096], line[8192];
    FILE *idx;
    struct llhttp_stats st = { 0 };

    snprintf(path, sizeof path, "%s/index.tsv", dir);
    idx = fopen(path, "r");
    if (!idx) {
        printf("llhttp cases: %s not found (expected ../shared/testdata "
               "next to the repository)\n",
               path);
        return;
    }
    if (!fgets(line, sizeof line, idx)) { /* header row */
        fclose(idx);
        return;
    }
    while (fgets(line, sizeof line, idx)) {
        char *f[6] = { 0 }, *s = line;
        int n = 0;
        line[strcspn(line, "\r\n")] = 0;
        while (n < 6) {
            f[n++] = s;
            s = strchr(s, '\t');
            if (!s)
                break;
            *s++ = 0;
        }
        if (n < 6) {
            printf("SKIP malformed index line: %.60s\n", line);
            st.skipped++;
            continue;
        }
        run_llhttp_case(dir, f, &st);
    }
    fclose(idx);
    printf("llhttp strict verdicts: %u/%u agree (whole and byte-at-a-time)\n", st.strict_agree,
           st.strict_total);
    printf("llhttp lenient-mode verdicts (informational, no lenient flags here): "
           "%u/%u agree\n",
           st.lenient_agree, st.lenient_total);
    printf("llhttp cases skipped: %u; inputs with the stripped final CRLF restored: %u\n",
           st.skipped, st.reconstructed);
}

/* ------------------------------------------------------------------ */
/* unit tests                                                          */

struct collect {
    unsigned msgs, chunks;
    char targets[8][64];
    char body[8][256];
    size_t body_len[8];
    bool keep_alive[8], upgrade[8];
    char ext[8][64];
    uint64_t chunk_size[8];
    size_t trailers[8];
    char trailer0[8][64];
    char hval[8][64]; /* value of header X */
    int pause_after;  /* pause on message_complete */
};

static int c_headers(void *ctx, const struct http_request *r)
{
    struct collect *c = ctx;
    const struct http_header *h = http_find_header(r, "x");
    if (c->msgs < 8) {
        snprintf(c->targets[c->msgs], 64, "%.*s", (int)r->target_len, r->target);
        if (h)
            snprintf(c->hval[c->msgs], 64, "%.*s", (int)h->value_len, h->value);
    }
    return HTTP_CB_OK;
}

static int c_chunk(void *ctx, uint64_t size, const char *ext, size_t n)
{
    struct collect *c = ctx;
    if (c->chunks < 8) {
        c->chunk_size[c->chunks] = size;
        snprintf(c->ext[c->chunks], 64, "%.*s", (int)n, ext);
    }
    c->chunks++;
    return HTTP_CB_OK;
}

static int c_body(void *ctx, const char *d, size_t n)
{
    struct collect *c = ctx;
    if (c->msgs < 8 && c->body_len[c->msgs] + n < 256) {
        memcpy(c->body[c->msgs] + c->body_len[c->msgs], d, n);
        c->body_len[c->msgs] += n;
    }
    return HTTP_CB_OK;
}

static int c_done(void *ctx, const struct http_request *r)
{
    struct collect *c = ctx;
    if (c->msgs < 8) {
        c->keep_alive[c->msgs] = r->keep_alive;
        c->upgrade[c->msgs] = r->upgrade;
        c->trailers[c->msgs] = r->trailer_count;
        if (r->trailer_count)
            snprintf(c->trailer0[c->msgs], 64, "%.*s=%.*s", (int)r->trailers[0].name_len,
                     r->trailers[0].name, (int)r->trailers[0].value_len, r->trailers[0].value);
    }
    c->msgs++;
    return c->pause_after ? HTTP_CB_PAUSE : HTTP_CB_OK;
}

static const struct http_callbacks ccb = { c_headers, c_chunk, c_body, c_done };

static char g_head[65536];
static struct http_header g_hdrs[128];

/* parse s (whole, or byte-wise), collecting; returns the parser's error */
static enum http_error parse_str(const struct http_limits *lim, const char *s, bool bytewise,
                                 struct collect *c, size_t *consumed)
{
    struct http_parser p;
    size_t len = strlen(s), off = 0;
    memset(c, 0, sizeof *c);
    http_parser_init(&p, lim, g_head, sizeof g_head, g_hdrs, 128);
    while (off < len) {
        size_t n = bytewise ? 1 : len - off;
        size_t used = http_parse(&p, s + off, n, &ccb, c);
        off += used;
        if (p.error != HTTP_OK)
            break;
    }
    if (consumed)
        *consumed = off;
    return p.error;
}

/* expect a status for s, whole and byte-wise */
static bool expect_status(const struct http_limits *lim, const char *s, int status,
                          const char *what)
{
    struct collect c;
    bool ok = true;
    int b;
    for (b = 0; b < 2; b++) {
        enum http_error e = parse_str(lim, s, b, &c, NULL);
        int got = http_error_status(e);
        if (got != status) {
            printf("FAIL %s (%s): want %d, got %d (%s)\n", what, b ? "byte-wise" : "whole", status,
                   got, http_error_name(e));
            ok = false;
        }
    }
    return ok;
}

static void t_status(void)
{
    static const struct {
        const char *req;
        int status;
        const char *what;
    } cases[] = {
        { "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "plain GET" },
        { "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF after request line" },
        { "GET / HTTP/1.1\r\nHost: a\n\r\n", 400, "bare LF after header" },
        { "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400, "bare CR in header" },
        { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "space before colon" },
        { "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400, "obs-fold" },
        { "GET / HTTP/1.1\r\nX(: a\r\n\r\n", 400, "separator in name" },
        { "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", 400, "control char in value" },
        { "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", 400, "DEL in value" },
        { "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na", 400,
          "duplicate CL" },
        { "POST / HTTP/1.1\r\nContent-Length: 1,1\r\n\r\na", 400, "CL list" },
        { "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "negative CL" },
        { "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413, "huge CL" },
        { "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
          "CL + TE" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400,
          "TE + CL" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "TE gzip only" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "chunked not last" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
          400, "chunked twice" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 0,
          "gzip, chunked (llhttp accepts)" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", 413,
          "chunk size over max_body" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n", 400, "chunk size not hex" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 400,
          "chunk too long" },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"x\r\n", 400,
          "unterminated quote" },
        { "FOO / HTTP/1.1\r\n\r\n", 501, "unknown method" },
        { "G@T / HTTP/1.1\r\n\r\n", 400, "invalid method char" },
        { "get / HTTP/1.1\r\n\r\n", 501, "lower-case method" },
        { "GET / HTTP/3.0\r\n\r\n", 505, "HTTP/3.0" },
        { "GET / HTTP/1.2\r\n\r\n", 505, "HTTP/1.2" },
        { "GET / HTTP/1.x\r\n\r\n", 400, "bad minor" },
        { "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "h2 preface" },
        { "GET /a b HTTP/1.1\r\n\r\n", 400, "space in target" },
        { "GET /\x80 HTTP/1.1\r\n\r\n", 400, "8-bit target" },
        { "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "space after start line" },
        { "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n", 400, "data after close" },
        { "GET / HTTP/1.0\r\n\r\n\r\n\r\n", 0, "CRLF after close" },
    };
    size_t i;
    struct http_limits unlimited = { .max_body = UINT64_MAX };
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        result(expect_status(NULL, cases[i].req, cases[i].status, cases[i].what));
    result(expect_status(&unlimited,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "fffffffffffffffff\r\n",
                         400, "chunk size overflow"));
    result(expect_status(&unlimited,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "ffffffffffffffff\r\n",
                         0, "chunk size 2^64-1 (incomplete)"));
    result(expect_status(&unlimited,
                         "POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", 400,
                         "CL overflow"));
    result(expect_status(&unlimited,
                         "POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n", 0,
                         "CL 2^64-1 (incomplete)"));
}

static void t_limits(void)
{
    struct http_limits lim = {
        .max_request_line = 32, .max_header_bytes = 64, .max_headers = 3, .max_body = 10
    };
    char big[256];
    bool ok = true;

    /* request line: "GET <target> HTTP/1.1" is 32 bytes with a 19-byte target */
    ok &= expect_status(&lim, "GET /234567890123456789 HTTP/1.1\r\n\r\n", 0, "line at limit");
    ok &= expect_status(&lim, "GET /2345678901234567890 HTTP/1.1\r\n\r\n", 414, "line over limit");
    ok &= expect_status(&lim, "GET /2345678901234567890123456789\r\n\r\n", 414,
                        "0.9 line over limit");
    result(ok);

    ok = true;
    /* header section: 25 + 37 bytes of fields + final CRLF = 64 */
    ok &= expect_status(
        &lim,
        "GET / HTTP/1.1\r\nA: 12345678901234567890\r\nB: 12345678901234567890123456789012\r\n\r\n",
        0, "headers at limit");
    ok &= expect_status(
        &lim,
        "GET / HTTP/1.1\r\nA: 12345678901234567890\r\nB: 123456789012345678901234567890123\r\n\r\n",
        431, "headers over limit");
    ok &= expect_status(&lim, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 0, "3 headers");
    ok &= expect_status(&lim, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431,
                        "4 headers");
    result(ok);

    ok = true;
    ok &= expect_status(&lim, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", 0,
                        "body at limit");
    ok &=
        expect_status(&lim, "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 413, "CL over limit");
    ok &= expect_status(
        &lim,
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
        0, "chunked at limit");
    ok &= expect_status(&lim,
                        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n6\r\n",
                        413, "chunked over limit");
    result(ok);

    /* trailers count against max_headers and max_header_bytes */
    ok = expect_status(
        &lim,
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nA: 1\r\n\r\n0\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\n",
        431, "too many trailers");
    result(ok);

    /* a tiny head buffer runs out before the limits */
    {
        struct http_parser p;
        char head[16];
        struct http_header h[4];
        const char *s = "GET /0123456789abcdef HTTP/1.1\r\n\r\n";
        ok = true;
        http_parser_init(&p, NULL, head, sizeof head, h, 4);
        http_parse(&p, s, strlen(s), NULL, NULL);
        CHECK(p.error == HTTP_ERR_URI_TOO_LONG, "%s", http_error_name(p.error));
        s = "GET / HTTP/1.1\r\nName: 0123456789abcdef\r\n\r\n";
        http_parser_init(&p, NULL, head, sizeof head, h, 4);
        http_parse(&p, s, strlen(s), NULL, NULL);
        CHECK(p.error == HTTP_ERR_HEADERS_TOO_LARGE, "%s", http_error_name(p.error));
        result(ok);
    }

    /* chunk extensions are bounded */
    memset(big, 0, sizeof big);
    strcpy(big, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    memset(big + strlen(big), 'e', 100);
    strcat(big, "\r\na\r\n0\r\n\r\n");
    lim.max_chunk_ext = 64;
    lim.max_header_bytes = 1000;
    lim.max_request_line = 1000;
    result(expect_status(&lim, big, 400, "chunk extension too long"));
    lim.max_chunk_ext = 200;
    result(expect_status(&lim, big, 0, "chunk extension within limit"));
}

static void t_pipelining(void)
{
    const char *s = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nAAA"
                    "GET /b HTTP/1.1\r\nX:  spaced value \t\r\n\r\n"
                    "\r\n" /* stray CRLF between requests is allowed */
                    "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nCC\r\n0\r\n\r\n"
                    "DELETE /d HTTP/1.1\r\nConnection: close\r\n\r\n";
    int b;
    for (b = 0; b < 2; b++) {
        struct collect c;
        size_t used;
        bool ok = true;
        enum http_error e = parse_str(NULL, s, b, &c, &used);
        CHECK(e == HTTP_OK, "%s", http_error_name(e));
        CHECK(used == strlen(s), "%zu", used);
        CHECK(c.msgs == 4, "%u", c.msgs);
        CHECK(!strcmp(c.targets[0], "/a") && !strcmp(c.targets[1], "/b") &&
                  !strcmp(c.targets[2], "/c") && !strcmp(c.targets[3], "/d"),
              "targets");
        CHECK(c.body_len[0] == 3 && !memcmp(c.body[0], "AAA", 3), "body 0");
        CHECK(c.body_len[1] == 0, "body 1");
        CHECK(c.body_len[2] == 2 && !memcmp(c.body[2], "CC", 2), "body 2");
        CHECK(!strcmp(c.hval[1], "spaced value"), "'%s'", c.hval[1]);
        CHECK(c.keep_alive[0] && c.keep_alive[1] && c.keep_alive[2] && !c.keep_alive[3], "ka");
        result(ok);
    }
}

static void t_chunked(void)
{
    const char *s = "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5;name=value;flag\r\nhello\r\n"
                    "6;q=\"a \\\"quoted\\\" ext\"\r\n world\r\n"
                    "0;last\r\n"
                    "Checksum: abc123\r\nExpires: never\r\n\r\n";
    int b;
    for (b = 0; b < 2; b++) {
        struct collect c;
        bool ok = true;
        enum http_error e = parse_str(NULL, s, b, &c, NULL);
        CHECK(e == HTTP_OK, "%s", http_error_name(e));
        CHECK(c.msgs == 1, "%u", c.msgs);
        CHECK(c.chunks == 3, "%u", c.chunks);
        CHECK(c.chunk_size[0] == 5 && c.chunk_size[1] == 6 && c.chunk_size[2] == 0, "sizes");
        CHECK(!strcmp(c.ext[0], ";name=value;flag"), "'%s'", c.ext[0]);
        CHECK(!strcmp(c.ext[1], ";q=\"a \\\"quoted\\\" ext\""), "'%s'", c.ext[1]);
        CHECK(!strcmp(c.ext[2], ";last"), "'%s'", c.ext[2]);
        CHECK(c.body_len[0] == 11 && !memcmp(c.body[0], "hello world", 11), "body");
        CHECK(c.trailers[0] == 2, "%zu", c.trailers[0]);
        CHECK(!strcmp(c.trailer0[0], "Checksum=abc123"), "'%s'", c.trailer0[0]);
        result(ok);
    }
    /* hex sizes in both cases, leading zeros */
    result(expect_status(NULL,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "0a\r\n0123456789\r\nA\r\n0123456789\r\n000\r\n\r\n",
                         0, "hex sizes"));
    result(expect_status(NULL,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "1 \r\na\r\n0\r\n\r\n",
                         400, "space after chunk size"));
    result(expect_status(NULL,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "1\r\na\r\n0\r\nContent-Length: 1\r\n\r\n",
                         400, "CL in trailers"));
}

static void t_keepalive(void)
{
    static const struct {
        const char *req;
        bool ka;
    } cases[] = {
        { "GET / HTTP/1.1\r\n\r\n", true },
        { "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false },
        { "GET / HTTP/1.1\r\nConnection: CLOSE \r\n\r\n", false },
        { "GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", false },
        { "GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", true },
        { "GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n", false },
        { "GET / HTTP/1.0\r\n\r\n", false },
        { "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true },
        { "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true },
        { "GET / HTTP/1.0\r\nProxy-Connection: keep-alive\r\n\r\n", true },
        { "GET /\r\n\r\n", false }, /* HTTP/0.9 */
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nConnection: close\r\n\r\n",
          false },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct collect c;
        bool ok = true;
        enum http_error e = parse_str(NULL, cases[i].req, false, &c, NULL);
        CHECK(e == HTTP_OK && c.msgs == 1, "%s: %s", cases[i].req, http_error_name(e));
        CHECK(c.keep_alive[0] == cases[i].ka, "%s", cases[i].req);
        result(ok);
    }
}

static void t_upgrade(void)
{
    const char *ws = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                     "Connection: keep-alive, Upgrade\r\n\r\n\x81\x05hello";
    const char *conn = "CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\nTLS..";
    const char *post = "POST / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: upgrade\r\n"
                       "Content-Length: 4\r\n\r\nbodyNEW";
    const char *noconn = "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n";
    int b;
    for (b = 0; b < 2; b++) {
        struct collect c;
        size_t used;
        bool ok = true;
        enum http_error e = parse_str(NULL, ws, b, &c, &used);
        CHECK(e == HTTP_PAUSED_UPGRADE && c.upgrade[0] && c.msgs == 1, "%s", http_error_name(e));
        CHECK(used == strlen(ws) - 7, "ws rest at %zu", used);
        e = parse_str(NULL, conn, b, &c, &used);
        CHECK(e == HTTP_PAUSED_UPGRADE && c.msgs == 1 && c.body_len[0] == 0, "%s",
              http_error_name(e));
        CHECK(!strcmp(c.targets[0], "example.com:443"), "'%s'", c.targets[0]);
        CHECK(used == strlen(conn) - 5, "connect rest at %zu", used);
        e = parse_str(NULL, post, b, &c, &used);
        CHECK(e == HTTP_PAUSED_UPGRADE && c.body_len[0] == 4, "%s", http_error_name(e));
        CHECK(used == strlen(post) - 3, "post rest at %zu", used);
        e = parse_str(NULL, noconn, b, &c, &used);
        CHECK(e == HTTP_OK && !c.upgrade[0], "Upgrade without Connection: upgrade");
        result(ok);
    }
}

static void t_pause_finish_options(void)
{
    const char *s = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n";
    struct http_parser p;
    struct collect c;
    size_t used;
    bool ok = true;

    memset(&c, 0, sizeof c);
    c.pause_after = 1;
    http_parser_init(&p, NULL, g_head, sizeof g_head, g_hdrs, 128);
    used = http_parse(&p, s, strlen(s), &ccb, &c);
    CHECK(p.error == HTTP_PAUSED && used == 19 && c.msgs == 1, "%s %zu", http_error_name(p.error),
          used);
    CHECK(http_parser_idle(&p), "idle after message");
    CHECK(http_parse(&p, s + used, strlen(s) - used, &ccb, &c) == 0, "no progress while paused");
    http_parser_resume(&p);
    used += http_parse(&p, s + used, strlen(s) - used, &ccb, &c);
    CHECK(p.error == HTTP_PAUSED && used == strlen(s) && c.msgs == 2, "second");
    CHECK(!strcmp(c.targets[1], "/2"), "'%s'", c.targets[1]);
    http_parser_resume(&p);
    CHECK(http_finish(&p) == HTTP_OK, "finish between requests");
    result(ok);

    ok = true;
    http_parser_init(&p, NULL, g_head, sizeof g_head, g_hdrs, 128);
    http_parse(&p, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 41, NULL, NULL);
    CHECK(p.error == HTTP_OK && !http_parser_idle(&p), "mid body");
    CHECK(http_finish(&p) == HTTP_ERR_INCOMPLETE, "finish mid body");
    result(ok);

    {
        struct http_limits lim = { .options = HTTP_OPT_ONLY_CHUNKED };
        result(expect_status(&lim, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                             501, "HTTP_OPT_ONLY_CHUNKED"));
        result(expect_status(&lim, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                             0, "HTTP_OPT_ONLY_CHUNKED plain chunked"));
    }

    /* request fields */
    ok = true;
    {
        const char *r = "OPTIONS * HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Empty2: \t \r\n\r\n";
        const struct http_header *h;
        http_parser_init(&p, NULL, g_head, sizeof g_head, g_hdrs, 128);
        http_parse(&p, r, strlen(r), NULL, NULL);
        CHECK(p.error == HTTP_OK && p.messages == 1, "%s", http_error_name(p.error));
        CHECK(p.req.method == HTTP_OPTIONS && !strcmp(p.req.method_name, "OPTIONS"), "method");
        CHECK(p.req.target_len == 1 && p.req.target[0] == '*', "target");
        CHECK(p.req.version_major == 1 && p.req.version_minor == 1, "version");
        CHECK(p.req.header_count == 3, "%zu", p.req.header_count);
        h = http_find_header(&p.req, "HOST");
        CHECK(h && h->value_len == 1 && h->value[0] == 'h', "host");
        h = http_find_header(&p.req, "x-empty2");
        CHECK(h && h->value_len == 0, "empty value");
        CHECK(http_find_header(&p.req, "missing") == NULL, "missing");
    }
    result(ok);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        run_llhttp_suite(argv[1]);
    else
        printf("SKIP llhttp cases: no directory given\n");
    t_status();
    t_limits();
    t_pipelining();
    t_chunked();
    t_keepalive();
    t_upgrade();
    t_pause_finish_options();
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
