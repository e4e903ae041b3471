/*
 * json.h - a small, strict JSON (RFC 8259) parser and string writer.
 *
 * oa_json_parse() reads a whole document into a flat array of values (the
 * root is v[0]; containers link their members through first/next). It is
 * strict: no comments, trailing commas, leading zeros, bare control
 * characters, invalid UTF-8, lone surrogates or trailing garbage; nesting
 * is limited to JSON_MAX_DEPTH. String escapes, \uXXXX and surrogate pairs
 * are decoded to UTF-8 (NUL-terminated; \u0000 is kept, so use len).
 * Numbers keep their text and a double. Errors give a message and the byte
 * offset where the problem is. Duplicate object keys are accepted and
 * oa_json_get() returns the last one (as Python's json does).
 */
#ifndef OA_JSON_H
#define OA_JSON_H

#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
    enum json_type type;
    const char *str;        /* string: decoded text; number: its source text */
    size_t len;
    double num;             /* number */
    const char *key;        /* member name when the parent is an object */
    size_t key_len;
    int first, next;        /* first member, next sibling: indices or -1 */
    int count;              /* members of an array/object */
};

struct json_doc {
    struct json_value *v;   /* v[0] is the root */
    int n, cap;
    char *strs;             /* decoded strings */
    size_t strs_used;
};

struct json_error {
    size_t offset;          /* byte offset of the problem in the input */
    char msg[96];
    bool oom;               /* out of memory: not the input's fault */
};

/* 0, or -1 with e filled (and d empty). Free d with oa_json_free either way. */
int oa_json_parse(struct json_doc *d, const char *text, size_t n, struct json_error *e);
void oa_json_free(struct json_doc *d);
/* The member key of object obj (the last if repeated), or NULL. */
const struct json_value *oa_json_get(const struct json_doc *d, const struct json_value *obj,
                                  const char *key);
const struct json_value *oa_json_at(const struct json_doc *d, int index);   /* NULL for -1 */
const char *oa_json_type_name(enum json_type t);

/* ---- writing ---------------------------------------------------------------------------- */

/* Strings are written with the router's rt_json_str (router.h). */
/* Length of the longest prefix of s[0..n) that does not end inside a
 * UTF-8 sequence that could still be completed (for streaming). */
size_t oa_utf8_complete_prefix(const char *s, size_t n);

#endif
