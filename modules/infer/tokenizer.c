/*
 * Tokenizers: SentencePiece-style BPE by scores (llama2.c's tokenizer.bin
 * and GGUF "llama") and byte-level BPE by merge ranks (GGUF "gpt2").
 *
 * SPM encoding, as llama2.c does it: BOS, then (for non-empty text) the
 * dummy prefix " ", then one token per UTF-8 character (its bytes as
 * <0xXX> tokens when the character is not in the vocabulary), then
 * repeatedly merge the adjacent pair whose concatenation is a token with
 * the highest score (the leftmost on ties) until no pair merges.
 */
#include "infer.h"

static const struct inf_tokenizer *sort_ctx;

static int cmp_piece(const void *a, const void *b)
{
    return strcmp(sort_ctx->vocab[*(const int *)a], sort_ctx->vocab[*(const int *)b]);
}

int inf_token_lookup(const struct inf_tokenizer *t, const char *s, size_t len)
{
    int lo = 0, hi = t->vocab_size - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, id = t->sorted[mid];
        const char *v = t->vocab[id];
        int c = strncmp(v, s, len);
        if (c == 0)
            c = v[len] ? 1 : 0;          /* v longer than s */
        if (c == 0)
            return id;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static int merge_rank(const struct inf_tokenizer *t, const char *a, size_t la, const char *b,
                      size_t lb)
{
    char key[512];
    if (!t->merge_cap || la + lb + 2 > sizeof(key))
        return -1;
    memcpy(key, a, la);
    key[la] = ' ';
    memcpy(key + la + 1, b, lb);
    size_t n = la + lb + 1;
    key[n] = 0;
    for (uint32_t h = fnv(key, n) & (uint32_t)(t->merge_cap - 1);; h = (h + 1) & (uint32_t)(t->merge_cap - 1)) {
        int i = t->merge_hash[h];
        if (i < 0)
            return -1;
        if (strcmp(t->merges[i], key) == 0)
            return i;
    }
}

/* GPT-2's byte <-> symbol map: printable bytes stand for themselves, the
 * rest map to U+0100 + k in order. Returns the code point of byte b. */
static unsigned gpt2_symbol(unsigned b)
{
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))
        return b;
    unsigned k = 0;
    for (unsigned c = 0; c < b; c++)
        if (!((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255)))
            k++;
    return 256 + k;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    o[0] = (char)(0xc0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3f));
    return 2;                            /* cp < 0x800 here */
}

static int finish_init(struct inf_tokenizer *t, char *err)
{
    t->sorted = anx_malloc((size_t)t->vocab_size * sizeof(int));
    if (!t->sorted)
        return inf_oom(err, NULL, "the vocabulary's index", (size_t)t->vocab_size * sizeof(int));
    for (int i = 0; i < t->vocab_size; i++)
        t->sorted[i] = i;
    sort_ctx = t;
    qsort(t->sorted, (size_t)t->vocab_size, sizeof(int), cmp_piece);
    for (int b = 0; b < 256; b++) {
        char s[8];
        if (t->type == INF_TOK_SPM) {
            snprintf(s, sizeof(s), "<0x%02X>", b);
            t->byte_id[b] = inf_token_lookup(t, s, 6);
        } else {
            size_t n = put_utf8(s, gpt2_symbol((unsigned)b));
            t->byte_id[b] = inf_token_lookup(t, s, n);
        }
    }
    return 0;
}

void inf_tokenizer_free(struct inf_tokenizer *t)
{
    if (t->vocab)
        for (int i = 0; i < t->vocab_size; i++)
            anx_free(t->vocab[i]);
    if (t->merges)
        for (int i = 0; i < t->n_merges; i++)
            anx_free(t->merges[i]);
    anx_free(t->vocab);
    anx_free(t->scores);
    anx_free(t->sorted);
    anx_free(t->merges);
    anx_free(t->merge_hash);
    memset(t, 0, sizeof(*t));
}

static char *copy_piece(const char *s, size_t n, bool spm)
{
    char *p = anx_malloc(n + 1);
    if (!p)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        /* SPM: U+2581 (e2 96 81), the visible space, becomes ' ' as in llama2.c */
        if (spm && i + 2 < n + 0 && (uint8_t)s[i] == 0xe2 && (uint8_t)s[i + 1] == 0x96 &&
            (uint8_t)s[i + 2] == 0x81) {
            p[o++] = ' ';
            i += 2;
        } else {
            p[o++] = s[i];
        }
    }
    p[o] = 0;
    return p;
}

int inf_tokenizer_init(struct inf_tokenizer *t, enum inf_tok_type type, int n,
                       const char *const *tokens, const int *lens, const float *scores,
                       int n_merges, const char *const *merges, const int *merge_lens,
                       int bos, int eos, char *err)
{
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->bos = bos;
    t->eos = eos;
    t->add_space_prefix = type == INF_TOK_SPM;
    if (n <= 0) {
        snprintf(err, INF_ERR_MAX, "empty vocabulary");
        return -1;
    }
    size_t want = (size_t)n * (sizeof(char *) + sizeof(float));   /* of the allocation that failed */
    t->vocab = anx_calloc((size_t)n, sizeof(char *));
    t->scores = anx_calloc((size_t)n, sizeof(float));
    if (!t->vocab || !t->scores)
        goto oom;
    t->vocab_size = n;
    for (int i = 0; i < n; i++) {
        want = (size_t)lens[i] + 1;
        if (!(t->vocab[i] = copy_piece(tokens[i], (size_t)lens[i], type == INF_TOK_SPM)))
            goto oom;
        int l = (int)strlen(t->vocab[i]);
        t->max_token_length = l > t->max_token_length ? l : t->max_token_length;
        t->scores[i] = scores ? scores[i] : 0.0f;
    }
    if (n_merges > 0) {
        t->merges = anx_calloc((size_t)n_merges, sizeof(char *));
        int cap = 16;
        while (cap < 2 * n_merges)
            cap *= 2;
        t->merge_hash = anx_malloc((size_t)cap * sizeof(int));
        want = (size_t)n_merges * sizeof(char *) + (size_t)cap * sizeof(int);
        if (!t->merges || !t->merge_hash)
            goto oom;
        t->merge_cap = cap;
        for (int i = 0; i < cap; i++)
            t->merge_hash[i] = -1;
        for (int i = 0; i < n_merges; i++) {
            want = (size_t)merge_lens[i] + 1;
            if (!(t->merges[i] = copy_piece(merges[i], (size_t)merge_lens[i], false)))
                goto oom;
            t->n_merges = i + 1;
            uint32_t h = fnv(t->merges[i], strlen(t->merges[i])) & (uint32_t)(cap - 1);
            while (t->merge_hash[h] >= 0)
                h = (h + 1) & (uint32_t)(cap - 1);
            t->merge_hash[h] = i;
        }
    }
    return finish_init(t, err);
oom:
    inf_tokenizer_free(t);
    return inf_oom(err, NULL, "the vocabulary", want);
}

static int32_t rd_i32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

int inf_tokenizer_load_bin(struct inf_tokenizer *t, const char *name, const void *data,
                           size_t size, int vocab_size, char *err)
{
    const uint8_t *p = data;
    memset(t, 0, sizeof(*t));
    if (vocab_size <= 0) {
        snprintf(err, INF_ERR_MAX, "%s: vocabulary size %d", name, vocab_size);
        return -1;
    }
    if (size < 4) {
        snprintf(err, INF_ERR_MAX, "%s: truncated: header needs 4 bytes, file has %zu", name, size);
        return -1;
    }
    int maxlen = rd_i32(p);
    if (maxlen <= 0 || maxlen > 4096) {
        snprintf(err, INF_ERR_MAX, "%s: max_token_length %d out of range 1..4096", name, maxlen);
        return -1;
    }
    const char **toks = anx_calloc((size_t)vocab_size, sizeof(char *));
    int *lens = anx_calloc((size_t)vocab_size, sizeof(int));
    float *scores = anx_calloc((size_t)vocab_size, sizeof(float));
    int rc = -1;
    if (!toks || !lens || !scores) {
        rc = inf_oom(err, name, "the vocabulary", (size_t)vocab_size * (sizeof(char *) + sizeof(int) + sizeof(float)));
        goto out;
    }
    size_t off = 4;
    for (int i = 0; i < vocab_size; i++) {
        if (size - off < 8) {
            snprintf(err, INF_ERR_MAX, "%s: truncated: token %d needs 8 bytes at offset %zu, file has %zu",
                     name, i, off, size);
            goto out;
        }
        memcpy(&scores[i], p + off, 4);
        int len = rd_i32(p + off + 4);
        off += 8;
        if (len < 0 || len > maxlen) {
            snprintf(err, INF_ERR_MAX, "%s: token %d has length %d (max_token_length %d)", name, i, len, maxlen);
            goto out;
        }
        if (size - off < (size_t)len) {
            snprintf(err, INF_ERR_MAX, "%s: truncated: token %d needs %d bytes at offset %zu, file has %zu",
                     name, i, len, off, size);
            goto out;
        }
        if (memchr(p + off, 0, (size_t)len)) {
            snprintf(err, INF_ERR_MAX, "%s: token %d contains a NUL byte", name, i);
            goto out;
        }
        toks[i] = (const char *)p + off;
        lens[i] = len;
        off += (size_t)len;
    }
    rc = inf_tokenizer_init(t, INF_TOK_SPM, vocab_size, toks, lens, scores, 0, NULL, NULL, 1, 2, err);
    if (rc == 0) {
        t->max_token_length = maxlen > t->max_token_length ? maxlen : t->max_token_length;
        /* llama2.c's pieces already carry ' ' and never U+2581: undo nothing */
    }
out:
    anx_free(toks);
    anx_free(lens);
    anx_free(scores);
    return rc;
}

/* ---- encoding ------------------------------------------------------------------------- */

static int spm_byte_token(const struct inf_tokenizer *t, uint8_t b)
{
    int id = t->byte_id[b];
    return id >= 0 ? id : b + 3 < t->vocab_size ? b + 3 : 0;
}

static int encode_spm(const struct inf_tokenizer *t, const char *text, int *tok, int n, int max)
{
    size_t cap = (size_t)t->max_token_length * 2 + 8;
    char *buf = anx_malloc(cap);
    if (!buf)
        return ANX_ENOMEM;
    int first = n;                       /* merges never reach back into BOS */
    if (text[0] && t->add_space_prefix) {
        int sp = inf_token_lookup(t, " ", 1);
        if (sp >= 0) {
            if (n >= max) goto full;
            tok[n++] = sp;
        }
    }
    for (const char *c = text; *c;) {
        size_t len = 1;                  /* one UTF-8 character, at most 4 bytes */
        while (len < 4 && ((uint8_t)c[len] & 0xc0) == 0x80)
            len++;
        int id = inf_token_lookup(t, c, len);
        if (id >= 0) {
            if (n >= max) goto full;
            tok[n++] = id;
        } else {
            for (size_t i = 0; i < len; i++) {
                if (n >= max) goto full;
                tok[n++] = spm_byte_token(t, (uint8_t)c[i]);
            }
        }
        c += len;
    }
    for (;;) {
        float best = -1e10f;
        int best_i = -1, best_id = -1;
        for (int i = first; i + 1 < n; i++) {
            const char *a = t->vocab[tok[i]], *b = t->vocab[tok[i + 1]];
            size_t la = strlen(a), lb = strlen(b);
            if (la + lb + 1 > cap)
                continue;
            memcpy(buf, a, la);
            memcpy(buf + la, b, lb);
            int id = inf_token_lookup(t, buf, la + lb);
            if (id >= 0 && t->scores[id] > best) {
                best = t->scores[id];
                best_i = i;
                best_id = id;
            }
        }
        if (best_i < 0)
            break;
        tok[best_i] = best_id;
        memmove(tok + best_i + 1, tok + best_i + 2, (size_t)(n - best_i - 2) * sizeof(int));
        n--;
    }
    anx_free(buf);
    return n;
full:
    anx_free(buf);
    return -1;
}

/* GPT-2 pre-tokenization, approximated without a regex engine: a chunk is
 * an optional leading space plus a run of letters (bytes >= 0x80 count as
 * letters), or of digits, or of other non-space characters; runs of
 * spaces stay together except the one that starts the next word. */
static int cls(uint8_t c)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return 0;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return 1;
    if (c >= 0x80) return 1;
    if (c >= '0' && c <= '9') return 2;
    return 3;
}

static int encode_gpt2(const struct inf_tokenizer *t, const char *text, int *tok, int n, int max)
{
    size_t tl = strlen(text);
    /* symbols of one chunk: offsets into a buffer of mapped text */
    char *sym = anx_malloc(tl * 2 + 1);
    int *start = anx_malloc((tl + 1) * sizeof(int)), *len = anx_malloc((tl + 1) * sizeof(int));
    if (!sym || !start || !len) {
        n = ANX_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < tl;) {
        size_t j = i;
        if (cls((uint8_t)text[j]) == 0) {
            while (j < tl && cls((uint8_t)text[j]) == 0)
                j++;
            if (j < tl && j - i > 1 && text[j - 1] == ' ')
                j--;                     /* leave the space to the next word */
            else if (j < tl && j - i == 1 && text[i] == ' ')
                goto word;
        } else {
word:
            if (text[j] == ' ')
                j++;
            int c = j < tl ? cls((uint8_t)text[j]) : 3;
            while (j < tl && cls((uint8_t)text[j]) == c && c != 0)
                j++;
        }
        if (j == i)
            j = i + 1;
        /* map bytes to symbols, one symbol per byte */
        int ns = 0;
        size_t o = 0;
        for (size_t k = i; k < j; k++) {
            start[ns] = (int)o;
            len[ns] = (int)put_utf8(sym + o, gpt2_symbol((uint8_t)text[k]));
            o += (size_t)len[ns++];
        }
        for (;;) {                       /* merge the lowest-ranked pair */
            int best = -1, bi = -1;
            for (int k = 0; k + 1 < ns; k++) {
                int r = merge_rank(t, sym + start[k], (size_t)len[k], sym + start[k + 1], (size_t)len[k + 1]);
                if (r >= 0 && (best < 0 || r < best)) {
                    best = r;
                    bi = k;
                }
            }
            if (bi < 0)
                break;
            len[bi] += len[bi + 1];      /* symbols are adjacent in sym */
            memmove(start + bi + 1, start + bi + 2, (size_t)(ns - bi - 2) * sizeof(int));
            memmove(len + bi + 1, len + bi + 2, (size_t)(ns - bi - 2) * sizeof(int));
            ns--;
        }
        for (int k = 0; k < ns; k++) {
            int id = inf_token_lookup(t, sym + start[k], (size_t)len[k]);
            if (id >= 0) {
                if (n >= max) { n = -1; goto out; }
                tok[n++] = id;
                continue;
            }
            /* not in the vocabulary: one token per byte symbol */
            for (int b = start[k]; b < start[k] + len[k];) {
                int bl = ((uint8_t)sym[b] & 0xe0) == 0xc0 ? 2 : 1;
                int bid = inf_token_lookup(t, sym + b, (size_t)bl);
                if (bid >= 0) {
                    if (n >= max) { n = -1; goto out; }
                    tok[n++] = bid;
                }
                b += bl;
            }
        }
        i = j;
    }
out:
    anx_free(sym);
    anx_free(start);
    anx_free(len);
    return n;
}

int inf_encode(const struct inf_tokenizer *t, const char *text, bool bos, bool eos,
               int *tokens, int max)
{
    int n = 0;
    if (bos && t->bos >= 0) {
        if (max < 1) return -1;
        tokens[n++] = t->bos;
    }
    n = t->type == INF_TOK_SPM ? encode_spm(t, text, tokens, n, max)
                               : encode_gpt2(t, text, tokens, n, max);
    if (n < 0)
        return n;                        /* -1 (too many) or ANX_ENOMEM */
    if (eos && t->eos >= 0) {
        if (n >= max) return -1;
        tokens[n++] = t->eos;
    }
    return n;
}

int inf_encode_all(const struct inf_tokenizer *t, const char *text, int *tokens, int max)
{
    /* Room for one token per byte: the encoders start there and merge. */
    size_t room = strlen(text) + 8;
    int *all = anx_malloc(room * sizeof(int));
    if (!all)
        return ANX_ENOMEM;
    int n = inf_encode(t, text, true, false, all, (int)room);
    if (n > max)
        n = -1;
    if (n > 0)
        memcpy(tokens, all, (size_t)n * sizeof(int));
    anx_free(all);
    return n;
}

/* ---- decoding ------------------------------------------------------------------------- */

size_t inf_decode(const struct inf_tokenizer *t, int prev, int token, char *buf, size_t n)
{
    if (n == 0)
        return 0;
    buf[0] = 0;
    if (token < 0 || token >= t->vocab_size)
        return 0;
    const char *p = t->vocab[token];
    size_t o = 0;
    if (t->type == INF_TOK_SPM) {
        if (prev == t->bos && p[0] == ' ')
            p++;
        if (p[0] == '<' && p[1] == '0' && p[2] == 'x' && anx_hexval(p[3]) >= 0 &&
            anx_hexval(p[4]) >= 0 && p[5] == '>' && p[6] == 0) {
            buf[0] = (char)(anx_hexval(p[3]) * 16 + anx_hexval(p[4]));
            if (n > 1) buf[1] = 0;
            return 1;
        }
        while (*p && o + 1 < n)
            buf[o++] = *p++;
    } else {
        /* symbols back to bytes */
        while (*p && o + 1 < n) {
            unsigned cp = (uint8_t)*p++;
            if ((cp & 0xe0) == 0xc0 && ((uint8_t)*p & 0xc0) == 0x80)
                cp = ((cp & 0x1f) << 6) | ((uint8_t)*p++ & 0x3f);
            unsigned byte = cp;
            if (cp >= 256 || gpt2_symbol(cp) != cp)
                for (unsigned b = 0; b < 256; b++)
                    if (gpt2_symbol(b) == cp) { byte = b; break; }
            buf[o++] = (char)byte;
        }
    }
    buf[o] = 0;
    return o;
}
