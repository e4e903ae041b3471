/*
 * Model files at build time. infer loads its model and tokenizer only at
 * boot, where a truncated file, a tokenizer given as the model or a
 * corrupted weight shows up late or not at all (`<unk>` forever). Here the
 * same files go through infer's own loaders (modules/infer, in the host
 * build mode of host/host.mk, as tools/model has them), so the messages and the
 * rules are those of the image; this file adds only what the loaders cannot
 * know from memory: the exact size of a checkpoint, whether a "model" is
 * really a tokenizer (or the reverse), a tokenizer that holds more entries
 * than the model's vocabulary, and weights that are not finite, or too
 * large to be trained ones. It also counts what loading the
 * model and running one session allocate, for the memory check.
 */
#define _GNU_SOURCE
#include "anx.h"
#include "infer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct mapped {
    const uint8_t *p;
    size_t size;
};

/* The whole file, read-only: models are large and only looked at. */
static int map_file(const char *path, const char *what, const struct mark *mk, struct mapped *f)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        diag_error(mk, "%s: cannot read %s: %s", what, path_display(path), strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    f->size = (size_t)st.st_size;
    if (f->size == 0) {
        close(fd);
        diag_error(mk, "%s: %s is empty", what, path_display(path));
        return -1;
    }
    void *p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        diag_error(mk, "%s: cannot map %s: %s", what, path_display(path), strerror(errno));
        return -1;
    }
    f->p = p;
    return 0;
}

static int32_t le32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* A llama2.c tokenizer.bin holds no entry count (the model has it), so
 * infer's loader cannot tell whether a file is one: walk the entries
 * (max_token_length, then score, length, bytes per token) for at most
 * limit entries or to the end. Returns the entries walked, or -1 when one
 * is malformed or runs past the end; *end is where the walk stopped. */
static long tokenizer_walk(const struct mapped *f, long limit, size_t *end)
{
    *end = 0;
    if (f->size < 4)
        return -1;
    int32_t maxlen = le32(f->p);
    if (maxlen <= 0 || maxlen > 4096)
        return -1;
    size_t off = 4;
    long n = 0;
    while (off < f->size && n < limit) {
        if (f->size - off < 8)
            return -1;
        int32_t len = le32(f->p + off + 4);
        if (len < 0 || len > maxlen || f->size - off - 8 < (size_t)len)
            return -1;
        off += 8 + (size_t)len;
        n++;
    }
    *end = off;
    return n;
}

/* A whole tokenizer.bin: some entries that end exactly at the end. */
static bool looks_like_tokenizer(const struct mapped *f)
{
    size_t end;
    return tokenizer_walk(f, 1L << 30, &end) >= 3 && end == f->size;
}

static bool looks_like_model(const struct mapped *f)
{
    struct inf_model m;
    char err[INF_ERR_MAX];
    int rc = f->size >= 4 && !memcmp(f->p, "GGUF", 4) ? inf_load_gguf(&m, "x", f->p, f->size, err)
                                                       : inf_load_llama2c(&m, "x", f->p, f->size, err);
    if (rc == 0)
        inf_model_free(&m);
    return rc == 0;
}

/* The bytes of a llama2.c checkpoint with this header, in the order
 * inf_load_llama2c takes them (header, weights, the legacy RoPE tables,
 * an unshared classifier): the loader checks the file is long enough, not
 * that it ends there. */
static uint64_t llama2c_bytes(const struct inf_config *c)
{
    uint64_t D = (uint64_t)c->dim, H = (uint64_t)c->hidden_dim, L = (uint64_t)c->n_layers;
    uint64_t KV = (uint64_t)c->kv_dim, V = (uint64_t)c->vocab_size;
    uint64_t floats = V * D + L * (D + D * D + 2 * D * KV + D * D + D + 3 * D * H) + D +
                      (uint64_t)c->seq_len * (uint64_t)c->head_size;
    if (!c->shared_classifier)
        floats += V * D;
    return 28 + floats * 4;
}

/* No trained weight comes near this; random bytes in an f32 mostly do
 * (an exponent byte drawn at random exceeds it about 40% of the time),
 * and the forward pass turns them into NaN, then into <unk> forever. */
#define F32_IMPLAUSIBLE 1e6f

/* What is wrong with an element (NULL when nothing): its bits as f32, or
 * as f16 (an f16 value, or a quantized block's scale). */
static const char *bad_value(const uint8_t *e, enum tn_dtype dt)
{
    if (dt == TN_F32) {
        uint32_t u = (uint32_t)le32(e);
        if ((u & 0x7f800000u) == 0x7f800000u)
            return u & 0x7fffffu ? "NaN" : "infinity";
        float x;
        memcpy(&x, &u, 4);
        if (x >= F32_IMPLAUSIBLE || x <= -F32_IMPLAUSIBLE)
            return xasprintf("%g, far beyond any trained weight", (double)x);
        return NULL;
    }
    uint16_t h = (uint16_t)(e[0] | e[1] << 8);
    if ((h & 0x7c00u) == 0x7c00u)
        return h & 0x3ffu ? "NaN" : "infinity";
    return NULL;
}

/* The first NaN, infinity (or implausible f32) of tensor t: f32 values,
 * f16 values, or the f16 scales of each q8_0/q4_0/q4_K/q6_K block. Returns 0 when
 * all is well, else prints where (a file offset when t lies in the file). */
static int scan_tensor(const struct tn_tensor *t, const struct mapped *f, const char *what, const char *file,
                       const struct mark *mk)
{
    const uint8_t *p = t->data;
    size_t step, n, at = 0, at2 = 0;                 /* where a block's f16 scales are */
    switch (t->dtype) {
    case TN_F32: step = 4; break;
    case TN_F16: step = 2; break;
    case TN_Q8_0: step = sizeof(struct tn_block_q8_0); break;
    case TN_Q4_0: step = sizeof(struct tn_block_q4_0); break;
    case TN_Q4_K: step = sizeof(struct tn_block_q4_K); at2 = 2; break;       /* d, dmin */
    case TN_Q6_K: step = sizeof(struct tn_block_q6_K); at = at2 = 208; break; /* d last */
    default: return 0;
    }
    n = t->nbytes / step;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = p + i * step + at;
        const char *bad = bad_value(e, t->dtype);
        if (!bad && at2 != at)
            bad = bad_value(e = p + i * step + at2, t->dtype);
        if (!bad)
            continue;
        const char *kind = t->dtype == TN_F32 || t->dtype == TN_F16 ? "value" : "block scale";
        if (e >= f->p && e < f->p + f->size)
            diag_error(mk, "%s: %s: tensor %s holds %s (%s %zu of %zu, at byte %zu of the file): the file is "
                           "corrupted; copy it again from its source",
                       what, file, t->name, bad, kind, i, n, (size_t)(e - f->p));
        else
            diag_error(mk, "%s: %s: tensor %s holds %s (%s %zu of %zu): the file is corrupted; copy it again "
                           "from its source",
                       what, file, t->name, bad, kind, i, n);
        return -1;
    }
    return 0;
}

static int scan_model(const struct inf_model *m, const struct mapped *f, const char *what, const char *file,
                      const struct mark *mk)
{
    if (scan_tensor(&m->tok_emb, f, what, file, mk) || scan_tensor(&m->out_norm, f, what, file, mk))
        return -1;
    if (!m->cfg.shared_classifier && scan_tensor(&m->wcls, f, what, file, mk))
        return -1;
    for (int l = 0; l < m->cfg.n_layers; l++) {
        const struct inf_layer *L = &m->layers[l];
        const struct tn_tensor *all[] = {&L->att_norm, &L->wq, &L->wk, &L->wv, &L->wo,
                                         &L->ffn_norm, &L->w1, &L->w2, &L->w3};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            if (scan_tensor(all[k], f, what, file, mk))
                return -1;
    }
    return 0;
}

/* What loading the tokenizer leaves on the guest's heap (tokenizer.c:
 * one block per piece, the score, pointer and sorted-index arrays, GPT-2
 * merges and their hash) and, in *transient, the arrays it holds only
 * while loading. */
static uint64_t tokenizer_heap(const struct inf_tokenizer *t, uint64_t *transient)
{
    uint64_t V = (uint64_t)t->vocab_size, sum = heap_cost(V * 8) + heap_cost(V * 4) + heap_cost(V * 4);
    for (int i = 0; i < t->vocab_size; i++)
        sum += heap_cost(strlen(t->vocab[i]) + 1);
    for (int i = 0; i < t->n_merges; i++)
        sum += heap_cost(strlen(t->merges[i]) + 1);
    if (t->n_merges)
        sum += heap_cost((uint64_t)t->n_merges * 8) + heap_cost((uint64_t)t->merge_cap * 4);
    uint64_t all = V + (uint64_t)t->n_merges;
    *transient = heap_cost(all * 8) + heap_cost(all * 4) + heap_cost(V * 4);
    return sum;
}

static void facts_of(const struct inf_model *m, struct model_facts *mf)
{
    const struct inf_config *c = &m->cfg;
    snprintf(mf->format, sizeof mf->format, "%s", m->format);
    mf->dim = c->dim;
    mf->hidden_dim = c->hidden_dim;
    mf->n_layers = c->n_layers;
    mf->vocab_size = c->vocab_size;
    mf->seq_len = c->seq_len;
    mf->kv_dim = c->kv_dim;
    uint64_t transient = 0;
    mf->heap = heap_cost((uint64_t)c->n_layers * sizeof(struct inf_layer)) +
               (m->owned_size ? heap_cost(m->owned_size) : 0);
    if (m->has_tokenizer)
        mf->heap += tokenizer_heap(&m->tok, &transient);
    mf->transient = transient;
}

/* The tokenizer against the model's vocabulary: infer's loader (with its
 * messages), then the end of the file, which the loader does not check. */
static int check_tokenizer(struct inf_model *m, const struct mapped *t, const char *tok, const struct mark *tm)
{
    char err[INF_ERR_MAX];
    int V = m->cfg.vocab_size;
    size_t end;
    long all = tokenizer_walk(t, 1L << 30, &end);
    bool whole = all >= 0 && end == t->size;
    if (m->has_tokenizer)
        inf_tokenizer_free(&m->tok);
    m->has_tokenizer = false;
    if (inf_tokenizer_load_bin(&m->tok, tok, t->p, t->size, V, err) < 0) {
        if (looks_like_model(t))
            diag_error(tm, "infer.tokenizer: %s: this looks like a model, not a tokenizer (did you swap model: "
                           "and tokenizer:?)",
                       tok);
        else if (whole)
            diag_error(tm, "infer.tokenizer: %s has %ld entries, but the model's vocabulary has %d tokens "
                           "(a tokenizer of another model?)",
                       tok, all, V);
        else if (strstr(err, ": truncated: "))
            diag_error(tm, "infer.tokenizer: %s (the file is cut short: copy it again from its source)", err);
        else
            diag_error(tm, "infer.tokenizer: %s", err);
        return -1;
    }
    m->has_tokenizer = true;
    tokenizer_walk(t, V, &end);
    if (end != t->size) {
        if (whole)
            diag_error(tm, "infer.tokenizer: %s has %ld entries, but the model's vocabulary has %d tokens "
                           "(a tokenizer of another model?)",
                       tok, all, V);
        else
            diag_error(tm, "infer.tokenizer: %s: the model's %d tokens end at byte %zu, but the file has %zu "
                           "bytes (a tokenizer of another model, or a damaged file?)",
                       tok, V, end, t->size);
        return -1;
    }
    return 0;
}

int model_check(const char *model, const struct mark *mm, const char *tok, const struct mark *tm,
                bool tok_elsewhere, struct model_facts *mf)
{
    memset(mf, 0, sizeof *mf);
    const char *mname = path_display(model), *tname = tok ? xstrdup(path_display(tok)) : NULL;
    struct mapped mfile, tfile = {0};
    if (map_file(model, "infer.model", mm, &mfile))
        return -1;
    mf->file_bytes = mfile.size;
    if (tok && map_file(tok, "infer.tokenizer", tm, &tfile)) {
        munmap((void *)mfile.p, mfile.size);
        return -1;
    }
    mf->tok_bytes = tfile.size;
    int rc = -1;
    struct inf_model m;
    char err[INF_ERR_MAX];
    bool gguf = mfile.size >= 4 && !memcmp(mfile.p, "GGUF", 4);
    if ((gguf ? inf_load_gguf(&m, mname, mfile.p, mfile.size, err)
              : inf_load_llama2c(&m, mname, mfile.p, mfile.size, err)) < 0) {
        if (!gguf && looks_like_tokenizer(&mfile))
            diag_error(mm, "infer.model: %s: this looks like a tokenizer, not a model (did you swap model: and "
                           "tokenizer:?)",
                       mname);
        else if (strstr(err, ": truncated: "))
            diag_error(mm, "infer.model: %s (the file is cut short: copy it again from its source)", err);
        else
            diag_error(mm, "infer.model: %s", err);
        goto out;
    }
    if (!gguf && mfile.size != llama2c_bytes(&m.cfg)) {
        const struct inf_config *c = &m.cfg;
        diag_error(mm, "infer.model: %s is %zu bytes, but a llama2.c checkpoint with its header (dim %d, "
                       "hidden_dim %d, %d layers, %d/%d heads, vocab %d%s, seq_len %d) is %llu bytes: a damaged "
                       "header, or not a llama2.c checkpoint",
                   mname, mfile.size, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                   c->vocab_size, c->shared_classifier ? "" : " unshared", c->seq_len,
                   (unsigned long long)llama2c_bytes(c));
        goto free;
    }
    if (tok && check_tokenizer(&m, &tfile, tname, tm))
        goto free;
    if (!m.has_tokenizer && !tok_elsewhere) {
        diag_error(mm, "infer.model: %s has no tokenizer of its own: set infer.tokenizer to a tokenizer.bin "
                       "among the image's files",
                   mname);
        goto free;
    }
    if (scan_model(&m, &mfile, "infer.model", mname, mm))
        goto free;
    facts_of(&m, mf);
    rc = 0;
free:
    inf_model_free(&m);
out:
    munmap((void *)mfile.p, mfile.size);
    if (tfile.p)
        munmap((void *)tfile.p, tfile.size);
    return rc;
}

/* One session of `ctx` positions (0 = the model's): the KV cache and the
 * scratch of inf_state_init, the token list, the sampler's candidates
 * and the tensor work buffer (session.c, forward.c, sample.c). */
void model_session(const struct model_facts *mf, int ctx, uint64_t *kv, uint64_t *scratch)
{
    if (ctx <= 0 || ctx > mf->seq_len)
        ctx = mf->seq_len;
    uint64_t D = (uint64_t)mf->dim, H = (uint64_t)mf->hidden_dim, V = (uint64_t)mf->vocab_size;
    uint64_t C = (uint64_t)ctx;
    *kv = 2 * heap_cost((uint64_t)mf->n_layers * C * (uint64_t)mf->kv_dim * 4);
    *scratch = 4 * heap_cost(D * 4) + 2 * heap_cost(H * 4) + heap_cost(C * 4) + heap_cost(V * 4) +
               heap_cost((C + 8) * 4) + heap_cost(V * 8) + heap_cost(256) + heap_cost((D > H ? D : H) * 4) +
               heap_cost(1024);
}
