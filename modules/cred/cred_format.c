/*
 * The text formats credentials arrive in, parsed without I/O for the host
 * tests and the fuzzer: OpenSSH's private key file (openssh-key-v1, the
 * PROTOCOL.key of OpenSSH) and authorized_keys lines (sshd(8)
 * "AUTHORIZED_KEYS FILE FORMAT"), and a hidden line typed at the console.
 * All of it is untrusted: every length is checked against what is left.
 */
#include <anx/base64.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include "cred.h"

/* Wipe that the compiler keeps (the bytes are dead afterwards). */
static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

/* ---- SSH wire strings (RFC 4251: u32 length, bytes) ---------------------- */

struct reader {
    const uint8_t *p;
    size_t left;
};

static int read_u32(struct reader *r, uint32_t *v)
{
    if (r->left < 4)
        return -1;
    *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    r->left -= 4;
    return 0;
}

static int read_string(struct reader *r, const uint8_t **s, uint32_t *len)
{
    if (read_u32(r, len) || *len > r->left)
        return -1;
    *s = r->p;
    r->p += *len;
    r->left -= *len;
    return 0;
}

static bool string_is(const uint8_t *s, uint32_t len, const char *want)
{
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* The public key of an "ssh-ed25519" key blob: string type, string pk. */
static int ed25519_blob(const uint8_t *blob, size_t len, const uint8_t **pk)
{
    struct reader r = {blob, len};
    const uint8_t *t;
    uint32_t tl, kl;
    if (read_string(&r, &t, &tl) || !string_is(t, tl, "ssh-ed25519") || read_string(&r, pk, &kl) || kl != 32 ||
        r.left)
        return -1;
    return 0;
}

/* ---- OpenSSH private key -------------------------------------------------- */

#define PEM_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define PEM_END "-----END OPENSSH PRIVATE KEY-----"
#define MAGIC "openssh-key-v1"

static const char *find(const char *h, size_t hl, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= hl; i++)
        if (memcmp(h + i, needle, nl) == 0)
            return h + i;
    return NULL;
}

/* The private section: check ints, then one key: type, pk, sk (seed||pk). */
static int private_section(struct reader *r, uint8_t sk[64])
{
    uint32_t c1, c2, tl, pl, sl;
    const uint8_t *t, *pk, *s;
    if (read_u32(r, &c1) || read_u32(r, &c2) || c1 != c2)
        return -1;
    if (read_string(r, &t, &tl) || !string_is(t, tl, "ssh-ed25519"))
        return -1;
    if (read_string(r, &pk, &pl) || pl != 32 || read_string(r, &s, &sl) || sl != 64)
        return -1;
    if (memcmp(s + 32, pk, 32) != 0)   /* the secret key ends in its public one */
        return -1;
    memcpy(sk, s, 64);
    return 0;
}

int cred_openssh_ed25519(const uint8_t *text, size_t len, uint8_t sk[64])
{
    const char *t = (const char *)text;
    const char *b = find(t, len, PEM_BEGIN);
    if (!b)
        return ANX_EINVAL;
    b += strlen(PEM_BEGIN);
    const char *e = find(b, len - (size_t)(b - t), PEM_END);
    if (!e)
        return ANX_EINVAL;
    size_t cap = (size_t)(e - b) / 4 * 3 + 3;
    uint8_t *bin = anx_malloc(cap);
    if (!bin)
        return ANX_ENOMEM;
    long n = anx_base64_decode(b, (size_t)(e - b), bin, cap, ANX_BASE64_LOOSE);
    int err = ANX_EINVAL;
    struct reader r = {bin, n < 0 ? 0 : (size_t)n};
    const uint8_t *s, *priv;
    uint32_t sl, nkeys, privl;
    if (n >= (long)sizeof MAGIC && memcmp(bin, MAGIC, sizeof MAGIC) == 0) {   /* with its NUL */
        r.p += sizeof MAGIC;
        r.left -= sizeof MAGIC;
        if (!read_string(&r, &s, &sl) && string_is(s, sl, "none") &&       /* cipher: not encrypted */
            !read_string(&r, &s, &sl) && string_is(s, sl, "none") &&       /* kdf */
            !read_string(&r, &s, &sl) && !read_u32(&r, &nkeys) && nkeys == 1 &&
            !read_string(&r, &s, &sl) && !read_string(&r, &priv, &privl)) {
            const uint8_t *pk;
            struct reader pr = {priv, privl};
            if (ed25519_blob(s, sl, &pk) == 0 && private_section(&pr, sk) == 0) {
                if (memcmp(pk, sk + 32, 32) == 0)
                    err = 0;
                else
                    wipe(sk, 64);
            }
        }
    }
    wipe(bin, cap);
    anx_free(bin);
    return err;
}

/* ---- authorized_keys -------------------------------------------------------- */

/* The next field of a line: runs of non-blank bytes, where a double-quoted
 * part may hold blanks (options like command="a b"). */
static size_t field(const char *s, size_t len, size_t *start)
{
    size_t i = *start;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    *start = i;
    bool quoted = false;
    for (; i < len; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == '\\' && quoted && i + 1 < len)
            i++;
        else if (!quoted && (s[i] == ' ' || s[i] == '\t'))
            break;
    }
    return i - *start;
}

/* The value of the scopes="..." option in an options field (o, n bytes:
 * comma-separated, values double-quoted) into out, "" without one. A value
 * that does not fit is cut after its last whole scope. */
static void scopes_option(const char *o, size_t n, char *out, size_t cap)
{
    out[0] = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        bool quoted = false;
        while (e < n && (quoted || o[e] != ',')) {
            if (o[e] == '"')
                quoted = !quoted;
            e++;
        }
        if (e - i > 8 && memcmp(o + i, "scopes=\"", 8) == 0 && o[e - 1] == '"') {
            size_t vl = e - i - 9;
            if (vl >= cap) {
                vl = cap - 1;
                while (vl && o[i + 8 + vl] != ',')
                    vl--;
            }
            memcpy(out, o + i + 8, vl);
            out[vl] = 0;
            if (!vl)   /* "" would mean every scope: one scope too long for out grants none */
                strlcpy(out, "none", cap);
            return;
        }
        i = e + 1;
    }
}

/* One line: "[options] ssh-ed25519 BASE64 [comment]". */
static int line_has(const char *s, size_t len, const uint8_t pk[32], char *scopes, size_t cap)
{
    size_t at = 0, opts = 0, optlen = 0;
    for (int f = 0; f < 2; f++) {   /* the type is the first or the second field */
        size_t n = field(s, len, &at);
        if (!n || s[at] == '#')
            return 0;
        if (n == 11 && memcmp(s + at, "ssh-ed25519", 11) == 0) {
            size_t bs = at + n, bl = field(s, len, &bs);
            uint8_t blob[64];
            long got = bl && bl <= 88 ? anx_base64_decode(s + bs, bl, blob, sizeof blob, ANX_BASE64_LOOSE) : -1;
            const uint8_t *key;
            if (!(got > 0 && ed25519_blob(blob, (size_t)got, &key) == 0 && memcmp(key, pk, 32) == 0))
                return 0;
            if (scopes && cap)
                scopes_option(s + opts, optlen, scopes, cap);
            return 1;
        }
        opts = at;
        optlen = n;
        at += n;
    }
    return 0;
}

int cred_authorized_keys_has(const char *text, size_t len, const uint8_t pk[32], char *scopes, size_t n)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t l = e - i;
        if (l && text[i + l - 1] == '\r')
            l--;
        if (line_has(text + i, l, pk, scopes, n))
            return 1;
        i = e + 1;
    }
    return 0;
}

/* ---- a hidden line ------------------------------------------------------------- */

int cred_read_hidden(int (*getc_fn)(void *), void *arg, char *buf, size_t n, size_t *len)
{
    size_t at = 0;
    int err = 0;
    for (;;) {
        int c = getc_fn(arg);
        if (c < 0 || c == 3 || c == 4) {            /* end of input, Ctrl-C, Ctrl-D */
            err = ANX_EAGAIN;
            break;
        }
        if (c == '\r' || c == '\n')
            break;
        if (c == 8 || c == 127) {                   /* Backspace, Delete */
            if (at)
                buf[--at] = 0;
            continue;
        }
        if (c == 21) {                              /* Ctrl-U */
            wipe(buf, at);
            at = 0;
            continue;
        }
        if (c < 32)
            continue;                               /* other control keys: ignored */
        if (at + 1 >= n) {
            err = ANX_ERANGE;
            break;
        }
        buf[at++] = (char)c;
    }
    if (err) {
        wipe(buf, n);
        return err;
    }
    buf[at] = 0;
    *len = at;
    return 0;
}
