/*
 * Sampling, as llama2.c: greedy argmax at temperature 0; otherwise
 * softmax(logits / T) and one draw from xorshift64* (top-p: the smallest
 * set of most likely tokens whose probabilities add past p).
 */
#include "infer.h"

static uint32_t random_u32(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (uint32_t)((*state * 0x2545F4914F6CDD1Dull) >> 32);
}

static float random_f32(uint64_t *state)
{
    return (float)(random_u32(state) >> 8) / 16777216.0f;
}

int inf_argmax(const float *x, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}

int inf_sampler_init(struct inf_sampler *s, int vocab_size, float temperature, float top_p,
                     uint64_t seed)
{
    s->vocab_size = vocab_size;
    s->temperature = temperature < 0.0f ? 0.0f : temperature;
    s->top_p = top_p;
    s->rng = seed ? seed : 1;           /* xorshift must not start at 0 */
    s->cand = anx_malloc((size_t)vocab_size * sizeof(*s->cand));
    return s->cand ? 0 : -1;
}

void inf_sampler_free(struct inf_sampler *s)
{
    anx_free(s->cand);
    s->cand = NULL;
}

static int cmp_desc(const void *a, const void *b)
{
    float pa = *(const float *)a, pb = *(const float *)b;
    return pa > pb ? -1 : pa < pb ? 1 : 0;
}

int inf_sample(struct inf_sampler *s, float *logits)
{
    int n = s->vocab_size;
    if (s->temperature == 0.0f)
        return inf_argmax(logits, n);
    for (int i = 0; i < n; i++)
        logits[i] /= s->temperature;
    tn_softmax(logits, (size_t)n);
    float coin = random_f32(&s->rng);
    if (s->top_p <= 0.0f || s->top_p >= 1.0f) {
        float cdf = 0.0f;
        for (int i = 0; i < n; i++) {
            cdf += logits[i];
            if (coin < cdf)
                return i;
        }
        return n - 1;
    }
    /* tokens below (1 - p) / (n - 1) cannot be in the nucleus: drop early */
    float cutoff = (1.0f - s->top_p) / (float)(n - 1);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (logits[i] >= cutoff) {
            s->cand[k].p = logits[i];
            s->cand[k].i = i;
            k++;
        }
    qsort(s->cand, (size_t)k, sizeof(*s->cand), cmp_desc);
    float cum = 0.0f;
    int last = k - 1;
    for (int i = 0; i < k; i++) {
        cum += s->cand[i].p;
        if (cum > s->top_p) {
            last = i;
            break;
        }
    }
    float r = coin * cum, cdf = 0.0f;
    for (int i = 0; i <= last; i++) {
        cdf += s->cand[i].p;
        if (r < cdf)
            return s->cand[i].i;
    }
    return s->cand[last].i;
}
