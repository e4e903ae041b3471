/* anx-model convert: llama2.c checkpoint + tokenizer.bin -> GGUF v3. */
#ifndef ANX_MODEL_CONVERT_H
#define ANX_MODEL_CONVERT_H
#include <stddef.h>
int anx_model_convert(int argc, char **argv);
void *anx_model_read_file(const char *path, size_t *size);
#endif
