/* testlib.c - helpers of the ssh module's host tests (testlib.h). */
#include "testlib.h"
#include "crypto.h"
#include <stdlib.h>
#include <string.h>

int t_pass, t_fail, t_cur_fail;
const char *t_cur = "";

void t_begin(const char *name)
{
    t_cur = name;
    t_cur_fail = 0;
}

void t_end(void)
{
    if (t_cur_fail) {
        t_fail++;
        printf("FAIL %s\n", t_cur);
    } else {
        t_pass++;
        printf("ok   %s\n", t_cur);
    }
    fflush(stdout);
}

int t_done(void)
{
    printf("%d passed, %d failed\n", t_pass, t_fail);
    return t_fail ? 1 : 0;
}

char *t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            s = realloc(s, cap *= 2);
        size_t got = fread(s + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    s[n] = 0;
    if (len)
        *len = n;
    return s;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t t_unhex(const char *hex, size_t n, uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        out[k++] = (uint8_t)(hexval(hex[i]) << 4 | hexval(hex[i + 1]));
    return k;
}

static const char *value_of(const char *from, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(from, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return p;
}

char *t_json_str(const char *from, const char *key)
{
    const char *p = value_of(from, key);
    if (!p || *p != '"')
        return NULL;
    const char *e = strchr(p + 1, '"');
    return strndup(p + 1, (size_t)(e - p - 1));
}

uint8_t *t_json_hex(const char *from, const char *key, size_t *len)
{
    char *s = t_json_str(from, key);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    uint8_t *b = malloc(n / 2 + 1);
    *len = t_unhex(s, n, b);
    free(s);
    return b;
}

long t_json_int(const char *from, const char *key)
{
    const char *p = value_of(from, key);
    return p ? strtol(p, NULL, 10) : -1;
}

static void append(uint8_t **buf, size_t *len, const uint8_t *p, size_t n)
{
    *buf = realloc(*buf, *len + n + 1);
    memcpy(*buf + *len, p, n);
    *len += n;
}

bool t_recording_load(const char *path, struct t_recording *r)
{
    char *s = t_read_file(path, NULL);
    if (!s)
        return false;
    memset(r, 0, sizeof *r);
    int dir = -1; /* 0 client to server, 1 server to client */
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, ">>> Flow", 8) == 0) {
            dir = strstr(line, "(client to server)") ? 0 : strstr(line, "(server to client)") ? 1 : -1;
            continue;
        }
        if (dir < 0 || strlen(line) < 10)
            continue;
        uint8_t bytes[16];
        size_t n = 0;
        /* hex pairs between the offset and the |ascii| column */
        for (char *p = line + 8; *p && *p != '|' && n < 16; p++) {
            if (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
                bytes[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
                p++;
            }
        }
        if (dir == 0)
            append(&r->c2s, &r->c2s_len, bytes, n);
        else
            append(&r->s2c, &r->s2c_len, bytes, n);
    }
    free(s);
    return r->c2s_len > 0 && r->s2c_len > 0;
}

void t_random(void *ctx, uint8_t *buf, size_t n)
{
    static uint64_t counter;
    static const uint8_t key[32] = {42};
    uint8_t nonce[8];
    (void)ctx;
    memcpy(nonce, &counter, 8);
    counter++;
    crypto_stream_chacha20(buf, n, nonce, key);
}
