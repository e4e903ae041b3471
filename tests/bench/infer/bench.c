/*
 * Tensor/infer benchmark on the host: GFLOP/s of f32 and q8_0 matmul
 * against OpenBLAS (single-threaded), of every quantized weight type
 * (q8_0, q4_0, q4_K, q6_K) against f32, and generation tokens/s of the
 * engine (best kernels) against the same engine on the plain scalar
 * kernels. Prints; never fails on speed.
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "infer.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fill(float *x, size_t n)
{
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
    }
}

/* run fn until ~0.3 s passed; seconds per call */
#define TIME(expr) ({ double t0 = now(), t; long it = 0; \
    do { expr; it++; t = now() - t0; } while (t < 0.3); t / it; })

int main(int argc, char **argv)
{
    const size_t N = 1024, M = 256;
    float *w = aligned_alloc(64, N * N * 4), *x = aligned_alloc(64, N * 4), *y = aligned_alloc(64, N * 4);
    float *A = aligned_alloc(64, M * M * 4), *B = aligned_alloc(64, M * M * 4), *C = aligned_alloc(64, M * M * 4);
    fill(w, N * N); fill(x, N); fill(A, M * M); fill(B, M * M);
    struct tn_tensor tw, tq, tb;
    int64_t ne[2] = { (int64_t)N, (int64_t)N }, nb[2] = { (int64_t)M, (int64_t)M };
    tn_tensor_view(&tw, "w", TN_F32, 2, ne, w);
    tn_tensor_alloc(&tq, "wq", TN_Q8_0, 2, ne);
    for (size_t r = 0; r < N; r++)
        tn_quantize_row(TN_Q8_0, (char *)tq.data + r * tn_row_bytes(TN_Q8_0, (int64_t)N), w + r * N, (int64_t)N);
    tn_tensor_view(&tb, "b", TN_F32, 2, nb, B);
    struct tn_work work = { 0 };
    printf("kernels: %s; OpenBLAS threads: %s; OPENBLAS_CORETYPE: %s\n", tn_kernels()->name,
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "?",
           getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "(auto)");
    double fl_mv = 2.0 * N * N, fl_mm = 2.0 * M * M * M;
    double t_blas_mv = TIME(cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)N, 1.0f, w, (int)N, x, 1, 0.0f, y, 1));
    double t_mv = TIME(tn_matmul(y, &tw, x, 1, TN_ACT_F32, &work));
    double t_q8 = TIME(tn_matmul(y, &tq, x, 1, TN_ACT_Q8_0, &work));
    /* C = A . B^T (B holds the weight rows), as the engine computes */
    double t_blas_mm = TIME(cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)M, (int)M, 1.0f, A,
                                        (int)M, B, (int)M, 0.0f, C, (int)M));
    double t_mm = TIME(tn_matmul(C, &tb, A, (int)M, TN_ACT_F32, &work));
    printf("%-36s %8.2f GFLOP/s\n", "OpenBLAS sgemv 1024x1024", fl_mv / t_blas_mv * 1e-9);
    printf("%-36s %8.2f GFLOP/s   ratio %.2fx OpenBLAS\n", "tensor f32 matvec 1024x1024", fl_mv / t_mv * 1e-9, t_blas_mv / t_mv);
    printf("%-36s %8.2f GFLOP/s   ratio %.2fx OpenBLAS f32 sgemv\n", "tensor q8_0 matvec 1024x1024", fl_mv / t_q8 * 1e-9, t_blas_mv / t_q8);
    printf("%-36s %8.2f GFLOP/s\n", "OpenBLAS sgemm 256x256x256", fl_mm / t_blas_mm * 1e-9);
    printf("%-36s %8.2f GFLOP/s   ratio %.2fx OpenBLAS\n", "tensor f32 gemm 256x256x256", fl_mm / t_mm * 1e-9, t_blas_mm / t_mm);

    /* the quantized weight types at 2048x2048, one token (the generation
     * step): ggml's k-quants against q8_0/q4_0 and f32 */
    const size_t K = 2048;
    float *wk = aligned_alloc(64, K * K * 4), *xk = aligned_alloc(64, K * 4);
    float *yk = aligned_alloc(64, K * 4);
    fill(wk, K * K); fill(xk, K);
    int64_t nk[2] = { (int64_t)K, (int64_t)K };
    double fl_k = 2.0 * K * K, t_f32k = 0;
    static const enum tn_dtype kdt[] = { TN_F32, TN_Q8_0, TN_Q4_0, TN_Q4_K, TN_Q6_K };
    for (size_t d = 0; d < sizeof(kdt) / sizeof(kdt[0]); d++) {
        struct tn_tensor wq;
        tn_tensor_alloc(&wq, "wk", kdt[d], 2, nk);
        for (size_t r = 0; r < K; r++)
            tn_quantize_row(kdt[d], (char *)wq.data + r * tn_row_bytes(kdt[d], (int64_t)K),
                            wk + r * K, (int64_t)K);
        for (int act = 0; act < (kdt[d] == TN_F32 ? 1 : 2); act++) {
            double tk = TIME(tn_matmul(yk, &wq, xk, 1, act ? TN_ACT_F32 : TN_ACT_Q8_0, &work));
            if (kdt[d] == TN_F32)
                t_f32k = tk;
            char label[64];
            snprintf(label, sizeof(label), "tensor %s matvec 2048x2048%s", tn_dtype_name(kdt[d]),
                     kdt[d] == TN_F32 ? "" : act ? " f32 act" : " q8 act");
            printf("%-36s %8.2f GFLOP/s   ratio %.2fx tensor f32, %.2f bytes/weight\n", label,
                   fl_k / tk * 1e-9, t_f32k / tk, (double)wq.nbytes / (double)(K * K));
        }
        tn_tensor_free(&wq);
    }
    free(wk); free(xk); free(yk);
    tn_work_free(&work);

    if (argc < 3) {
        printf("generation: no model given\n");
        return 0;
    }
    FILE *f = fopen(argv[1], "rb"), *g = fopen(argv[2], "rb");
    if (!f || !g) { printf("generation: cannot open the model\n"); return 0; }
    fseek(f, 0, SEEK_END); size_t ms = (size_t)ftell(f); fseek(f, 0, SEEK_SET);
    fseek(g, 0, SEEK_END); size_t ts = (size_t)ftell(g); fseek(g, 0, SEEK_SET);
    void *md = aligned_alloc(64, (ms + 63) / 64 * 64), *td = malloc(ts);
    if (fread(md, 1, ms, f) != ms || fread(td, 1, ts, g) != ts) return 1;
    struct inf_model m;
    char err[INF_ERR_MAX];
    if (inf_model_load(&m, argv[1], md, ms, td, ts, err) < 0) { printf("%s\n", err); return 1; }
    const char *best = tn_kernels()->name, *order[2] = { "scalar", best };
    double tps[2];
    for (int k = 0; k < 2; k++) {
        tn_select_kernels(order[k]);
        struct inf_params p = { .steps = 256 };
        double t0 = now();
        int tokens = 0, runs = 0;
        while (now() - t0 < 1.0 || runs < 2) {
            struct inf_session *s = inf_session_create(&m, &p, err);
            inf_generate(s, "", NULL, NULL);
            tokens += inf_session_usage(s).completion_tokens;
            inf_session_free(s);
            runs++;
        }
        tps[k] = tokens / (now() - t0);
        printf("generation stories260K, %-7s kernels %9.0f tok/s\n", order[k], tps[k]);
    }
    printf("generation ratio %s / plain scalar: %.2fx\n", best, tps[1] / tps[0]);
    inf_model_free(&m);
    return 0;
}
