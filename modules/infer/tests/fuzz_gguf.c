/* libFuzzer harness: the GGUF reader and llama model binding on any bytes. */
#include <stdlib.h>
#include <string.h>
#include "infer.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    void *copy = aligned_alloc(64, (size + 64) / 64 * 64);   /* models need aligned memory */
    memcpy(copy, data, size);
    struct inf_model m;
    char err[INF_ERR_MAX];
    if (inf_load_gguf(&m, "fuzz.gguf", copy, size, err) == 0) {
        int t[64];
        if (m.has_tokenizer)
            inf_encode(&m.tok, "Hello world", true, false, t, 64);
        inf_model_free(&m);
    }
    free(copy);
    return 0;
}
