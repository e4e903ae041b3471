/*
 * json_constrain.c - the JSON state machine, the choice constraint and the
 * logit mask of constrained generation (json_constrain.h says what subset
 * of JSON it writes and why).
 */
#include "json_constrain.h"
#include <anx/errno.h>
#include <anx/mem.h>

enum {
    S_TOP,       /* before the top object: only '{' */
    S_VALUE,     /* a value */
    S_ARR_FIRST, /* after '[': a value or ']' */
    S_OBJ_FIRST, /* after '{': a key or '}' */
    S_OBJ_KEY,   /* after ',' in an object: a key */
    S_COLON,     /* after a key */
    S_STR,       /* in a string */
    S_ESC,       /* after a backslash */
    S_LIT,       /* in true/false/null */
    S_NUM_MINUS,
    S_NUM_ZERO,
    S_NUM_INT,
    S_NUM_DOT,
    S_NUM_FRAC,
    S_NUM_E,
    S_NUM_ESIGN,
    S_NUM_EXP,
    S_AFTER, /* after a value in a container: ',' or its closer */
    S_DONE,
};

static const char *const literals[3] = { "true", "false", "null" };
#define NUM_DIGITS 15
#define EXP_DIGITS 2

void oa_jsm_init(struct oa_jsm *m)
{
    memset(m, 0, sizeof(*m));
    m->st = S_TOP;
}

static bool key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > OA_JSM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)k[i] < 0x20 || (uint8_t)k[i] >= 0x7f || k[i] == '"' || k[i] == '\\')
            return false;
    return true;
}

void oa_jsm_keys(struct oa_jsm *m, const char *const *keys, int n)
{
    m->keys = NULL;
    m->nkeys = 0;
    for (int i = 0; i < n; i++)
        if (!key_ok(keys[i]))
            return; /* the caller filters; a bad one means: any key */
    if (n > 0 && n <= 32) {
        m->keys = keys;
        m->nkeys = (uint8_t)n;
    }
}

/* In a key of the top object whose keys are fixed. */
static bool fixed_key(const struct oa_jsm *m)
{
    return m->keys && m->key && m->depth == 1;
}

/* The first key not used yet that the key written so far plus c is a
 * prefix of (c = 0: that it is), or -1. */
static int key_match(const struct oa_jsm *m, uint8_t c)
{
    for (int i = 0; i < m->nkeys; i++) {
        const char *k = m->keys[i];
        if ((m->used >> i) & 1 || strncmp(k, m->kb, m->klen) || strlen(k) < m->klen)
            continue;
        if (c == 0 ? k[m->klen] == 0 : k[m->klen] == (char)c)
            return i;
    }
    return -1;
}

static bool key_prefix(const struct oa_jsm *m, uint8_t c)
{
    return key_match(m, c) >= 0;
}

bool oa_jsm_done(const struct oa_jsm *m)
{
    return m->st == S_DONE;
}

static void after_value(struct oa_jsm *m)
{
    m->st = m->depth ? S_AFTER : S_DONE;
}

static bool push(struct oa_jsm *m, char c)
{
    if (m->depth >= OA_JSM_DEPTH)
        return false;
    m->stack[m->depth++] = c;
    m->st = c == '{' ? S_OBJ_FIRST : S_ARR_FIRST;
    return true;
}

static bool digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* A value starting with c (state S_VALUE or S_ARR_FIRST). */
static bool value_start(struct oa_jsm *m, uint8_t c)
{
    switch (c) {
    case '{':
    case '[': return push(m, (char)c);
    case '"':
        m->st = S_STR;
        m->key = false;
        return true;
    case '-': m->st = S_NUM_MINUS; return true;
    case '0': m->st = S_NUM_ZERO; return true;
    case 't':
    case 'f':
    case 'n':
        m->st = S_LIT;
        m->lit = c == 't' ? 0 : c == 'f' ? 1 : 2;
        m->pos = 1;
        return true;
    default:
        if (c >= '1' && c <= '9') {
            m->st = S_NUM_INT;
            m->lit = 1;
            return true;
        }
        return false;
    }
}

static bool ws_ok(struct oa_jsm *m)
{
    if (m->ws)
        return false;
    m->ws = 1;
    return true;
}

static bool feed(struct oa_jsm *m, uint8_t c)
{
    switch (m->st) {
    case S_TOP: return c == '{' && push(m, '{');
    case S_VALUE: return c == ' ' ? ws_ok(m) : value_start(m, c);
    case S_ARR_FIRST:
        if (c == ']') {
            m->depth--;
            after_value(m);
            return true;
        }
        return c == ' ' ? ws_ok(m) : value_start(m, c);
    case S_OBJ_FIRST:
    case S_OBJ_KEY:
        if (c == '}' && m->st == S_OBJ_FIRST) {
            m->depth--;
            after_value(m);
            return true;
        }
        if (c == '"') {
            m->st = S_STR;
            m->key = true;
            m->klen = 0;
            return true;
        }
        return c == ' ' && ws_ok(m);
    case S_COLON:
        if (c == ':') {
            m->st = S_VALUE;
            return true;
        }
        return c == ' ' && ws_ok(m);
    case S_STR:
        if (fixed_key(m)) {
            if (!key_prefix(m, c == '"' ? 0 : c))
                return false;
            if (c != '"') {
                m->kb[m->klen++] = (char)c;
                return true;
            }
            m->used |= 1u << key_match(m, 0);
        }
        if (c == '"') {
            if (m->key)
                m->st = S_COLON;
            else
                after_value(m);
            return true;
        }
        if (c == '\\') {
            m->st = S_ESC;
            return true;
        }
        return c >= 0x20 && c < 0x7f;
    case S_ESC:
        if (!c || !strchr("\"\\/bfnrt", c))
            return false;
        m->st = S_STR;
        return true;
    case S_LIT: {
        const char *l = literals[m->lit];
        if (c != (uint8_t)l[m->pos])
            return false;
        if (!l[++m->pos])
            after_value(m);
        return true;
    }
    case S_NUM_MINUS:
        if (c == '0') {
            m->st = S_NUM_ZERO;
            return true;
        }
        if (digit(c)) {
            m->st = S_NUM_INT;
            m->lit = 1;
            return true;
        }
        return false;
    case S_NUM_DOT:
        if (!digit(c))
            return false;
        m->st = S_NUM_FRAC;
        m->lit = 1;
        return true;
    case S_NUM_E:
        if (c == '+' || c == '-') {
            m->st = S_NUM_ESIGN;
            return true;
        }
        /* fall through */
    case S_NUM_ESIGN:
        if (!digit(c))
            return false;
        m->st = S_NUM_EXP;
        m->lit = 1;
        return true;
    case S_NUM_ZERO:
    case S_NUM_INT:
    case S_NUM_FRAC:
    case S_NUM_EXP:
        if (digit(c) && m->st != S_NUM_ZERO) {
            if (m->lit >= (m->st == S_NUM_EXP ? EXP_DIGITS : NUM_DIGITS))
                return false;
            m->lit++;
            return true;
        }
        if (c == '.' && (m->st == S_NUM_ZERO || m->st == S_NUM_INT)) {
            m->st = S_NUM_DOT;
            return true;
        }
        if ((c == 'e' || c == 'E') && m->st != S_NUM_EXP) {
            m->st = S_NUM_E;
            return true;
        }
        after_value(m); /* the number ended: c belongs to what follows */
        return feed(m, c);
    case S_AFTER: {
        char top = m->stack[m->depth - 1];
        if (c == ',') {
            if (m->keys && m->depth == 1 &&
                m->used == (m->nkeys == 32 ? ~0u : (1u << m->nkeys) - 1))
                return false; /* every key is there: only the close */
            m->st = top == '{' ? S_OBJ_KEY : S_VALUE;
            return true;
        }
        if ((c == '}' && top == '{') || (c == ']' && top == '[')) {
            m->depth--;
            after_value(m);
            return true;
        }
        return c == ' ' && ws_ok(m);
    }
    default: return false;
    }
}

bool oa_jsm_feed(struct oa_jsm *m, uint8_t c)
{
    struct oa_jsm t = *m;
    if (!feed(&t, c))
        return false;
    if (c != ' ')
        t.ws = 0;
    *m = t;
    return true;
}

bool oa_jsm_token_ok(const struct oa_jsm *m, const char *s, size_t n)
{
    if (n == 0)
        return false;
    struct oa_jsm t = *m;
    for (size_t i = 0; i < n; i++)
        if (!oa_jsm_feed(&t, (uint8_t)s[i]))
            return false;
    return true;
}

/* The next byte of the shortest completion from m. */
static char close_byte(const struct oa_jsm *m)
{
    char closer = m->depth && m->stack[m->depth - 1] == '[' ? ']' : '}';
    switch (m->st) {
    case S_TOP: return '{';
    case S_VALUE: return 'n'; /* null */
    case S_ARR_FIRST: return ']';
    case S_OBJ_FIRST: return '}';
    case S_OBJ_KEY: return '"'; /* "": null */
    case S_COLON: return ':';
    case S_STR:
        if (fixed_key(m) && !key_prefix(m, 0))
            for (int i = 0; i < m->nkeys; i++) /* the rest of the first key that fits */
                if (!((m->used >> i) & 1) && !strncmp(m->keys[i], m->kb, m->klen) &&
                    strlen(m->keys[i]) > m->klen)
                    return m->keys[i][m->klen];
        return '"';
    case S_ESC: return 'n';
    case S_LIT: return literals[m->lit][m->pos];
    case S_NUM_MINUS:
    case S_NUM_DOT:
    case S_NUM_E:
    case S_NUM_ESIGN: return '0';
    default: return closer; /* a complete number, or S_AFTER */
    }
}

size_t oa_jsm_close(const struct oa_jsm *m, char *out, size_t cap)
{
    struct oa_jsm t = *m;
    size_t n = 0;
    while (t.st != S_DONE && n + 1 < cap) {
        char c = close_byte(&t);
        if (!oa_jsm_feed(&t, (uint8_t)c))
            break; /* cannot happen: each state takes its byte */
        out[n++] = c;
    }
    if (cap)
        out[n] = 0;
    return n;
}

/* ---- one of a set of strings --------------------------------------------------------------- */

void oa_choice_init(struct oa_choice *c, const char *const *opts, int n)
{
    memset(c, 0, sizeof(*c));
    c->opts = opts;
    c->n = n;
}

bool oa_choice_token_ok(const struct oa_choice *c, const char *s, size_t n)
{
    if (n == 0 || c->len + n >= sizeof(c->got))
        return false;
    for (int i = 0; i < c->n; i++) {
        size_t ol = strlen(c->opts[i]);
        if (c->len + n <= ol && !memcmp(c->opts[i], c->got, c->len) &&
            !memcmp(c->opts[i] + c->len, s, n))
            return true;
    }
    return false;
}

void oa_choice_feed(struct oa_choice *c, const char *s, size_t n)
{
    if (c->len + n < sizeof(c->got)) {
        memcpy(c->got + c->len, s, n);
        c->len += n;
    }
}

int oa_choice_done(const struct oa_choice *c)
{
    for (int i = 0; i < c->n; i++)
        if (strlen(c->opts[i]) == c->len && !memcmp(c->opts[i], c->got, c->len))
            return i;
    return -1;
}

/* ---- the mask ------------------------------------------------------------------------------ */

int oa_vocab_init(struct oa_vocab *v, int n,
                  size_t (*piece)(void *arg, int i, char *buf, size_t cap), void *arg)
{
    memset(v, 0, sizeof(*v));
    v->piece = anx_calloc((size_t)n, sizeof(char *));
    v->len = anx_calloc((size_t)n, sizeof(size_t));
    if (!v->piece || !v->len)
        goto oom;
    v->n = n;
    /* one block for every token's text: lengths first, then the text */
    char buf[2 * 4096 + 8];
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += v->len[i] = piece(arg, i, buf, sizeof(buf));
    if (!(v->text = anx_malloc(total + 1)))
        goto oom;
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        size_t l = piece(arg, i, buf, sizeof(buf));
        if (l != v->len[i])
            l = v->len[i] = 0; /* cannot happen: the same token twice */
        v->piece[i] = v->text + off;
        memcpy(v->piece[i], buf, l);
        off += l;
    }
    return 0;
oom:
    oa_vocab_free(v);
    return ANX_ENOMEM;
}

void oa_vocab_free(struct oa_vocab *v)
{
    anx_free(v->text);
    anx_free(v->piece);
    anx_free(v->len);
    memset(v, 0, sizeof(*v));
}

int oa_mask_logits(const struct oa_vocab *v, const struct oa_jsm *m, const struct oa_choice *c,
                   float *logits)
{
    int allowed = 0;
    for (int i = 0; i < v->n; i++) {
        bool ok = m ? oa_jsm_token_ok(m, v->piece[i], v->len[i])
                    : oa_choice_token_ok(c, v->piece[i], v->len[i]);
        if (ok)
            allowed++;
        else
            logits[i] = -1e30f; /* exp() of it is 0 after softmax at any temperature */
    }
    return allowed;
}
