/* The growable buffer of <anx/buf.h>. */
#include <anx/buf.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>

#define FIRST_CAP 64   /* most buffers are short lines or small JSON bodies */

bool anx_buf_reserve(struct anx_buf *b, size_t more)
{
    if (b->oom)
        return false;
    /* the NUL after the content needs one byte; refuse sizes that wrap */
    if (more > (size_t)-1 - b->len - 1) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + more + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : FIRST_CAP;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *p = anx_realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void anx_buf_add(struct anx_buf *b, const void *data, size_t n)
{
    if (!n || !anx_buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void anx_buf_puts(struct anx_buf *b, const char *s)
{
    anx_buf_add(b, s, strlen(s));
}

/* Format into the spare room first; only a line longer than that room
 * needs the second pass after growing. */
void anx_buf_vprintf(struct anx_buf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list again;
    va_copy(again, ap);
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    int n = vsnprintf(room ? b->p + b->len : NULL, room, fmt, ap);
    if (n > 0 && (size_t)n >= room && anx_buf_reserve(b, (size_t)n))
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    if (n > 0 && !b->oom)
        b->len += (size_t)n;
    else if (room)
        b->p[b->len] = 0;   /* nothing added: keep the NUL where it was */
}

void anx_buf_printf(struct anx_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    anx_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void anx_buf_reset(struct anx_buf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->cap)
        b->p[0] = 0;
}

void anx_buf_free(struct anx_buf *b)
{
    anx_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

char *anx_buf_take(struct anx_buf *b)
{
    /* an empty buffer has no block yet, an adopted one maybe no room for
     * the NUL: reserve(0) gives both, or fails for a buffer out of memory */
    if (!anx_buf_reserve(b, 0)) {
        anx_buf_free(b);
        return NULL;
    }
    char *p = b->p;
    p[b->len] = 0;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void anx_buf_adopt(struct anx_buf *b, void *p, size_t n)
{
    anx_free(b->p);
    b->p = p;
    b->len = n;
    b->cap = n;     /* no room for a NUL is known: the next append grows */
    b->oom = false;
}
