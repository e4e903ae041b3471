/*
 * anx-model: the tensor and infer modules compiled for the host.
 *
 *   anx model generate MODEL [--tokenizer TOK] [--prompt P] [--steps N]
 *                      [--temperature T] [--top-p P] [--seed S] [--stop STR]...
 *                      [--kernels scalar|sse2|avx2|neon] [--f32-act] [--quiet]
 *                      [--max-tokens N] [--ids] [--timings] [--threads N]
 *   anx model convert IN.bin --tokenizer TOK -o OUT.gguf
 *                     [--type f32|f16|q8_0|q4_0|q4_k|q6_k|q4_k_m] [--name NAME]
 *   anx model info MODEL [--tokenizer TOK]
 *   anx model random -o OUT.gguf --dim D --hidden H --layers L --heads N --kv-heads K
 *                    --vocab V --ctx C [--type T] [--seed S] [--untied] [--name NAME]
 *   anx model --help
 *
 * generate prints what llama2.c's run prints for the same settings: the
 * prompt, then the completion, then "achieved tok/s" on stderr.
 * Exit codes: 0 ok, 1 failure, 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <anx/parallel.h>
#include "infer.h"
#include "convert.h"

static void usage_to(FILE *f)
{
    fprintf(f,
            "usage: anx model generate MODEL [--tokenizer TOK] [--prompt P] [--steps N]\n"
            "                          [--temperature T] [--top-p P] [--seed S] [--stop STR]\n"
            "                          [--kernels scalar|sse2|avx2|neon] [--f32-act] [--quiet]\n"
            "                          [--max-tokens N] [--ids] [--timings] [--threads N]\n"
            "       anx model convert IN.bin --tokenizer TOK -o OUT.gguf\n"
            "                         [--type f32|f16|q8_0|q4_0|q4_k|q6_k|q4_k_m] [--name NAME]\n"
            "       anx model info MODEL [--tokenizer TOK]\n"
            "       anx model random -o OUT.gguf --dim D --hidden H --layers L --heads N\n"
            "                        --kv-heads K --vocab V --ctx C [--type T (as convert)]\n"
            "                        [--seed S] [--untied] [--name NAME]\n"
            "       anx model --help\n"
            "MODEL is a llama2.c checkpoint (.bin, with --tokenizer) or a GGUF file. convert writes\n"
            "NAME (default: OUT's file name without .gguf) as the GGUF's general.name. q4_k_m:\n"
            "q6_k for token_embd and output, q4_k for the other matrices. Under q4_k, q6_k and\n"
            "q4_k_m a matrix whose rows are not a multiple of 256 is stored as q8_0.\n"
            "random writes a llama GGUF of that shape with seeded random weights and a synthetic\n"
            "SentencePiece vocabulary (a test and benchmark model, not a trained one).\n"
            "generate --ids prints the token ids (the prompt's, BOS first, then the completion's)\n"
            "instead of the text; --timings adds prompt and generation tok/s on stderr.\n"
            "--threads N (1-16, default 1) spreads each matmul and attention over N threads,\n"
            "as an image spreads them over its CPUs (the same tokens whatever N).\n"
            "Exit codes: 0 ok, 1 failure, 2 usage.\n");
}

/* A usage mistake: the usage on stderr, exit 2. */
static void usage(void)
{
    usage_to(stderr);
    exit(2);
}

void *anx_model_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "anx model: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = aligned_alloc(64, ((size_t)(n > 0 ? n : 1) + 63) / 64 * 64);
    if (!p || (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n)) {
        fprintf(stderr, "anx model: %s: cannot read\n", path);
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return p;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int print_text(void *arg, int token, const char *text, size_t len)
{
    (void)arg;
    (void)token;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    return 0;
}

static int cmd_generate(int argc, char **argv)
{
    const char *model = NULL, *tokp = NULL, *prompt = "", *kern = NULL;
    const char *stops[16];
    struct inf_params p = { .steps = 256, .temperature = 1.0f, .top_p = 0.9f };
    int quiet = 0, f32act = 0, ids = 0, timings = 0, threads = 1;
    p.seed = (uint64_t)time(NULL);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') { if (model) usage(); model = a; continue; }
        if (strcmp(a, "--quiet") == 0) { quiet = 1; continue; }
        if (strcmp(a, "--f32-act") == 0) { f32act = 1; continue; }
        if (strcmp(a, "--ids") == 0) { ids = quiet = 1; continue; }
        if (strcmp(a, "--timings") == 0) { timings = 1; continue; }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (strcmp(a, "--tokenizer") == 0) tokp = v;
        else if (strcmp(a, "--prompt") == 0) prompt = v;
        else if (strcmp(a, "--steps") == 0) p.steps = atoi(v);
        else if (strcmp(a, "--max-tokens") == 0) p.max_tokens = atoi(v);
        else if (strcmp(a, "--temperature") == 0) p.temperature = strtof(v, NULL);
        else if (strcmp(a, "--top-p") == 0) p.top_p = strtof(v, NULL);
        else if (strcmp(a, "--seed") == 0) p.seed = strtoull(v, NULL, 0);
        else if (strcmp(a, "--kernels") == 0) kern = v;
        else if (strcmp(a, "--threads") == 0) {
            threads = atoi(v);
            if (threads < 1 || threads > 16) {
                fprintf(stderr, "anx model: --threads %s: 1 to 16\n", v);
                return 2;
            }
        }
        else if (strcmp(a, "--stop") == 0 && p.n_stop < 16) stops[p.n_stop++] = v;
        else usage();
    }
    if (!model) usage();
    if (kern && tn_select_kernels(kern) < 0) {
        fprintf(stderr, "anx model: kernels '%s' are not available on this CPU\n", kern);
        return 2;
    }
    p.stop = stops;
    anx_parallel_set_workers((unsigned)threads);
    size_t ms = 0, ts = 0;
    void *md = anx_model_read_file(model, &ms), *td = NULL;
    if (!md || (tokp && !(td = anx_model_read_file(tokp, &ts)))) return 1;
    struct inf_model m;
    char err[INF_ERR_MAX];
    if (inf_model_load(&m, model, md, ms, td, ts, err) < 0) {
        fprintf(stderr, "anx model: %s\n", err);
        return 1;
    }
    m.act = f32act ? TN_ACT_F32 : TN_ACT_Q8_0;
    struct inf_session *s = inf_session_create(&m, &p, err);
    if (!s) {
        fprintf(stderr, "anx model: %s\n", err);
        return 1;
    }
    double t0 = now();
    int np = inf_session_prompt(s, prompt);
    if (np < 0) {
        fprintf(stderr, "anx model: the prompt does not fit in the context\n");
        return 1;
    }
    /* echo the prompt as llama2.c does */
    int n;
    const int *tok = inf_session_tokens(s, &n);
    char piece[8200];
    for (int i = 1; i < np && !quiet; i++) {
        size_t l = inf_decode(&m.tok, tok[i - 1], tok[i], piece, sizeof(piece));
        fwrite(piece, 1, l, stdout);
    }
    double t1 = now();
    enum inf_finish f;
    while ((f = inf_session_step(s, quiet ? NULL : print_text, NULL)) == INF_RUNNING)
        ;
    double t2 = now();
    struct inf_usage u = inf_session_usage(s);
    if (ids) {                  /* prompt ids, then completion ids, one line each */
        tok = inf_session_tokens(s, &n);
        for (int i = 0; i < n; i++)
            printf("%d%s", tok[i], i == np - 1 || i == n - 1 ? "\n" : " ");
        if (n == np)
            printf("\n");
    }
    if (!quiet)
        printf("\n");
    fflush(stdout);     /* the text before the statistics on a shared terminal */
    fprintf(stderr, "achieved tok/s: %.1f (prompt %d tokens, completion %d tokens, finish %s, kernels %s)\n",
            (u.prompt_tokens - 1 + u.completion_tokens) / (t2 - t0 > 0 ? t2 - t0 : 1e-9),
            u.prompt_tokens, u.completion_tokens, inf_finish_name(f), tn_kernels()->name);
    if (timings)    /* the prompt's first token (BOS) runs too, so it counts */
        fprintf(stderr, "timings: prompt %d tokens %.1f tok/s, generation %d tokens %.1f tok/s\n",
                np, np / (t1 - t0 > 0 ? t1 - t0 : 1e-9), u.completion_tokens,
                u.completion_tokens / (t2 - t1 > 0 ? t2 - t1 : 1e-9));
    inf_session_free(s);
    inf_model_free(&m);
    free(md);
    free(td);
    return f == INF_FINISH_ERROR;
}

static int cmd_info(int argc, char **argv)
{
    const char *model = NULL, *tokp = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--tokenizer") == 0 && i + 1 < argc) tokp = argv[++i];
        else if (argv[i][0] != '-' && !model) model = argv[i];
        else usage();
    }
    if (!model) usage();
    size_t ms = 0, ts = 0;
    void *md = anx_model_read_file(model, &ms), *td = NULL;
    if (!md || (tokp && !(td = anx_model_read_file(tokp, &ts)))) return 1;
    struct inf_model m;
    char err[INF_ERR_MAX], d[256];
    int rc = tokp || (ms >= 4 && !memcmp(md, "GGUF", 4))
                 ? inf_model_load(&m, model, md, ms, td, ts, err)
                 : inf_load_llama2c(&m, model, md, ms, err);
    if (rc < 0) {
        fprintf(stderr, "anx model: %s\n", err);
        return 1;
    }
    inf_model_describe(&m, d, sizeof(d));
    printf("%s: %s\n", model, d);
    printf("name: %s\nrope base: %g\nrms eps: %g\nsize: %zu bytes\n", m.name, m.cfg.rope_base,
           m.cfg.rms_eps, ms);
    if (m.has_tokenizer)
        printf("tokenizer: %s, %d tokens, bos %d, eos %d\n", m.tok.type == INF_TOK_SPM ? "llama (SentencePiece)" : "gpt2 (BPE)",
               m.tok.vocab_size, m.tok.bos, m.tok.eos);
    char td2[128];
    tn_describe(&m.tok_emb, td2, sizeof(td2));
    printf("token_embd: %s\n", td2);
    tn_describe(&m.layers[0].wq, td2, sizeof(td2));
    printf("blk.0.attn_q: %s\n", td2);
    tn_describe(&m.layers[0].w2, td2, sizeof(td2));
    printf("blk.0.ffn_down: %s\n", td2);
    printf("kernels: %s\n", tn_kernels()->name);
    inf_model_free(&m);
    free(md);
    free(td);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)          /* anx model [COMMAND] --help */
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 || (i == 1 && strcmp(argv[i], "help") == 0)) {
            usage_to(stdout);
            return 0;
        }
    if (argc < 2) usage();
    if (strcmp(argv[1], "generate") == 0) return cmd_generate(argc - 2, argv + 2);
    if (strcmp(argv[1], "info") == 0) return cmd_info(argc - 2, argv + 2);
    if (strcmp(argv[1], "convert") == 0) return anx_model_convert(argc - 2, argv + 2);
    if (strcmp(argv[1], "random") == 0) return anx_model_random(argc - 2, argv + 2);
    usage();
    return 2;
}
