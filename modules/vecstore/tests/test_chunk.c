/*
 * Host tests of the chunker (chunk.h): passages within size, cut at
 * paragraph before sentence before word before character, overlap moved to
 * a word start, UTF-8 never split, white space alone yields nothing, the
 * whole text covered, and random texts against those invariants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chunk.h"

static int passed, failed;
#define CHECK(c, ...) do { static char once_; if (c) { passed += !once_; once_ = 1; } else { failed++;                    \
    printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static int chunk(const char *t, size_t size, size_t overlap, struct vec_chunk *c, int max)
{
    return vec_chunk_text(t, strlen(t), size, overlap, c, max);
}

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* Every passage: within size, trimmed, starting and ending on characters. */
static void invariants(const char *t, size_t len, size_t size, size_t overlap, const char *what)
{
    struct vec_chunk c[4096];
    int n = vec_chunk_text(t, len, size, overlap, c, 4096);
    CHECK(n >= 0 && n <= 4096, "%s: n %d", what, n);
    size_t covered = 0;
    for (int i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)t + c[i].off;
        int ok = c[i].len > 0 && c[i].len <= size && c[i].off + c[i].len <= len &&
                 !is_space((char)p[0]) && !is_space((char)p[c[i].len - 1]) &&
                 (p[0] & 0xC0) != 0x80 &&
                 (c[i].off + c[i].len == len || (p[c[i].len] & 0xC0) != 0x80);
        if (!ok) {
            CHECK(0, "%s: passage %d (%zu+%zu) breaks an invariant", what, i, c[i].off, c[i].len);
            return;
        }
        if (i) CHECK(c[i].off > c[i - 1].off, "%s: passages go forward", what);
        /* no gap but white space between passages */
        for (size_t k = covered; k < c[i].off; k++)
            if (!is_space(t[k]) && (t[k] & 0xC0) != 0x80) {
                CHECK(0, "%s: byte %zu is in no passage", what, k);
                return;
            }
        if (c[i].off + c[i].len > covered)
            covered = c[i].off + c[i].len;
    }
    for (size_t k = covered; k < len; k++)
        if (!is_space(t[k])) {
            CHECK(0, "%s: the tail from %zu is in no passage", what, k);
            return;
        }
}

int main(void)
{
    struct vec_chunk c[64];
    CHECK(chunk("abc", 8, 0, c, 64) < 0, "size below 16");
    CHECK(chunk("abc", 32, 17, c, 64) < 0, "overlap above size/2");
    CHECK(chunk("", 32, 0, c, 64) == 0, "empty");
    CHECK(chunk("  \n\n \t ", 32, 0, c, 64) == 0, "white space only");
    int n = chunk("  short text  ", 32, 0, c, 64);
    CHECK(n == 1 && c[0].off == 2 && c[0].len == 10, "one trimmed passage");

    /* a paragraph break in the window wins over a later sentence end */
    const char *t = "First para one. Still one.\n\nSecond para. More words here to fill it up.";
    n = chunk(t, 48, 0, c, 64);
    CHECK(n >= 2 && c[0].len == strlen("First para one. Still one."), "paragraph cut: %zu",
          n ? c[0].len : 0);
    CHECK(n >= 2 && !strncmp(t + c[1].off, "Second", 6), "second starts at Second");

    /* no paragraph: the last sentence end in the window */
    t = "One two three four. Five six seven eight. Nine ten eleven twelve thirteen.";
    n = chunk(t, 48, 0, c, 64);
    CHECK(n >= 2 && c[0].len == strlen("One two three four. Five six seven eight."),
          "sentence cut: %zu", c[0].len);

    /* no sentence: the last space */
    t = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda";
    n = chunk(t, 20, 0, c, 64);
    CHECK(n > 1 && c[0].len <= 20 && t[c[0].off + c[0].len] == ' ', "word cut");
    for (int i = 0; i < n; i++)
        CHECK(c[i].off == 0 || t[c[i].off - 1] == ' ', "passage %d starts a word", i);

    /* one long word of 2-byte characters: cut on a character boundary */
    char w[200] = "";
    for (int i = 0; i < 50; i++)
        strcat(w, "\xc3\xa9");           /* é */
    n = chunk(w, 17, 0, c, 64);
    CHECK(n > 1, "long word cut");
    for (int i = 0; i < n; i++)
        CHECK(c[i].len % 2 == 0 && c[i].off % 2 == 0, "é not split: %zu+%zu", c[i].off, c[i].len);

    /* overlap: the next passage repeats the end of the one before, from a word start */
    t = "aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq rr ss tt uu vv ww xx yy zz";
    n = chunk(t, 24, 8, c, 64);
    CHECK(n > 2, "overlap passages %d", n);
    for (int i = 1; i < n; i++) {
        CHECK(c[i].off < c[i - 1].off + c[i - 1].len, "passage %d overlaps the one before", i);
        CHECK(t[c[i].off - 1] == ' ', "passage %d starts at a word", i);
    }
    /* the count without room, then the passages */
    CHECK(vec_chunk_text(t, strlen(t), 24, 8, NULL, 0) == n, "count only");

    /* random texts of words, punctuation, paragraphs and multi-byte characters */
    static const char *parts[] = {"word", " ", " ", ". ", "\n\n", "\xe2\x82\xac",
                                  "\xf0\x9f\x98\x80",
                                  "longerwordwithoutspaces", "\xc3\xa9t\xc3\xa9", "!", "\n"};
    unsigned s = 1;
    for (int round = 0; round < 300; round++) {
        char buf[3000] = "";
        size_t len = 0;
        while (len < 2000) {
            s = s * 1103515245u + 12345u;
            const char *p = parts[(s >> 16) % 11];
            memcpy(buf + len, p, strlen(p));
            len += strlen(p);
        }
        size_t size = 16 + (s >> 8) % 300, ov = ((s >> 4) % 100) % (size / 2 + 1);
        char what[64];
        snprintf(what, sizeof(what), "random %d (size %zu overlap %zu)", round, size, ov);
        invariants(buf, len, size, ov, what);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
