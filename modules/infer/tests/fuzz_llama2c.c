/* libFuzzer harness: the llama2.c checkpoint and tokenizer.bin loaders. The
 * first byte picks the parser; a loaded model runs one forward step. */
#include <stdlib.h>
#include <string.h>
#include "infer.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    void *copy = aligned_alloc(64, (size + 64) / 64 * 64);
    memcpy(copy, data + 1, size - 1);
    char err[INF_ERR_MAX];
    if (data[0] & 1) {
        struct inf_tokenizer t;
        if (inf_tokenizer_load_bin(&t, "tok.bin", copy, size - 1, 1 + data[0] / 2, err) == 0) {
            int ids[64];
            inf_encode(&t, "Once upon a time", true, false, ids, 64);
            inf_tokenizer_free(&t);
        }
    } else {
        struct inf_model m;
        if (inf_load_llama2c(&m, "model.bin", copy, size - 1, err) == 0) {
            struct inf_state s;
            if (m.cfg.seq_len <= 64 && m.cfg.dim <= 256 && m.cfg.hidden_dim <= 1024 &&
                inf_state_init(&s, &m.cfg, 4) == 0) {
                inf_forward(&m, &s, 0, 0);
                inf_state_free(&s);
            }
            inf_model_free(&m);
        }
    }
    free(copy);
    return 0;
}
