/*
 * chunk.h - documents cut into passages for embedding (module vecstore).
 *
 * A passage is at most size bytes of the text. Each cut is made at the best
 * boundary in the second half of the window: the end of a paragraph (a
 * blank line) if there is one, else the end of a sentence (. ! ? followed by
 * white space), else white space between words, else - one word longer than
 * the window - at the last UTF-8 character boundary, so no passage ever
 * splits a character. The next passage starts overlap bytes before the
 * cut, moved forward to the start of a word (and of a character), so
 * context spans the seam without half words. Passages are trimmed of
 * surrounding white space; white space alone yields none.
 *
 *     struct vec_chunk c[64];
 *     int n = vec_chunk_text(text, len, 512, 64, c, 64);
 *     ... text + c[i].off, c[i].len
 *
 * Sizes are in bytes (what an embedding's token budget roughly follows).
 * Pure: no allocation, no I/O.
 */
#ifndef VEC_CHUNK_H
#define VEC_CHUNK_H

#include <stddef.h>

struct vec_chunk {
    size_t off, len;                /* the passage is text[off .. off + len) */
};

/* Cut text[0..len) into passages of at most size bytes (size >= 16) that
 * overlap by about overlap bytes (0 <= overlap <= size / 2). Writes at
 * most max passages; returns how many the whole text has (more than max:
 * call again with room), or ANX_EINVAL for sizes out of range. */
int vec_chunk_text(const char *text, size_t len, size_t size, size_t overlap,
                   struct vec_chunk *out, int max);

#endif
