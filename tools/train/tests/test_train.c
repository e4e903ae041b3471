/*
 * Tests of the trainer (run by run.sh under ASan + UBSan):
 *   test_train grad                 every backward op against central finite
 *                                   differences, and the whole model along its gradient
 *   test_train infer MODEL TOK      the checkpoint loads in modules/infer, infer's
 *                                   forward pass gives the trainer's logits, and it generates
 *   test_train encode CORPUS TOK    bpe_encode == infer's whole-text encoding
 * Prints "ok ..." / "FAIL ..." lines.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpe.h"
#include "grad.h"
#include "infer.h"
#include "trainer.h"

static int failures;
static uint64_t rng = 42;

static void check(int ok, const char *what, const char *detail)
{
    printf("%s train: %s%s%s\n", ok ? "ok  " : "FAIL", what, detail[0] ? ": " : "", detail);
    if (!ok)
        failures++;
}

static void fill(float *x, size_t n, float sd)
{
    for (size_t i = 0; i < n; i++)
        x[i] = sd * tr_randn(&rng);
}

/* ---- op-level gradient checks --------------------------------------------------------------
 * Each op's scalar objective is J = sum(out * R) for a fixed random R, so
 * dJ/d(out) = R; the analytic gradient of every input is compared with
 * (J(x + h) - J(x - h)) / 2h, J summed in double. */

#define H 1e-2f

struct fd {
    double max_err;                 /* worst |a - n| / (atol + rtol * max(|a|, |n|)) */
    int n;
};

static void fd_compare(struct fd *f, double a, double num)
{
    double tol = 2e-3 + 2e-2 * fmax(fabs(a), fabs(num));
    double e = fabs(a - num) / tol;
    if (e > f->max_err)
        f->max_err = e;
    f->n++;
}

static double dotd(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

typedef double (*objective)(void *ctx);

/* Perturb every element of x in turn, comparing with g. */
static void fd_check(struct fd *f, float *x, const float *g, size_t n, objective J, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + H;
        double jp = J(ctx);
        x[i] = keep - H;
        double jm = J(ctx);
        x[i] = keep;
        fd_compare(f, g[i], (jp - jm) / (2.0 * (double)H));
    }
}

static void report(const char *name, struct fd *f)
{
    char d[128];
    snprintf(d, sizeof(d), "%d partials, worst error %.2f of tolerance", f->n, f->max_err);
    check(f->n > 0 && f->max_err <= 1.0, name, d);
}

/* matmul */
struct mm { int T, n, k; float *x, *w, *y, *r; struct tg_work s; };
static double mm_J(void *c)
{
    struct mm *m = c;
    tg_matmul(m->y, m->x, m->w, m->T, m->n, m->k, &m->s);
    return dotd(m->y, m->r, (size_t)m->T * m->n);
}
static void test_matmul(void)
{
    struct mm m = { .T = 6, .n = 5, .k = 7 };
    size_t tk = (size_t)m.T * m.k, nk = (size_t)m.n * m.k, tn = (size_t)m.T * m.n;
    m.x = malloc(tk * 4); m.w = malloc(nk * 4); m.y = malloc(tn * 4); m.r = malloc(tn * 4);
    float *wt = malloc(nk * 4), *dx = calloc(tk, 4), *dw = calloc(nk, 4);
    fill(m.x, tk, 1); fill(m.w, nk, 1); fill(m.r, tn, 1);
    tg_transpose(wt, m.w, m.n, m.k);
    tg_matmul_backward(dx, dw, m.r, m.x, wt, m.T, m.n, m.k, &m.s);
    struct fd f = { 0 };
    fd_check(&f, m.x, dx, tk, mm_J, &m);
    fd_check(&f, m.w, dw, nk, mm_J, &m);
    report("matmul backward (dx, dW)", &f);
    tg_work_free(&m.s);
    free(m.x); free(m.w); free(m.y); free(m.r); free(wt); free(dx); free(dw);
}

/* rmsnorm */
struct rn { int T, D; float *x, *w, *y, *rinv, *r; };
static double rn_J(void *c)
{
    struct rn *m = c;
    tg_rmsnorm(m->y, m->rinv, m->x, m->w, m->T, m->D, 1e-5f);
    return dotd(m->y, m->r, (size_t)m->T * m->D);
}
static void test_rmsnorm(void)
{
    struct rn m = { .T = 3, .D = 8 };
    size_t n = (size_t)m.T * m.D;
    m.x = malloc(n * 4); m.w = malloc((size_t)m.D * 4); m.y = malloc(n * 4); m.r = malloc(n * 4);
    m.rinv = malloc((size_t)m.T * 4);
    float *dx = calloc(n, 4), *dw = calloc((size_t)m.D, 4);
    fill(m.x, n, 1); fill(m.w, (size_t)m.D, 1); fill(m.r, n, 1);
    rn_J(&m);
    tg_rmsnorm_backward(dx, dw, m.r, m.x, m.w, m.rinv, m.T, m.D);
    struct fd f = { 0 };
    fd_check(&f, m.x, dx, n, rn_J, &m);
    fd_check(&f, m.w, dw, (size_t)m.D, rn_J, &m);
    report("rmsnorm backward (dx, dw)", &f);
    free(m.x); free(m.w); free(m.y); free(m.r); free(m.rinv); free(dx); free(dw);
}

/* rope */
struct rp { int T, n, hs; float *x, *y, *r; };
static double rp_J(void *c)
{
    struct rp *m = c;
    memcpy(m->y, m->x, (size_t)m->T * m->n * 4);
    tg_rope(m->y, m->T, m->n, m->hs, 10000.0f);
    return dotd(m->y, m->r, (size_t)m->T * m->n);
}
static void test_rope(void)
{
    struct rp m = { .T = 5, .n = 8, .hs = 4 };
    size_t n = (size_t)m.T * m.n;
    m.x = malloc(n * 4); m.y = malloc(n * 4); m.r = malloc(n * 4);
    float *dx = malloc(n * 4);
    fill(m.x, n, 1); fill(m.r, n, 1);
    memcpy(dx, m.r, n * 4);
    tg_rope_backward(dx, m.T, m.n, m.hs, 10000.0f);
    struct fd f = { 0 };
    fd_check(&f, m.x, dx, n, rp_J, &m);
    report("rope backward", &f);
    free(m.x); free(m.y); free(m.r); free(dx);
}

/* attention: grouped-query (4 heads over 2 kv heads), causal */
struct at { int T, nh, nkv, hs; float *q, *k, *v, *o, *p, *r; };
static double at_J(void *c)
{
    struct at *m = c;
    tg_attention(m->o, m->p, m->q, m->k, m->v, m->T, m->nh, m->nkv, m->hs);
    return dotd(m->o, m->r, (size_t)m->T * m->nh * m->hs);
}
static void test_attention(void)
{
    struct at m = { .T = 5, .nh = 4, .nkv = 2, .hs = 4 };
    size_t nq = (size_t)m.T * m.nh * m.hs, nk = (size_t)m.T * m.nkv * m.hs;
    m.q = malloc(nq * 4); m.k = malloc(nk * 4); m.v = malloc(nk * 4); m.o = malloc(nq * 4);
    m.r = malloc(nq * 4); m.p = malloc((size_t)m.nh * m.T * m.T * 4);
    float *dq = calloc(nq, 4), *dk = calloc(nk, 4), *dv = calloc(nk, 4), *sc = malloc((size_t)m.T * 4);
    fill(m.q, nq, 1); fill(m.k, nk, 1); fill(m.v, nk, 1); fill(m.r, nq, 1);
    at_J(&m);
    /* the causal mask: no weight above the diagonal, rows sum to 1 */
    int masked = 1;
    for (int h = 0; h < m.nh; h++)
        for (int t = 0; t < m.T; t++) {
            double s = 0;
            for (int u = 0; u < m.T; u++) {
                float pv = m.p[((size_t)h * m.T + t) * m.T + u];
                if (u > t && pv != 0.0f)
                    masked = 0;
                s += pv;
            }
            if (fabs(s - 1.0) > 1e-5)
                masked = 0;
        }
    check(masked, "attention: causal mask and softmax rows", "");
    tg_attention_backward(dq, dk, dv, m.r, m.p, m.q, m.k, m.v, m.T, m.nh, m.nkv, m.hs, sc);
    struct fd f = { 0 };
    fd_check(&f, m.q, dq, nq, at_J, &m);
    fd_check(&f, m.k, dk, nk, at_J, &m);
    fd_check(&f, m.v, dv, nk, at_J, &m);
    report("attention backward incl. softmax and causal mask, GQA 4/2 (dq, dk, dv)", &f);
    free(m.q); free(m.k); free(m.v); free(m.o); free(m.r); free(m.p); free(dq); free(dk); free(dv);
    free(sc);
}

/* swiglu */
struct sw { size_t n; float *a, *b, *g, *sig, *r; };
static double sw_J(void *c)
{
    struct sw *m = c;
    tg_swiglu(m->g, m->sig, m->a, m->b, m->n);
    return dotd(m->g, m->r, m->n);
}
static void test_swiglu(void)
{
    struct sw m = { .n = 24 };
    m.a = malloc(m.n * 4); m.b = malloc(m.n * 4); m.g = malloc(m.n * 4); m.r = malloc(m.n * 4);
    m.sig = malloc(m.n * 4);
    float *da = calloc(m.n, 4), *db = calloc(m.n, 4);
    fill(m.a, m.n, 2); fill(m.b, m.n, 1); fill(m.r, m.n, 1);
    sw_J(&m);
    /* the same values as the inference kernel */
    float *ref = malloc(m.n * 4);
    memcpy(ref, m.a, m.n * 4);
    tn_swiglu(ref, m.b, m.n);
    check(memcmp(ref, m.g, m.n * 4) == 0, "swiglu forward == tn_swiglu bit for bit", "");
    free(ref);
    tg_swiglu_backward(da, db, m.r, m.a, m.b, m.sig, m.n);
    struct fd f = { 0 };
    fd_check(&f, m.a, da, m.n, sw_J, &m);
    fd_check(&f, m.b, db, m.n, sw_J, &m);
    report("silu/swiglu backward (da, db)", &f);
    free(m.a); free(m.b); free(m.g); free(m.sig); free(m.r); free(da); free(db);
}

/* embedding (a repeated token must collect both gradients) */
struct em { int T, D, V; int tok[5]; float *e, *x, *r; };
static double em_J(void *c)
{
    struct em *m = c;
    tg_embedding(m->x, m->e, m->tok, m->T, m->D);
    return dotd(m->x, m->r, (size_t)m->T * m->D);
}
static void test_embedding(void)
{
    struct em m = { .T = 5, .D = 4, .V = 6, .tok = { 3, 1, 3, 0, 5 } };
    size_t ne = (size_t)m.V * m.D, nx = (size_t)m.T * m.D;
    m.e = malloc(ne * 4); m.x = malloc(nx * 4); m.r = malloc(nx * 4);
    float *de = calloc(ne, 4);
    fill(m.e, ne, 1); fill(m.r, nx, 1);
    tg_embedding_backward(de, m.tok, m.r, m.T, m.D);
    struct fd f = { 0 };
    fd_check(&f, m.e, de, ne, em_J, &m);
    report("embedding backward", &f);
    free(m.e); free(m.x); free(m.r); free(de);
}

/* cross-entropy */
struct ce { int T, V; int tgt[4]; float *l; };
static double ce_J(void *c)
{
    struct ce *m = c;
    return tg_cross_entropy(NULL, m->l, m->tgt, m->T, m->V, 1.0f);
}
static void test_cross_entropy(void)
{
    struct ce m = { .T = 4, .V = 9, .tgt = { 2, 8, 0, 2 } };
    size_t n = (size_t)m.T * m.V;
    m.l = malloc(n * 4);
    float *dl = malloc(n * 4);
    fill(m.l, n, 2);
    double loss = tg_cross_entropy(dl, m.l, m.tgt, m.T, m.V, 1.0f);
    double ref = 0;                                  /* in double, from the definition */
    for (int t = 0; t < m.T; t++) {
        double s = 0;
        for (int i = 0; i < m.V; i++)
            s += exp((double)m.l[t * m.V + i]);
        ref += log(s) - m.l[t * m.V + m.tgt[t]];
    }
    char d[96];
    snprintf(d, sizeof(d), "%.6f vs %.6f", loss, ref);
    check(fabs(loss - ref) < 1e-4, "cross-entropy value", d);
    struct fd f = { 0 };
    fd_check(&f, m.l, dl, n, ce_J, &m);
    report("cross-entropy backward", &f);
    free(m.l); free(dl);
}

/* ---- the whole model, along its gradient per parameter kind ------------------------------------ */

static void test_model(bool shared, int n_kv)
{
    struct tr_config c = { 16, 40, 2, 4, n_kv, 37, 12, shared };
    struct tr_model m;
    tr_model_init(&m, &c);
    tr_model_randomize(&m, 7);
    /* bigger than training's init so every path carries signal */
    for (size_t i = 0; i < m.n_params; i++)
        m.params[i] *= 10.0f;
    uint64_t s = 11;
    for (size_t i = 0; i < m.n_params; i++)       /* norm gains away from exactly 1 */
        if (m.params[i] == 10.0f)
            m.params[i] = 1.0f + 0.3f * tr_randn(&s);
    tr_model_sync(&m);
    int T = 10, in[11];
    for (int i = 0; i <= T; i++)
        in[i] = (int)(tr_rand(&s) % (uint64_t)c.vocab_size);
    struct tr_worker *w = tr_worker_new(&c, T);
    tr_worker_zero(w);
    tr_sequence(&m, w, in, T, 1.0f / T, true);
    const float *g = tr_worker_grad(w);
    struct tr_weights gw;
    tr_layout(&c, (float *)g, &gw);
    const char *names[] = { "emb", "att_norm", "wq", "wk", "wv", "wo", "ffn_norm", "w1", "w2",
                            "w3", "out_norm", "wcls" };
    float *starts[12] = { m.w.emb, m.w.att_norm, m.w.wq, m.w.wk, m.w.wv, m.w.wo, m.w.ffn_norm,
                          m.w.w1, m.w.w2, m.w.w3, m.w.out_norm, shared ? NULL : m.w.wcls };
    float *keep = malloc(m.n_params * 4);
    memcpy(keep, m.params, m.n_params * 4);
    int kinds = shared ? 11 : 12;
    double worst = 0;
    char d[512] = "";
    for (int k = 0; k < kinds; k++) {
        size_t a = (size_t)(starts[k] - m.params);
        size_t b = k + 1 < kinds ? (size_t)(starts[k + 1] - m.params) : m.n_params;
        if (k == 10)
            b = a + (size_t)c.dim;
        double gg = 0;
        for (size_t i = a; i < b; i++)
            gg += (double)g[i] * g[i];
        double gn = sqrt(gg);
        float h = (float)(1e-2 / (gn > 0 ? gn : 1));    /* a step of length 1e-2 along g */
        double jl[2];
        for (int side = 0; side < 2; side++) {
            memcpy(m.params, keep, m.n_params * 4);
            for (size_t i = a; i < b; i++)
                m.params[i] += (side ? -h : h) * g[i];
            tr_model_sync(&m);
            jl[side] = tr_sequence(&m, w, in, T, 1.0f, false) / T;
        }
        double num = (jl[0] - jl[1]) / (2e-2);       /* directional derivative, = |g| when right */
        double rel = fabs(num - gn) / fmax(gn, 1e-6);
        worst = fmax(worst, rel);
        size_t o = strlen(d);
        snprintf(d + o, sizeof(d) - o, "%s%s %.2g", k ? ", " : "", names[k], rel);
    }
    memcpy(m.params, keep, m.n_params * 4);
    char name[160];
    snprintf(name, sizeof(name), "whole model (%s classifier, %d/%d heads) along the gradient of "
             "each parameter kind, relative error < 1%%", shared ? "tied" : "untied", c.n_heads, n_kv);
    check(worst < 1e-2, name, d);
    free(keep);
    tr_worker_free(w);
    tr_model_free(&m);
}

/* ---- the checkpoint in modules/infer ---------------------------------------------------------- */

static void *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long l = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = aligned_alloc(64, ((size_t)l + 64) / 64 * 64);
    if (fread(p, 1, (size_t)l, f) != (size_t)l) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = (size_t)l;
    return p;
}

static int gen_cb(void *arg, int token, const char *text, size_t len)
{
    (void)token;
    fwrite(text, 1, len, stdout);
    *(size_t *)arg += len;
    return 0;
}

static int test_infer(const char *model, const char *tok)
{
    size_t ms, ts;
    void *md = slurp(model, &ms), *td = slurp(tok, &ts);
    char err[INF_ERR_MAX];
    struct inf_model m;
    int ok = md && td && inf_model_load(&m, model, md, ms, td, ts, err) == 0;
    check(ok, "the checkpoint and tokenizer load in modules/infer", ok ? "" : err);
    if (!ok)
        return 1;
    /* the trainer's forward pass and infer's agree on every position's logits */
    struct tr_config c = { m.cfg.dim, m.cfg.hidden_dim, m.cfg.n_layers, m.cfg.n_heads,
                           m.cfg.n_kv_heads, m.cfg.vocab_size, m.cfg.seq_len,
                           m.cfg.shared_classifier };
    struct tr_model tm;
    tr_model_init(&tm, &c);
    memcpy(tm.params, (const char *)md + 28, (size_t)(tm.w.out_norm - tm.params + c.dim) * 4);
    if (!c.shared_classifier)
        memcpy(tm.w.wcls, m.wcls.data, (size_t)c.vocab_size * c.dim * 4);
    tr_model_sync(&tm);
    int T = c.seq_len < 24 ? c.seq_len : 24, in[256];
    int n = inf_encode(&m.tok, "Q: What is a fortune cookie? A: A lucky guess, mostly.", true, false,
                       in, 256);
    for (int i = n < 0 ? 0 : n; i <= T; i++)
        in[i] = 3 + i;
    struct tr_worker *w = tr_worker_new(&c, T);
    tr_sequence(&tm, w, in, T, 1.0f, false);
    struct inf_state st;
    inf_state_init(&st, &m.cfg, T);
    double worst = 0;
    for (int t = 0; t < T; t++) {
        float *l = inf_forward(&m, &st, in[t], t);
        const float *tl = tr_worker_logits(w) + (size_t)t * c.vocab_size;
        for (int i = 0; i < c.vocab_size; i++)
            worst = fmax(worst, fabs((double)l[i] - tl[i]));
    }
    char d[96];
    snprintf(d, sizeof(d), "%d positions, max |difference| %.2g", T, worst);
    check(worst < 1e-3, "infer's forward pass gives the trainer's logits", d);
    inf_state_free(&st);
    tr_worker_free(w);
    tr_model_free(&tm);
    /* generation */
    struct inf_params p = { .steps = 0, .max_tokens = 40, .temperature = 0.8f, .top_p = 0.9f,
                            .seed = 5 };
    struct inf_session *s = inf_session_create(&m, &p, err);
    size_t out = 0;
    enum inf_finish fin = INF_FINISH_ERROR;
    if (s) {
        printf("# sample: ");
        fin = inf_generate(s, "A", gen_cb, &out);
        printf("\n");
        inf_session_free(s);
    }
    snprintf(d, sizeof(d), "%zu bytes, finish %s", out, inf_finish_name(fin));
    check(s && out > 0 && fin != INF_FINISH_ERROR, "modules/infer generates from the checkpoint", d);
    inf_model_free(&m);
    free(md);
    free(td);
    return 0;
}

/* ---- tokenization ------------------------------------------------------------------------------ */

static int test_encode(const char *dir, const char *tokpath, int max)
{
    struct corpus c;
    char err[256] = "";
    size_t ts;
    void *td = slurp(tokpath, &ts);
    if (corpus_load(&c, dir, "ascii-art", err, sizeof(err)) < 0 || !td) {
        check(0, "corpus and tokenizer", err);
        return 1;
    }
    struct inf_tokenizer t;
    /* the vocabulary size is the file's: count its entries */
    int V = 0;
    for (size_t off = 4; off + 8 <= ts; V++) {
        int32_t len;
        memcpy(&len, (char *)td + off + 4, 4);
        off += 8 + (size_t)len;
    }
    if (inf_tokenizer_load_bin(&t, "tok", td, ts, V, err) < 0) {
        check(0, "tokenizer loads", err);
        return 1;
    }
    int same = 0, total = 0, *whole = NULL;
    size_t cap = 0, n = 0, bytes = 0, tokens = 0;
    int *mine = NULL;
    char first[256] = "";
    for (int i = 0; i < c.n && i < max; i++) {
        size_t l = strlen(c.text[i]);
        whole = realloc(whole, (l * 4 + 8) * sizeof(int));
        int k = inf_encode(&t, c.text[i], true, false, whole, (int)(l * 4 + 8));
        n = 0;
        bpe_encode(&t, c.text[i], &mine, &n, &cap);
        total++;
        if (k == (int)n && memcmp(whole, mine, n * sizeof(int)) == 0)
            same++;
        else if (!first[0])
            snprintf(first, sizeof(first), "first difference in text %d", i);
        bytes += l;
        tokens += n;
    }
    char d[400];
    snprintf(d, sizeof(d), "%d of %d texts, %.2f bytes/token%s%s", same, total,
             (double)bytes / (double)tokens, first[0] ? "; " : "", first);
    check(same == total, "chunked training encoding == infer's encoding of the whole text", d);
    /* every byte-fallback token and BOS/EOS are where llama2.c puts them */
    int layout = t.bos == 1 && t.eos == 2 && t.byte_id[0] == 3 && t.byte_id[255] == 258;
    check(layout, "tokenizer layout: <s> 1, </s> 2, <0x00>..<0xFF> at 3..258", "");
    free(whole);
    free(mine);
    inf_tokenizer_free(&t);
    free(td);
    corpus_free(&c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "grad") == 0) {
        test_matmul();
        test_rmsnorm();
        test_rope();
        test_attention();
        test_swiglu();
        test_embedding();
        test_cross_entropy();
        test_model(true, 4);
        test_model(false, 2);
    } else if (argc >= 4 && strcmp(argv[1], "infer") == 0) {
        test_infer(argv[2], argv[3]);
    } else if (argc >= 4 && strcmp(argv[1], "encode") == 0) {
        test_encode(argv[2], argv[3], argc >= 5 ? atoi(argv[4]) : 1 << 30);
    } else {
        fprintf(stderr, "usage: test_train grad | infer MODEL TOK | encode CORPUS TOK [MAX]\n");
        return 2;
    }
    return failures ? 1 : 0;
}
