/* core/lib/buf.c: the growable buffer of <anx/buf.h> on the core heap. */
#include <stdint.h>
#define UNIT_FILE "buf"
#include "unit.h"
#include <anx/buf.h>
#include <anx/mem.h>
#include <anx/platform.h>

#define ARENA (1u << 20)

TEST(appends_keep_a_nul_after_the_bytes)
{
    struct anx_buf b = { 0 };
    anx_buf_add(&b, "", 0);
    CHECK(b.p == NULL && b.len == 0 && !b.oom);     /* nothing to hold yet */
    anx_buf_puts(&b, "abc");
    anx_buf_add(&b, "d\0e", 3);                     /* bytes, NUL included */
    anx_buf_printf(&b, "[%d %s %04x]", -12, "x", 0xbeef);
    CHECK_EQ(b.len, 3 + 3 + 12);
    CHECK(memcmp(b.p, "abcd\0e[-12 x beef]", b.len) == 0);
    CHECK(b.p[b.len] == 0);
    CHECK(b.cap > b.len);
    anx_buf_free(&b);
    CHECK(b.p == NULL && b.len == 0 && b.cap == 0);
}

/* A printf longer than the spare room takes the grow-and-format-again
 * path; many small appends cross several doublings. */
TEST(grows_across_printf_and_many_appends)
{
    struct anx_buf b = { 0 };
    char want[4096];
    size_t w = 0;
    for (int i = 0; i < 300; i++) {
        anx_buf_printf(&b, "%d,", i);
        w += (size_t)snprintf(want + w, sizeof want - w, "%d,", i);
    }
    char big[300];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    anx_buf_printf(&b, "<%s>", big);
    w += (size_t)snprintf(want + w, sizeof want - w, "<%s>", big);
    CHECK_EQ(b.len, w);
    CHECK_STR(b.p, want);
    CHECK(!b.oom);
    anx_buf_reset(&b);
    CHECK(b.len == 0 && b.p && b.p[0] == 0);        /* memory kept for reuse */
    anx_buf_printf(&b, "%s", "");
    CHECK(b.len == 0 && b.p[0] == 0);
    anx_buf_free(&b);
}

/* Out of memory is sticky: the content so far stays intact and
 * terminated, later appends do nothing, reset starts over. */
TEST(out_of_memory_is_sticky)
{
    struct anx_buf b = { 0 };
    anx_buf_puts(&b, "kept");
    CHECK(!anx_buf_reserve(&b, 8u << 20));          /* far more than the heap has */
    CHECK(b.oom);
    anx_buf_puts(&b, " lost");
    anx_buf_printf(&b, "%d", 42);
    CHECK_EQ(b.len, 4);
    CHECK_STR(b.p, "kept");
    CHECK(!anx_buf_reserve(&b, 1));                 /* even a byte: it is sticky */
    anx_buf_reset(&b);
    CHECK(!b.oom);
    anx_buf_puts(&b, "again");
    CHECK_STR(b.p, "again");
    /* a size that would wrap around is out of memory, not a small block */
    CHECK(!anx_buf_reserve(&b, SIZE_MAX));
    CHECK(b.oom && b.len == 5);
    CHECK(anx_buf_take(&b) == NULL);                /* the truncated content is not handed out */
    CHECK(b.p == NULL && b.len == 0 && !b.oom);
    anx_buf_free(&b);
}

TEST(take_hands_over_the_block)
{
    struct anx_buf b = { 0 };
    char *s = anx_buf_take(&b);
    CHECK(s && s[0] == 0);                          /* "" for an empty buffer */
    anx_free(s);
    anx_buf_printf(&b, "v%d", 3);
    s = anx_buf_take(&b);
    CHECK_STR(s, "v3");
    CHECK(b.p == NULL && b.len == 0 && b.cap == 0);
    anx_free(s);
}

/* adopt: a heap block without a NUL becomes the content; the next append
 * or take terminates it. */
TEST(adopt_takes_a_block_without_copying)
{
    struct anx_buf b = { 0 };
    anx_buf_puts(&b, "old");
    char *blk = anx_malloc(3);
    memcpy(blk, "xyz", 3);
    anx_buf_adopt(&b, blk, 3);
    CHECK(b.p == blk && b.len == 3 && !b.oom);
    anx_buf_puts(&b, "!");
    CHECK_STR(b.p, "xyz!");
    anx_buf_free(&b);
    blk = anx_malloc(2);
    memcpy(blk, "ab", 2);
    anx_buf_adopt(&b, blk, 2);
    char *s = anx_buf_take(&b);
    CHECK_STR(s, "ab");
    anx_free(s);
    anx_buf_adopt(&b, anx_malloc(1), 0);            /* an empty block: reset must not write past it */
    anx_buf_reset(&b);
    anx_buf_puts(&b, "z");
    CHECK_STR(b.p, "z");
    anx_buf_free(&b);
}

int main(void)
{
    unit_heap_init(ARENA);
    RUN(appends_keep_a_nul_after_the_bytes);
    RUN(grows_across_printf_and_many_appends);
    RUN(out_of_memory_is_sticky);
    RUN(take_hands_over_the_block);
    RUN(adopt_takes_a_block_without_copying);
    return unit_done();
}
