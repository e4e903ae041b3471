/*
 * anx-train: trains the bundled model (examples/model) on the host.
 *
 *   anx-train [--corpus DIR] [--skip NAMES] [--out DIR] [--tokenizer TOK]
 *             [--vocab N] [--dim N] [--hidden N] [--layers N] [--heads N]
 *             [--kv-heads N] [--seq-len N] [--untied] [--batch N] [--steps N]
 *             [--lr X] [--min-lr X] [--warmup N] [--schedule cosine|linear]
 *             [--wd X] [--clip X] [--seed N] [--shards N] [--threads N]
 *             [--ckpt-every N] [--log-every N] [--eval-every N]
 *             [--max-texts N] [--kernels NAME] [--quiet]
 *
 * Reads the fortune cookie files, learns a BPE vocabulary (or takes
 * --tokenizer), writes OUT/tokenizer.bin, trains and writes OUT/model.bin
 * (llama2.c checkpoint) every --ckpt-every steps and at the end. The
 * result depends only on the options and the corpus: each step's batch
 * is split into --shards fixed shards whose gradients are summed in shard
 * order, whatever --threads is. Exit codes: 0 ok, 1 failure, 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "bpe.h"
#include "trainer.h"

struct opts {
    const char *corpus, *skip, *out, *tokenizer, *schedule, *kernels;
    int vocab, dim, hidden, layers, heads, kv_heads, seq_len, batch, steps, warmup, shards,
        threads, ckpt_every, log_every, eval_every, max_texts;
    bool untied, quiet;
    double lr, min_lr, wd, clip;
    uint64_t seed;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: anx-train [--corpus DIR] [--skip NAMES] [--out DIR] [--tokenizer TOK]\n"
            "                 [--vocab N] [--dim N] [--hidden N] [--layers N] [--heads N]\n"
            "                 [--kv-heads N] [--seq-len N] [--untied] [--batch N] [--steps N]\n"
            "                 [--lr X] [--min-lr X] [--warmup N] [--schedule cosine|linear]\n"
            "                 [--wd X] [--clip X] [--seed N] [--shards N] [--threads N]\n"
            "                 [--ckpt-every N] [--log-every N] [--eval-every N]\n"
            "                 [--max-texts N] [--kernels scalar|sse2|avx2|neon] [--quiet]\n");
    exit(2);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc((size_t)(n > 0 ? n : 1));
    if (!p || (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n)) {
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return p;
}

/* ---- one step across shards ---------------------------------------------------------------- */

struct job {
    const struct tr_model *m;
    struct tr_worker **w;
    const int *data;                /* token stream */
    const size_t *start;            /* batch window starts */
    int batch, shards, threads, tid, T;
    float scale;
    double *loss;                   /* per shard */
    int failed;
};

static void *run_shards(void *arg)
{
    struct job *j = arg;
    for (int s = j->tid; s < j->shards; s += j->threads) {
        tr_worker_zero(j->w[s]);
        double loss = 0.0;
        for (int b = s * j->batch / j->shards; b < (s + 1) * j->batch / j->shards; b++) {
            double l = tr_sequence(j->m, j->w[s], j->data + j->start[b], j->T, j->scale, true);
            if (l < 0.0)
                j->failed = 1;
            loss += l;
        }
        j->loss[s] = loss;
    }
    return NULL;
}

static int step_grads(const struct tr_model *m, struct tr_worker **w, const int *data,
                      const size_t *start, int batch, int shards, int threads, int T,
                      double *loss)
{
    struct job jobs[64];
    pthread_t th[64];
    if (threads > shards)
        threads = shards;
    for (int t = 0; t < threads; t++)
        jobs[t] = (struct job){ m, w, data, start, batch, shards, threads, t, T,
                                1.0f / (float)(batch * T), loss, 0 };
    for (int t = 1; t < threads; t++)
        if (pthread_create(&th[t], NULL, run_shards, &jobs[t]) != 0)
            return -1;
    run_shards(&jobs[0]);
    int failed = jobs[0].failed;
    for (int t = 1; t < threads; t++) {
        pthread_join(th[t], NULL);
        failed |= jobs[t].failed;
    }
    return failed ? -1 : 0;
}

static double eval_loss(const struct tr_model *m, struct tr_worker *w, const int *data, size_t n,
                        int T, int windows)
{
    if (n < (size_t)T + 2)
        return NAN;
    double loss = 0.0;
    for (int i = 0; i < windows; i++) {
        size_t s = (n - (size_t)T - 1) * (size_t)i / (size_t)windows;
        loss += tr_sequence(m, w, data + s, T, 1.0f, false);
    }
    return loss / ((double)windows * T);
}

/* ---- main ------------------------------------------------------------------------------------- */

static int arg_int(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage();
    char *e;
    long v = strtol(argv[++*i], &e, 10);
    if (*e || v < 0 || v > 1 << 30)
        usage();
    return (int)v;
}

static double arg_num(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage();
    char *e;
    double v = strtod(argv[++*i], &e);
    if (*e)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    struct opts o = {
        .corpus = "/usr/share/games/fortunes", .skip = "ascii-art", .out = ".",
        .schedule = "cosine", .vocab = 1024, .dim = 128, .hidden = 384, .layers = 4,
        .heads = 4, .kv_heads = 4, .seq_len = 128, .batch = 16, .steps = 1000, .warmup = 100,
        .shards = 2, .threads = 2, .ckpt_every = 250, .log_every = 10, .eval_every = 250,
        .lr = 2e-3, .min_lr = 2e-4, .wd = 0.1, .clip = 1.0, .seed = 1,
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define STR(name, f) else if (strcmp(a, name) == 0) { if (i + 1 >= argc) usage(); o.f = argv[++i]; }
#define INT(name, f) else if (strcmp(a, name) == 0) o.f = arg_int(argc, argv, &i);
#define NUM(name, f) else if (strcmp(a, name) == 0) o.f = arg_num(argc, argv, &i);
        if (0) {}
        STR("--corpus", corpus) STR("--skip", skip) STR("--out", out) STR("--tokenizer", tokenizer)
        STR("--schedule", schedule) STR("--kernels", kernels)
        INT("--vocab", vocab) INT("--dim", dim) INT("--hidden", hidden) INT("--layers", layers)
        INT("--heads", heads) INT("--kv-heads", kv_heads) INT("--seq-len", seq_len)
        INT("--batch", batch) INT("--steps", steps) INT("--warmup", warmup) INT("--shards", shards)
        INT("--threads", threads) INT("--ckpt-every", ckpt_every) INT("--log-every", log_every)
        INT("--eval-every", eval_every) INT("--max-texts", max_texts)
        NUM("--lr", lr) NUM("--min-lr", min_lr) NUM("--wd", wd) NUM("--clip", clip)
        else if (strcmp(a, "--seed") == 0) o.seed = (uint64_t)arg_int(argc, argv, &i);
        else if (strcmp(a, "--untied") == 0) o.untied = true;
        else if (strcmp(a, "--quiet") == 0) o.quiet = true;
        else usage();
#undef STR
#undef INT
#undef NUM
    }
    if (o.batch < 1 || o.shards < 1 || o.shards > 64 || o.shards > o.batch || o.threads < 1 ||
        o.steps < 1 || (strcmp(o.schedule, "cosine") && strcmp(o.schedule, "linear")))
        usage();
    if (o.kernels && tn_select_kernels(o.kernels) < 0) {
        fprintf(stderr, "anx-train: kernels %s are not available on this CPU\n", o.kernels);
        return 1;
    }
    char err[512] = "";
    double t0 = now();

    /* corpus and tokenizer */
    struct corpus corpus;
    if (corpus_load(&corpus, o.corpus, o.skip, err, sizeof(err)) < 0) {
        fprintf(stderr, "anx-train: %s\n", err);
        return 1;
    }
    while (o.max_texts > 0 && corpus.n > o.max_texts)
        free(corpus.text[--corpus.n]);
    mkdir(o.out, 0777);
    char tok_path[4096], model_path[4096];
    snprintf(tok_path, sizeof(tok_path), "%s/tokenizer.bin", o.out);
    snprintf(model_path, sizeof(model_path), "%s/model.bin", o.out);
    if (!o.tokenizer) {
        struct vocab v;
        if (bpe_train(&v, &corpus, o.vocab, 20) < 0 || bpe_write(&v, tok_path) < 0) {
            fprintf(stderr, "anx-train: %s: cannot train or write the tokenizer\n", tok_path);
            return 1;
        }
        vocab_free(&v);
        o.tokenizer = tok_path;
    }
    size_t tok_size;
    void *tok_data = read_file(o.tokenizer, &tok_size);
    struct inf_tokenizer tok;
    if (!tok_data) {
        fprintf(stderr, "anx-train: %s: %s\n", o.tokenizer, strerror(errno));
        return 1;
    }
    if (inf_tokenizer_load_bin(&tok, o.tokenizer, tok_data, tok_size, o.vocab, err) < 0) {
        fprintf(stderr, "anx-train: %s\n", err);
        return 1;
    }
    if (strcmp(o.tokenizer, tok_path) != 0) {       /* keep the pair together in OUT */
        FILE *f = fopen(tok_path, "wb");
        if (!f || fwrite(tok_data, 1, tok_size, f) != tok_size || fclose(f) != 0) {
            fprintf(stderr, "anx-train: %s: cannot write\n", tok_path);
            return 1;
        }
    }

    /* token streams: every 50th text is held out for validation */
    int *train = NULL, *val = NULL;
    size_t n_train = 0, cap_train = 0, n_val = 0, cap_val = 0;
    for (int i = 0; i < corpus.n; i++) {
        int r = i % 50 == 49 ? bpe_encode(&tok, corpus.text[i], &val, &n_val, &cap_val)
                             : bpe_encode(&tok, corpus.text[i], &train, &n_train, &cap_train);
        if (r < 0) {
            fprintf(stderr, "anx-train: cannot encode text %d\n", i);
            return 1;
        }
    }
    if (!o.quiet)
        printf("corpus: %d texts, %zu bytes; %zu training tokens (%.2f bytes/token), %zu held out; "
               "vocab %d; kernels %s; %.1fs\n", corpus.n, corpus.bytes, n_train,
               (double)corpus.bytes * 49 / 50 / (double)(n_train ? n_train : 1), n_val, o.vocab,
               tn_kernels()->name, now() - t0);
    int T = o.seq_len;
    if (n_train < (size_t)T + 2) {
        fprintf(stderr, "anx-train: the corpus has %zu tokens, fewer than a sequence of %d\n",
                n_train, T);
        return 1;
    }

    /* model and optimizer */
    struct tr_config cfg = { o.dim, o.hidden, o.layers, o.heads, o.kv_heads, o.vocab, o.seq_len,
                             !o.untied };
    if (tr_config_check(&cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "anx-train: %s\n", err);
        return 1;
    }
    struct tr_model m;
    if (tr_model_init(&m, &cfg) < 0) {
        fprintf(stderr, "anx-train: out of memory\n");
        return 1;
    }
    tr_model_randomize(&m, o.seed);
    size_t P = m.n_params;
    float *grad = calloc(P, sizeof(float)), *mom = calloc(P, sizeof(float)),
          *var = calloc(P, sizeof(float));
    unsigned char *decay = calloc(P, 1);
    struct tr_worker *w[64];
    for (int s = 0; s < o.shards; s++)
        if (!(w[s] = tr_worker_new(&cfg, T))) {
            fprintf(stderr, "anx-train: out of memory\n");
            return 1;
        }
    if (!grad || !mom || !var || !decay) {
        fprintf(stderr, "anx-train: out of memory\n");
        return 1;
    }
    /* weight decay on the matrices, not on the norm gains */
    memset(decay, 1, P);
    size_t D = (size_t)cfg.dim, L = (size_t)cfg.n_layers;
    memset(decay + (m.w.att_norm - m.params), 0, L * D);
    memset(decay + (m.w.ffn_norm - m.params), 0, L * D);
    memset(decay + (m.w.out_norm - m.params), 0, D);
    if (!o.quiet)
        printf("model: dim %d hidden %d layers %d heads %d/%d vocab %d ctx %d%s: %zu parameters "
               "(%.2f MiB f32); batch %d x %d tokens, %d steps, lr %g -> %g (%s, warmup %d), "
               "wd %g, clip %g, seed %llu, %d shards on %d threads\n",
               cfg.dim, cfg.hidden_dim, cfg.n_layers, cfg.n_heads, cfg.n_kv_heads, cfg.vocab_size,
               cfg.seq_len, cfg.shared_classifier ? " tied" : " untied", P,
               (double)P * 4 / 1048576.0, o.batch, T, o.steps, o.lr, o.min_lr, o.schedule,
               o.warmup, o.wd, o.clip, (unsigned long long)o.seed, o.shards, o.threads);
    fflush(stdout);

    uint64_t rng = o.seed ^ 0x5eed5eed5eed5eedull;
    size_t *start = calloc((size_t)o.batch, sizeof(size_t));
    double shard_loss[64];
    const double b1 = 0.9, b2 = 0.95, eps = 1e-8;
    double t_train = now(), t_log = t_train, loss_avg = 0.0;
    int log_steps = 0;
    for (int step = 1; step <= o.steps; step++) {
        double lr;
        if (step <= o.warmup)
            lr = o.lr * step / o.warmup;
        else {
            double f = o.steps > o.warmup ? (double)(step - o.warmup) / (o.steps - o.warmup) : 1.0;
            double k = strcmp(o.schedule, "cosine") == 0 ? 0.5 * (1.0 + cos(M_PI * f)) : 1.0 - f;
            lr = o.min_lr + (o.lr - o.min_lr) * k;
        }
        for (int b = 0; b < o.batch; b++)
            start[b] = (size_t)(tr_rand(&rng) % (uint64_t)(n_train - (size_t)T - 1));
        if (step_grads(&m, w, train, start, o.batch, o.shards, o.threads, T, shard_loss) < 0) {
            fprintf(stderr, "anx-train: out of memory\n");
            return 1;
        }
        double loss = 0.0;
        memcpy(grad, tr_worker_grad(w[0]), P * sizeof(float));
        loss += shard_loss[0];
        for (int s = 1; s < o.shards; s++) {
            tn_add(grad, grad, tr_worker_grad(w[s]), P);
            loss += shard_loss[s];
        }
        loss /= (double)o.batch * T;
        double norm = 0.0;
        for (size_t i = 0; i < P; i++)
            norm += (double)grad[i] * grad[i];
        norm = sqrt(norm);
        float gs = o.clip > 0 && norm > o.clip ? (float)(o.clip / norm) : 1.0f;
        /* AdamW */
        float c1 = (float)(1.0 / (1.0 - pow(b1, step))), c2 = (float)(1.0 / (1.0 - pow(b2, step)));
        float flr = (float)lr, fwd = (float)(lr * o.wd);
        for (size_t i = 0; i < P; i++) {
            float g = grad[i] * gs;
            mom[i] = (float)b1 * mom[i] + (float)(1.0 - b1) * g;
            var[i] = (float)b2 * var[i] + (float)(1.0 - b2) * g * g;
            float upd = (mom[i] * c1) / (sqrtf(var[i] * c2) + (float)eps);
            if (decay[i])
                m.params[i] -= fwd * m.params[i];
            m.params[i] -= flr * upd;
        }
        tr_model_sync(&m);
        loss_avg += loss;
        log_steps++;
        if (!o.quiet && (step % o.log_every == 0 || step == o.steps)) {
            double t = now();
            printf("step %d/%d loss %.4f lr %.2e grad-norm %.3f tok/s %.0f elapsed %.1fs\n", step,
                   o.steps, loss_avg / log_steps, lr, norm,
                   (double)log_steps * o.batch * T / (t - t_log), t - t0);
            fflush(stdout);
            t_log = t;
            loss_avg = 0.0;
            log_steps = 0;
        }
        if ((o.eval_every && step % o.eval_every == 0) || step == o.steps) {
            double te = now(), vl = eval_loss(&m, w[0], val, n_val, T, 16);
            if (!o.quiet) {
                printf("eval step %d val-loss %.4f\n", step, vl);
                fflush(stdout);
            }
            t_log += now() - te;            /* the next tok/s counts training only */
        }
        if ((o.ckpt_every && step % o.ckpt_every == 0) || step == o.steps) {
            if (tr_save_llama2c(&m, model_path) < 0) {
                fprintf(stderr, "anx-train: %s: cannot write\n", model_path);
                return 1;
            }
        }
    }
    double t_end = now();
    if (!o.quiet)
        printf("done: %d steps, %.0f tokens in %.1fs training (%.0f tok/s), %.1fs total; wrote %s "
               "and %s\n", o.steps, (double)o.steps * o.batch * T, t_end - t_train,
               (double)o.steps * o.batch * T / (t_end - t_train), t_end - t0, model_path, tok_path);
    for (int s = 0; s < o.shards; s++)
        tr_worker_free(w[s]);
    tr_model_free(&m);
    free(grad); free(mom); free(var); free(decay); free(start); free(train); free(val);
    free(tok_data);
    inf_tokenizer_free(&tok);
    corpus_free(&corpus);
    return 0;
}
