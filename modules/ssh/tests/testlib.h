/*
 * Host-side helpers of the ssh module's tests: check macros, files, hex,
 * the few JSON fields the recordings' companions hold, and the recording
 * format (golang/crypto ssh/testdata: ">>> Flow N (client to server)"
 * headings followed by hexdump -C lines).
 */
#ifndef SSH_TESTLIB_H
#define SSH_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int t_pass, t_fail, t_cur_fail;
extern const char *t_cur;

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            printf("  %s:%d: %s [%s]\n", __FILE__, __LINE__, #c, t_cur);                                             \
            t_cur_fail++;                                                                                              \
        }                                                                                                              \
    } while (0)
#define CHECK_EQ(a, b)                                                                                                 \
    do {                                                                                                               \
        long long _a = (long long)(a), _b = (long long)(b);                                                            \
        if (_a != _b) {                                                                                                \
            printf("  %s:%d: %s == %lld, expected %lld [%s]\n", __FILE__, __LINE__, #a, _a, _b, t_cur);               \
            t_cur_fail++;                                                                                              \
        }                                                                                                              \
    } while (0)
#define CHECK_MEM(a, an, b, bn)                                                                                        \
    do {                                                                                                               \
        if ((size_t)(an) != (size_t)(bn) || memcmp((a), (b), (size_t)(an)) != 0) {                                     \
            printf("  %s:%d: %s (%zu bytes) differs from %s (%zu bytes) [%s]\n", __FILE__, __LINE__, #a,             \
                   (size_t)(an), #b, (size_t)(bn), t_cur);                                                             \
            t_cur_fail++;                                                                                              \
        }                                                                                                              \
    } while (0)
/* start a named test; t_end() prints ok/FAIL for it */
void t_begin(const char *name);
void t_end(void);
int t_done(void); /* "N passed, N failed", exit status */

/* whole file, NUL-terminated; NULL when unreadable */
char *t_read_file(const char *path, size_t *len);
/* hex string (n hex digits) to bytes; returns the byte count */
size_t t_unhex(const char *hex, size_t n, uint8_t *out);
/* malloc'd bytes of the JSON string value of "key" at or after from (NULL if absent) */
uint8_t *t_json_hex(const char *from, const char *key, size_t *len);
/* malloc'd C string value of "key" */
char *t_json_str(const char *from, const char *key);
/* integer value of "key"; -1 if absent */
long t_json_int(const char *from, const char *key);

/* A recording split by direction. */
struct t_recording {
    uint8_t *c2s, *s2c;
    size_t c2s_len, s2c_len;
};
bool t_recording_load(const char *path, struct t_recording *r);

/* deterministic "random" bytes: a ChaCha20 stream of a fixed key and a counter */
void t_random(void *ctx, uint8_t *buf, size_t n);

#endif
