/*
 * chunk.c - paragraph, sentence, word, character: the cut points of a
 * passage, in that order of preference (chunk.h).
 */
#include <anx/errno.h>
#include <anx/lib.h>
#include "chunk.h"

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* The best cut in (lo, hi]: the passage is text[.. cut). */
static size_t best_cut(const char *t, size_t lo, size_t hi)
{
    for (size_t i = hi; i > lo + 1; i--)            /* a blank line */
        if (t[i - 1] == '\n' && t[i - 2] == '\n')
            return i;
    for (size_t i = hi; i > lo + 1; i--)            /* a sentence end and white space */
        if (space(t[i - 1]) && (t[i - 2] == '.' || t[i - 2] == '!' || t[i - 2] == '?'))
            return i;
    for (size_t i = hi; i > lo; i--)                /* white space */
        if (space(t[i - 1]))
            return i;
    size_t i = hi;                                  /* a character boundary */
    while (i > lo && continuation(t[i]))
        i--;
    return i > lo ? i : hi;
}

int vec_chunk_text(const char *text, size_t len, size_t size, size_t overlap,
                   struct vec_chunk *out, int max)
{
    if (size < 16 || overlap > size / 2)
        return ANX_EINVAL;
    int n = 0;
    size_t pos = 0;
    for (;;) {
        while (pos < len && (space(text[pos]) || continuation(text[pos])))
            pos++;
        if (pos >= len)
            break;
        size_t end;
        if (len - pos <= size) {
            end = len;
        } else {
            /* text[pos + size] exists: a cut there is a boundary when it
             * starts a character. */
            end = best_cut(text, pos + size / 2, pos + size);
        }
        size_t e = end;
        while (e > pos && space(text[e - 1]))
            e--;
        if (n < max)
            out[n] = (struct vec_chunk){pos, e - pos};
        n++;
        if (end >= len)
            break;
        /* Back up by overlap, then forward to a word's start; always past pos. */
        size_t next = end - overlap;
        if (overlap) {
            while (next < end && continuation(text[next]))
                next++;
            if (next > 0 && !space(text[next - 1]))
                while (next < end && !space(text[next]))
                    next++;
        }
        pos = next > pos ? next : end;
    }
    return n;
}
