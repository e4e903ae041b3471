/*
 * anx model convert: a llama2.c checkpoint and its tokenizer.bin to a GGUF
 * v3 file with llama metadata (general.name: --name, else the output's
 * file name without .gguf) and the tokenizer in the metadata, the
 * matrices of the --type (gguf_write.c, which anx model random shares,
 * says which types and what happens to rows that do not fit one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "convert.h"

int anx_model_convert(int argc, char **argv)
{
    const char *in = NULL, *tokp = NULL, *out = NULL, *type = "f32", *name = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--tokenizer") == 0 && i + 1 < argc) tokp = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) type = argv[++i];
        else if (argv[i][0] != '-' && !in) in = argv[i];
        else { fprintf(stderr, "anx model convert: unexpected argument %s\n", argv[i]); return 2; }
    }
    if (!in || !tokp || !out) {
        fprintf(stderr, "usage: anx model convert IN.bin --tokenizer TOK -o OUT.gguf "
                "[--type f32|f16|q8_0|q4_0|q4_k|q6_k|q4_k_m] [--name NAME]\n");
        return 2;
    }
    /* The model's name: what people call it, not the input's file name
     * (which is often just model.bin). */
    char base[64];
    if (!(name = anx_model_gguf_name(name, out, base, sizeof(base), "convert")))
        return 2;
    const struct anx_model_type *want = anx_model_type_find(type);
    if (!want) {
        fprintf(stderr, "anx model convert: unknown type %s (%s)\n", type, anx_model_type_names);
        return 2;
    }
    size_t ms, ts;
    void *md = anx_model_read_file(in, &ms), *td = NULL;
    if (!md || !(td = anx_model_read_file(tokp, &ts))) return 1;
    struct inf_model m;
    char err[INF_ERR_MAX];
    if (inf_load_llama2c(&m, in, md, ms, err) < 0 ||
        inf_tokenizer_load_bin(&m.tok, tokp, td, ts, m.cfg.vocab_size, err) < 0) {
        fprintf(stderr, "anx model: %s\n", err);
        return 1;
    }
    m.has_tokenizer = true;
    int rc = anx_model_write_gguf(&m, name, want, out);
    inf_model_free(&m);
    free(md);
    free(td);
    return rc;
}
