/* The two rt_buf functions the openai module uses; the router's in an image. */
#include <stdlib.h>
#include <string.h>
#include "../../router/router.h"

void rt_buf_add(struct rt_buf *b, const void *data, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = (b->n + n + 1) * 2;
        char *p = realloc(b->p, nc);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = nc;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = 0;
}

void rt_buf_free(struct rt_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}
