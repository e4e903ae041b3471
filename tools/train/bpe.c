/*
 * Corpus loading and the BPE tokenizer trainer.
 *
 * Text is cut into chunks that no token crosses: a chunk is an optional
 * leading space and a run of other characters, or a run of tabs, or one
 * newline. Merges are learned inside chunks (the most frequent adjacent
 * pair first, ties to the lowest pair of ids), and merge r gets the score
 * -(r + 1): infer's encoder, which merges the adjacent pair whose
 * concatenation is the best-scoring token, then applies them in the same
 * order, and since no vocabulary piece spans a chunk boundary it never
 * merges across one. bpe_encode runs infer's own encoder on each chunk, so
 * the training data is tokenized exactly as infer tokenizes a prompt (the
 * tests check the whole-text encoding against it).
 */
#define _DEFAULT_SOURCE
#include "bpe.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- corpus ---------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_text(struct corpus *c, const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    while (n > 0 && s[0] == '\n')
        s++, n--;
    if (n == 0 || memchr(s, 0, n))
        return 0;
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 1024;
        char **t = realloc(c->text, (size_t)cap * sizeof(char *));
        if (!t)
            return -1;
        c->text = t;
        c->cap = cap;
    }
    char *p = malloc(n + 1);
    if (!p)
        return -1;
    memcpy(p, s, n);
    p[n] = 0;
    c->text[c->n++] = p;
    c->bytes += n;
    return 0;
}

static int in_list(const char *name, const char *list)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncmp(p, name, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

int corpus_load(struct corpus *c, const char *dir, const char *skip, char *err, size_t errn)
{
    memset(c, 0, sizeof(*c));
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errn, "%s: cannot open the corpus directory (install the fortunes package)", dir);
        return -1;
    }
    char **names = NULL;
    int nn = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strchr(e->d_name, '.') || in_list(e->d_name, skip))
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        names = realloc(names, (size_t)(nn + 1) * sizeof(char *));
        names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof(char *), cmp_str);
    int rc = 0;
    for (int i = 0; i < nn && rc == 0; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            snprintf(err, errn, "%s: cannot read", path);
            rc = -1;
            break;
        }
        char *buf = NULL;
        size_t len = 0, cap = 0;
        char line[8192];
        while (fgets(line, sizeof(line), f)) {
            if (strcmp(line, "%\n") == 0 || strcmp(line, "%") == 0) {
                if (add_text(c, buf ? buf : "", len) < 0)
                    rc = -1;
                len = 0;
                continue;
            }
            size_t l = strlen(line);
            if (len + l + 1 > cap) {
                cap = (len + l + 1) * 2;
                buf = realloc(buf, cap);
            }
            memcpy(buf + len, line, l);
            len += l;
        }
        if (len && add_text(c, buf, len) < 0)
            rc = -1;
        free(buf);
        fclose(f);
    }
    for (int i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    if (rc == 0 && c->n == 0) {
        snprintf(err, errn, "%s: no texts found", dir);
        rc = -1;
    }
    if (rc < 0 && !err[0])
        snprintf(err, errn, "out of memory");
    return rc;
}

void corpus_free(struct corpus *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->text[i]);
    free(c->text);
    memset(c, 0, sizeof(*c));
}

/* ---- chunks ---------------------------------------------------------------------------------- */

/* Length of the chunk at s (s non-empty). */
static size_t chunk_len(const char *s)
{
    if (s[0] == '\n')
        return 1;
    size_t i = 1;
    if (s[0] == '\t') {
        while (s[i] == '\t')
            i++;
        return i;
    }
    while (s[i] && s[i] != ' ' && s[i] != '\n' && s[i] != '\t')
        i++;
    return i;
}

/* infer's character step: a lead byte and up to 3 continuation bytes */
static size_t char_len(const char *c)
{
    size_t len = 1;
    while (len < 4 && ((unsigned char)c[len] & 0xc0) == 0x80)
        len++;
    return len;
}

struct chunk {
    char *s;
    long count;
    int *sym, n;
};

struct chunk_set {
    struct chunk *c;
    int n, cap;                     /* entries */
    int *slot;                      /* hash -> index or -1 */
    size_t nslot;
};

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int chunk_add(struct chunk_set *cs, const char *s, size_t n)
{
    size_t h = fnv(s, n) & (cs->nslot - 1);
    for (;; h = (h + 1) & (cs->nslot - 1)) {
        int i = cs->slot[h];
        if (i < 0)
            break;
        if (strlen(cs->c[i].s) == n && memcmp(cs->c[i].s, s, n) == 0) {
            cs->c[i].count++;
            return 0;
        }
    }
    if ((size_t)cs->n * 2 >= cs->nslot)
        return -1;                              /* table full (see bpe_train) */
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 4096;
        cs->c = realloc(cs->c, (size_t)cs->cap * sizeof(struct chunk));
    }
    struct chunk *c = &cs->c[cs->n];
    memset(c, 0, sizeof(*c));
    c->s = strndup(s, n);
    c->count = 1;
    cs->slot[h] = cs->n++;
    return 0;
}

/* ---- training ---------------------------------------------------------------------------------- */

static int vocab_push(struct vocab *v, const char *s, size_t n, float score)
{
    v->piece = realloc(v->piece, (size_t)(v->n + 1) * sizeof(char *));
    v->score = realloc(v->score, (size_t)(v->n + 1) * sizeof(float));
    if (!v->piece || !v->score)
        return -1;
    v->piece[v->n] = strndup(s, n);
    v->score[v->n] = score;
    return v->n++;
}

static int vocab_find(const struct vocab *v, const char *s)
{
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->piece[i], s) == 0)
            return i;
    return -1;
}

struct char_count {
    char s[8];
    long count;
};

static int cmp_char(const void *a, const void *b)
{
    return strcmp(((const struct char_count *)a)->s, ((const struct char_count *)b)->s);
}

int bpe_train(struct vocab *v, const struct corpus *c, int size, int min_char)
{
    memset(v, 0, sizeof(*v));
    vocab_push(v, "<unk>", 5, 0.0f);
    vocab_push(v, "\n<s>\n", 5, 0.0f);          /* llama2.c's BOS and EOS pieces */
    vocab_push(v, "\n</s>\n", 6, 0.0f);
    for (int b = 0; b < 256; b++) {
        char s[8];
        snprintf(s, sizeof(s), "<0x%02X>", b);
        vocab_push(v, s, 6, 0.0f);
    }
    int first_mergeable = v->n;

    /* unique chunks of " " + text, with counts */
    struct chunk_set cs = { 0 };
    cs.nslot = 1u << 20;
    cs.slot = malloc(cs.nslot * sizeof(int));
    memset(cs.slot, 0xff, cs.nslot * sizeof(int));
    for (int i = 0; i < c->n; i++) {
        size_t tl = strlen(c->text[i]);
        char *t = malloc(tl + 2);
        t[0] = ' ';
        memcpy(t + 1, c->text[i], tl + 1);
        for (const char *p = t; *p;) {
            size_t n = chunk_len(p);
            if (chunk_add(&cs, p, n) < 0) {
                fprintf(stderr, "bpe: too many distinct chunks\n");
                free(t);
                return -1;
            }
            p += n;
        }
        free(t);
    }

    /* characters */
    struct char_count *cc = NULL;
    int ncc = 0;
    for (int i = 0; i < cs.n; i++)
        for (const char *p = cs.c[i].s; *p;) {
            size_t l = char_len(p);
            int j;
            for (j = 0; j < ncc; j++)
                if (strlen(cc[j].s) == l && memcmp(cc[j].s, p, l) == 0)
                    break;
            if (j == ncc) {
                cc = realloc(cc, (size_t)(ncc + 1) * sizeof(*cc));
                memset(&cc[ncc], 0, sizeof(*cc));
                memcpy(cc[ncc].s, p, l);
                ncc++;
            }
            cc[j].count += cs.c[i].count;
            p += l;
        }
    qsort(cc, (size_t)ncc, sizeof(*cc), cmp_char);
    for (int j = 0; j < ncc; j++)
        /* U+2581 would read back as ' ' (SentencePiece's visible space) */
        if (cc[j].count >= min_char && strcmp(cc[j].s, "\xe2\x96\x81") != 0 && v->n < size)
            vocab_push(v, cc[j].s, strlen(cc[j].s), 0.0f);
    free(cc);

    /* initial symbols */
    for (int i = 0; i < cs.n; i++) {
        struct chunk *ch = &cs.c[i];
        size_t n = strlen(ch->s);
        ch->sym = malloc(n * sizeof(int));
        for (const char *p = ch->s; *p;) {
            size_t l = char_len(p);
            char tmp[8] = { 0 };
            memcpy(tmp, p, l);
            int id = vocab_find(v, tmp);
            if (id >= first_mergeable) {
                ch->sym[ch->n++] = id;
            } else {
                for (size_t k = 0; k < l; k++)
                    ch->sym[ch->n++] = 3 + (unsigned char)p[k];
            }
            p += l;
        }
    }

    /* merges */
    size_t V = (size_t)size;
    long *count = malloc(V * V * sizeof(long));
    int rank = 0;
    while (v->n < size) {
        memset(count, 0, V * V * sizeof(long));
        for (int i = 0; i < cs.n; i++) {
            struct chunk *ch = &cs.c[i];
            for (int k = 0; k + 1 < ch->n; k++)
                if (ch->sym[k] >= first_mergeable && ch->sym[k + 1] >= first_mergeable)
                    count[(size_t)ch->sym[k] * V + (size_t)ch->sym[k + 1]] += ch->count;
        }
        size_t best = 0;
        for (size_t i = 1; i < V * V; i++)
            if (count[i] > count[best])
                best = i;
        if (count[best] < 2)
            break;
        int a = (int)(best / V), b = (int)(best % V);
        size_t la = strlen(v->piece[a]), lb = strlen(v->piece[b]);
        char *cat = malloc(la + lb + 1);
        memcpy(cat, v->piece[a], la);
        memcpy(cat + la, v->piece[b], lb + 1);
        int id = vocab_find(v, cat);
        if (id < 0)
            id = vocab_push(v, cat, la + lb, -(float)(++rank));
        free(cat);
        for (int i = 0; i < cs.n; i++) {
            struct chunk *ch = &cs.c[i];
            int o = 0;
            for (int k = 0; k < ch->n; k++) {
                if (k + 1 < ch->n && ch->sym[k] == a && ch->sym[k + 1] == b) {
                    ch->sym[o++] = id;
                    k++;
                } else {
                    ch->sym[o++] = ch->sym[k];
                }
            }
            ch->n = o;
        }
    }
    free(count);
    for (int i = 0; i < cs.n; i++) {
        free(cs.c[i].s);
        free(cs.c[i].sym);
    }
    free(cs.c);
    free(cs.slot);
    /* pad (a corpus too small to fill the vocabulary): unreachable pieces */
    while (v->n < size) {
        char s[32];
        snprintf(s, sizeof(s), "<pad%d>", v->n);
        vocab_push(v, s, strlen(s), -1e9f);
    }
    return 0;
}

int bpe_write(const struct vocab *v, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int32_t maxlen = 1;
    for (int i = 0; i < v->n; i++)
        if ((int32_t)strlen(v->piece[i]) > maxlen)
            maxlen = (int32_t)strlen(v->piece[i]);
    int rc = fwrite(&maxlen, 4, 1, f) == 1 ? 0 : -1;
    for (int i = 0; i < v->n; i++) {
        int32_t len = (int32_t)strlen(v->piece[i]);
        rc |= fwrite(&v->score[i], 4, 1, f) == 1 ? 0 : -1;
        rc |= fwrite(&len, 4, 1, f) == 1 ? 0 : -1;
        rc |= fwrite(v->piece[i], 1, (size_t)len, f) == (size_t)len ? 0 : -1;
    }
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc)
        remove(tmp);
    return rc;
}

void vocab_free(struct vocab *v)
{
    for (int i = 0; i < v->n; i++)
        free(v->piece[i]);
    free(v->piece);
    free(v->score);
    memset(v, 0, sizeof(*v));
}

/* ---- encoding ---------------------------------------------------------------------------------- */

static int grow(int **out, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    int *p = realloc(*out, c * sizeof(int));
    if (!p)
        return -1;
    *out = p;
    *cap = c;
    return 0;
}

int bpe_encode(const struct inf_tokenizer *t, const char *text, int **out, size_t *n,
               size_t *cap)
{
    struct inf_tokenizer chunk_tok = *t;          /* shares the tables */
    chunk_tok.add_space_prefix = false;
    size_t tl = strlen(text), start = *n;
    char *s = malloc(tl + 2);
    if (!s || grow(out, cap, *n + 1) < 0) {
        free(s);
        return -1;
    }
    (*out)[(*n)++] = t->bos;
    s[0] = ' ';
    memcpy(s + 1, text, tl + 1);
    char *buf = malloc(tl + 2);
    for (const char *p = s; *p;) {
        size_t l = chunk_len(p);
        memcpy(buf, p, l);
        buf[l] = 0;
        /* at most 4 tokens per byte (byte fallback of a 4-byte character is 4) */
        if (grow(out, cap, *n + l * 4 + 1) < 0)
            goto fail;
        int k = inf_encode(&chunk_tok, buf, false, false, *out + *n, (int)(l * 4 + 1));
        if (k < 0)
            goto fail;
        *n += (size_t)k;
        p += l;
    }
    free(s);
    free(buf);
    return (int)(*n - start);
fail:
    free(s);
    free(buf);
    return -1;
}
