/*
 * record.h - a stored vector as the bytes of a state object (module
 * vecstore): mem/COLLECTION/ID holds the vector, the passage it embeds and
 * where the passage came from, so the index is rebuilt from the objects
 * alone at boot.
 *
 *     anx-vector 1\n                 the format and its version
 *     dim 64\n
 *     source docs/a.md\n             the object the passage is from (optional)
 *     version 3\n                    that object's version (with source)
 *     object 5f3a...\n               that version's object id (with source)
 *     offset 120\n                   the passage's byte offset in it
 *     model stories260K.bin\n        the model that embedded it ("" = a raw vector)
 *     \n
 *     dim little-endian float32 values, then the passage's bytes to the end
 *
 * The same facts are in the version's metadata (record_meta in
 * vecstore_module.c), so `store log` and the objects API show the provenance
 * without parsing this. An object's bytes are untrusted: vec_record_parse
 * checks everything and points into the bytes, copying nothing.
 */
#ifndef VEC_RECORD_H
#define VEC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/buf.h>

#define VEC_SOURCE_MAX 200
#define VEC_MODEL_MAX 64

struct vec_record {
    int dim;
    char source[VEC_SOURCE_MAX + 1];    /* "" = none (a passage added by hand) */
    uint32_t version;
    char object[65];                    /* the source version's object id, hex */
    uint64_t offset;
    char model[VEC_MODEL_MAX + 1];
    const unsigned char *vec;           /* dim float32 LE, maybe unaligned */
    const char *text;                   /* the passage, not NUL-terminated */
    size_t text_len;
};

/* Append the object bytes of r (its vec and text ignored) with vector v
 * and the passage text[0..len) to b (check b->oom). */
void vec_record_encode(struct anx_buf *b, const struct vec_record *r, const float *v,
                       const char *text, size_t len);
/* 0, or ANX_EINVAL with why in err (errlen bytes). r points into data. */
int vec_record_parse(const void *data, size_t len, struct vec_record *r, char *err, size_t errlen);
/* r's vector as floats into out (r->dim of them). */
void vec_record_vector(const struct vec_record *r, float *out);

#endif
