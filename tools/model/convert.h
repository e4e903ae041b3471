/* anx-model's commands beyond generate and info, and what they share. */
#ifndef ANX_MODEL_CONVERT_H
#define ANX_MODEL_CONVERT_H
#include <stddef.h>
#include "infer.h"
/* convert: llama2.c checkpoint + tokenizer.bin -> GGUF v3. */
int anx_model_convert(int argc, char **argv);
/* random: a llama GGUF of a given shape with seeded random weights (random.c). */
int anx_model_random(int argc, char **argv);
/* A --type of convert and random (gguf_write.c): the dtype of most
 * matrices, of token_embd/output, and GGUF's general.file_type. */
struct anx_model_type {
    const char *name;
    enum tn_dtype dt, big;
    uint32_t file_type;
};
/* The GGUF's general.name: --name, else OUT's file name without .gguf (in
 * buf); NULL after saying on stderr why it cannot be (empty, over 63 bytes). */
const char *anx_model_gguf_name(const char *name, const char *out, char *buf, size_t size,
                                const char *cmd);
/* NULL for an unknown name (any case); anx_model_type_names lists them. */
const struct anx_model_type *anx_model_type_find(const char *name);
extern const char anx_model_type_names[];
/* m (f32 tensors, SentencePiece tokenizer) to OUT as GGUF v3, matrices as type
 * (gguf_write.c); prints what it wrote on stderr. 0 ok, 1 failure (said on stderr). */
int anx_model_write_gguf(const struct inf_model *m, const char *name,
                         const struct anx_model_type *type, const char *out);
void *anx_model_read_file(const char *path, size_t *size);
#endif
