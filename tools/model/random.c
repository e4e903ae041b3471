/*
 * anx model random: a llama-architecture GGUF of any shape with seeded
 * random weights, for testing the engine against llama.cpp at shapes no
 * shipped model has (grouped-query attention, an untied output, a 32000
 * vocabulary) and for benchmarking at a realistic size.
 *
 * Each matrix is N(0, 1/sqrt(its input size)): every layer's output and
 * the logits then have a spread about 1, so attention scores vary and
 * greedy decoding has clear winners. A fresh llama's N(0, 0.02) does not
 * do here: at dim 128 its logits were so flat (log-probabilities -6.25
 * +- 0.01 over 1024 tokens) that the top two differed by 2.5e-5, and any
 * two correct engines break such ties differently. Norm weights are
 * 1 + N(0, 0.1).
 *
 * The tokenizer is a synthetic SentencePiece vocabulary laid out as
 * llama2.c's: 0 <unk>, 1 <s>, 2 </s>, 3..258 the byte tokens <0x00>..<0xFF>,
 * then single characters and pieces each made by joining two earlier ones
 * (so the SentencePiece merge loop can reach every piece), scored so that
 * earlier pieces merge first.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "convert.h"

#define PIECE_MAX 16                    /* bytes of a joined piece */

/* splitmix64: seeded, the same stream on every platform */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)     /* (0, 1): 53 random bits, never 0 (log below) */
{
    return ((double)(next_u64(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Box-Muller; one value per call keeps the stream simple to reason about */
static float normal(uint64_t *s, float std)
{
    double u = uniform(s), v = uniform(s);
    return (float)(std * sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

static int alloc_rand(struct tn_tensor *t, const char *name, int64_t ne0, int64_t ne1,
                      float mean, float std, uint64_t *seed)
{
    int64_t ne[2] = { ne0, ne1 };
    if (tn_tensor_alloc(t, name, TN_F32, ne1 > 1 ? 2 : 1, ne) < 0)
        return -1;
    float *x = t->data;
    for (int64_t i = 0; i < ne0 * ne1; i++)
        x[i] = mean + normal(seed, std);
    return 0;
}

/* FNV-1a over a NUL-terminated piece; the set is open addressing on ids */
static uint32_t hash(const char *p)
{
    uint32_t h = 2166136261u;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static int set_add(int *set, uint32_t cap, char **vocab, int id)
{
    uint32_t h = hash(vocab[id]) & (cap - 1);
    for (; set[h] >= 0; h = (h + 1) & (cap - 1))
        if (strcmp(vocab[set[h]], vocab[id]) == 0)
            return 0;
    set[h] = id;
    return 1;
}

/* The synthetic vocabulary of V tokens (V >= 259 + the single characters). */
static int make_vocab(struct inf_tokenizer *t, int V, uint64_t *seed)
{
    static const char singles[] = " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                  ".,!?'\"-:;()\n";
    uint32_t cap = 1;
    while (cap < 2u * (uint32_t)V)
        cap <<= 1;
    int *set = malloc(cap * sizeof(int));
    t->vocab = calloc((size_t)V, sizeof(char *));
    t->scores = calloc((size_t)V, sizeof(float));
    if (!set || !t->vocab || !t->scores) {
        free(set);
        return -1;
    }
    memset(set, -1, cap * sizeof(int));
    t->vocab_size = V;
    t->type = INF_TOK_SPM;
    t->bos = 1;
    t->eos = 2;
    int n = 0, failed = 0;
    char buf[PIECE_MAX * 2 + 1];
#define PUT(s, score) do { float sc_ = (score); t->vocab[n] = strdup(s); \
                           failed |= !t->vocab[n]; t->scores[n++] = sc_; } while (0)
    PUT("<unk>", 0.0f);
    PUT("<s>", 0.0f);
    PUT("</s>", 0.0f);
    for (int b = 0; b < 256; b++) {
        snprintf(buf, sizeof(buf), "<0x%02X>", b);
        PUT(buf, 0.0f);
    }
    if (failed)
        goto oom;
    for (int i = 0; i < n; i++)
        set_add(set, cap, t->vocab, i);
    int first = n;                  /* the first mergeable piece */
    for (const char *c = singles; *c && n < V; c++) {
        buf[0] = *c;
        buf[1] = 0;
        PUT(buf, -(float)(n - first));
        if (failed)
            goto oom;
        set_add(set, cap, t->vocab, n - 1);
    }
    /* Joins of two earlier pieces, the left one drawn towards the start of
     * a word (a leading space) as SentencePiece vocabularies mostly are. */
    int tries = 0;
    while (n < V) {
        if (++tries > 1000 * V)     /* a vocabulary this large cannot be joined this way */
            goto oom;
        int a = first + (int)(next_u64(seed) % (uint64_t)(n - first));
        int b = first + (int)(next_u64(seed) % (uint64_t)(n - first));
        size_t la = strlen(t->vocab[a]), lb = strlen(t->vocab[b]);
        if (la + lb > PIECE_MAX || (t->vocab[b][0] == ' ') || (la == 1 && next_u64(seed) % 2 &&
                                                                  t->vocab[a][0] != ' '))
            continue;
        memcpy(buf, t->vocab[a], la);
        memcpy(buf + la, t->vocab[b], lb + 1);
        t->vocab[n] = buf;          /* probe before copying */
        int added = set_add(set, cap, t->vocab, n);
        t->vocab[n] = NULL;
        if (!added)
            continue;
        PUT(buf, -(float)(n - first));
        if (failed)
            goto oom;
    }
#undef PUT
    free(set);
    return 0;
oom:
    free(set);
    return -1;
}

static void usage(void)
{
    fprintf(stderr, "usage: anx model random -o OUT.gguf --dim D --hidden H --layers L --heads N\n"
                    "                        --kv-heads K --vocab V --ctx C\n"
                    "                        [--type f32|f16|q8_0|q4_0|q4_k|q6_k|q4_k_m] [--seed S] [--untied]\n"
                    "                        [--name NAME]\n");
}

int anx_model_random(int argc, char **argv)
{
    const char *out = NULL, *type = "f32", *name = NULL;
    long dim = 0, hidden = 0, layers = 0, heads = 0, kv = 0, vocab = 0, ctx = 0;
    uint64_t seed = 1;
    int untied = 0;
    struct { const char *opt; long *v; } ints[] = {
        { "--dim", &dim }, { "--hidden", &hidden }, { "--layers", &layers }, { "--heads", &heads },
        { "--kv-heads", &kv }, { "--vocab", &vocab }, { "--ctx", &ctx },
    };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--untied") == 0) { untied = 1; continue; }
        if (i + 1 >= argc) {
            fprintf(stderr, "anx model random: unexpected argument %s\n", a);
            usage();
            return 2;
        }
        const char *v = argv[++i];
        int known = 1;
        if (strcmp(a, "-o") == 0) out = v;
        else if (strcmp(a, "--type") == 0) type = v;
        else if (strcmp(a, "--name") == 0) name = v;
        else if (strcmp(a, "--seed") == 0) seed = strtoull(v, NULL, 0);
        else known = 0;
        for (size_t k = 0; !known && k < sizeof(ints) / sizeof(ints[0]); k++)
            if (strcmp(a, ints[k].opt) == 0) {
                char *end;
                *ints[k].v = strtol(v, &end, 10);
                if (*end || *ints[k].v <= 0 || *ints[k].v > (1L << 20)) {
                    fprintf(stderr, "anx model random: %s %s: a number from 1 to 1048576\n", a, v);
                    return 2;
                }
                known = 1;
            }
        if (!known) {
            fprintf(stderr, "anx model random: unexpected argument %s\n", a);
            usage();
            return 2;
        }
    }
    if (!out || !dim || !hidden || !layers || !heads || !kv || !vocab || !ctx) {
        usage();
        return 2;
    }
    const struct anx_model_type *want = anx_model_type_find(type);
    if (!want) {
        fprintf(stderr, "anx model random: unknown type %s (%s)\n", type, anx_model_type_names);
        return 2;
    }
    /* the shape rules the loader (inf_config_check) applies, said in the options' terms */
    const char *bad = dim % heads ? "--dim must be a multiple of --heads"
                    : heads % kv ? "--heads must be a multiple of --kv-heads"
                    : (dim / heads) % 2 ? "--dim / --heads (the head size) must be even"
                    : vocab < 259 + 75 ? "--vocab must be at least 334 (259 special and byte "
                                         "tokens, 75 characters)"
                    : NULL;
    if (bad) {
        fprintf(stderr, "anx model random: %s\n", bad);
        return 2;
    }
    char base[64];
    if (!(name = anx_model_gguf_name(name, out, base, sizeof(base), "random")))
        return 2;

    struct inf_model m;
    memset(&m, 0, sizeof(m));
    struct inf_config *c = &m.cfg;
    c->dim = (int)dim;
    c->hidden_dim = (int)hidden;
    c->n_layers = (int)layers;
    c->n_heads = (int)heads;
    c->n_kv_heads = (int)kv;
    c->vocab_size = (int)vocab;
    c->seq_len = (int)ctx;
    c->head_size = (int)(dim / heads);
    c->kv_dim = c->head_size * (int)kv;
    c->rope_base = 10000.0f;
    c->rms_eps = 1e-5f;
    c->shared_classifier = !untied;
    int rc = 1;
    uint64_t s = seed;
    const char *why = "out of memory for the weights";
    m.layers = calloc((size_t)layers, sizeof(*m.layers));
    if (!m.layers || make_vocab(&m.tok, c->vocab_size, &s) < 0) {
        why = "out of memory for the vocabulary (or --vocab too large for joined pieces)";
        goto done;
    }
    m.has_tokenizer = true;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim;
    const float wd = 1.0f / sqrtf((float)D), wh = 1.0f / sqrtf((float)H);
    if (alloc_rand(&m.tok_emb, "token_embd", D, vocab, 0, wd, &s) < 0 ||
        alloc_rand(&m.out_norm, "output_norm", D, 1, 1, 0.1f, &s) < 0 ||
        (untied && alloc_rand(&m.wcls, "output", D, vocab, 0, wd, &s) < 0))
        goto done;
    for (int l = 0; l < c->n_layers; l++) {
        struct inf_layer *L = &m.layers[l];
        if (alloc_rand(&L->att_norm, "attn_norm", D, 1, 1, 0.1f, &s) < 0 ||
            alloc_rand(&L->wq, "attn_q", D, D, 0, wd, &s) < 0 ||
            alloc_rand(&L->wk, "attn_k", D, KV, 0, wd, &s) < 0 ||
            alloc_rand(&L->wv, "attn_v", D, KV, 0, wd, &s) < 0 ||
            alloc_rand(&L->wo, "attn_output", D, D, 0, wd, &s) < 0 ||
            alloc_rand(&L->ffn_norm, "ffn_norm", D, 1, 1, 0.1f, &s) < 0 ||
            alloc_rand(&L->w1, "ffn_gate", D, H, 0, wd, &s) < 0 ||
            alloc_rand(&L->w2, "ffn_down", H, D, 0, wh, &s) < 0 ||
            alloc_rand(&L->w3, "ffn_up", D, H, 0, wd, &s) < 0)
            goto done;
    }
    why = NULL;                     /* the writer says what failed */
    rc = anx_model_write_gguf(&m, name, want, out);
done:
    if (rc && why)
        fprintf(stderr, "anx model random: %s\n", why);
    if (m.layers)
        for (int l = 0; l < c->n_layers; l++) {
            struct inf_layer *L = &m.layers[l];
            struct tn_tensor *ts[] = { &L->att_norm, &L->wq, &L->wk, &L->wv, &L->wo,
                                       &L->ffn_norm, &L->w1, &L->w2, &L->w3 };
            for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++)
                tn_tensor_free(ts[i]);
        }
    free(m.layers);
    tn_tensor_free(&m.tok_emb);
    tn_tensor_free(&m.out_norm);
    tn_tensor_free(&m.wcls);
    for (int i = 0; m.tok.vocab && i < m.tok.vocab_size; i++)
        free(m.tok.vocab[i]);
    free(m.tok.vocab);
    free(m.tok.scores);
    return rc;
}
