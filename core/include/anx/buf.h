/*
 * A growable byte buffer on the core heap (core/lib/buf.c): response
 * bodies, JSON, journal records, files written by the host tools. Text
 * and binary alike; after every append the bytes are followed by a NUL,
 * so a buffer of text is also a C string.
 *
 *     struct anx_buf b = { 0 };             (an empty buffer needs no init call)
 *     anx_buf_puts(&b, "{\"n\": ");
 *     anx_buf_printf(&b, "%d}", n);
 *     if (b.oom) { anx_buf_free(&b); return ANX_ENOMEM; }
 *     send(b.p, b.len);
 *     anx_buf_free(&b);
 *
 * Out of memory is sticky: the first append that cannot grow the buffer
 * sets oom, and every later append does nothing, so a caller builds the
 * whole thing and checks once at the end. The content is then truncated at
 * some append boundary; never use it as if it were complete.
 */
#ifndef ANX_BUF_H
#define ANX_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct anx_buf {
    char *p;       /* the bytes, NUL after them; NULL until the first append */
    size_t len;    /* bytes held, without the NUL */
    size_t cap;    /* bytes allocated at p */
    bool oom;      /* an allocation failed: appends do nothing until reset/free */
};

/* Room for `more` bytes (and the NUL) after the content; false when out
 * of memory (and oom is set) or when oom already was. */
bool anx_buf_reserve(struct anx_buf *b, size_t more);

/* Append n bytes (any values, NULs too). */
void anx_buf_add(struct anx_buf *b, const void *data, size_t n);
/* Append a C string without its NUL. */
void anx_buf_puts(struct anx_buf *b, const char *s);
/* Append as the core's snprintf formats (<anx/printf.h>). */
void anx_buf_printf(struct anx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void anx_buf_vprintf(struct anx_buf *b, const char *fmt, va_list ap);

/* Empty the buffer but keep its memory for reuse, and clear oom. */
void anx_buf_reset(struct anx_buf *b);
/* Free the memory; the buffer is empty and usable again. */
void anx_buf_free(struct anx_buf *b);

/* Hand the content to the caller, who frees it with anx_free: a
 * NUL-terminated block ("" when nothing was appended), or NULL when the
 * buffer ran out of memory (then the content is freed). The buffer is left
 * empty. */
char *anx_buf_take(struct anx_buf *b);
/* The reverse: make a heap block of n bytes (from anx_malloc) the buffer's
 * content without a copy; the old content is freed. The block need not
 * hold a NUL after its n bytes: p[len] is 0 again after the next append. */
void anx_buf_adopt(struct anx_buf *b, void *p, size_t n);

#endif
