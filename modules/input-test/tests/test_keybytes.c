/* Host tests of keybytes.c: characters as UTF-8, editing keys as VT100
 * sequences, keys that type nothing. */
#include <stdio.h>
#include <string.h>
#include "keybytes.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static int is(uint16_t code, uint32_t ch, const char *want)
{
    char out[4];
    size_t n = input_test_key_bytes(code, ch, out);
    return n == strlen(want) && memcmp(out, want, n) == 0;
}

int main(void)
{
    CHECK(is(30, 'a', "a"));
    CHECK(is(28, '\r', "\r"));
    CHECK(is(46, 0x03, "\x03"));                    /* Ctrl-C */
    CHECK(is(26, 0xfc, "\xc3\xbc"));                /* ü */
    CHECK(is(18, 0x20ac, "\xe2\x82\xac"));          /* € */
    CHECK(is(0, 0x1f600, "\xf0\x9f\x98\x80"));
    CHECK(is(103, 0, "\x1b[A"));                    /* Up */
    CHECK(is(105, 0, "\x1b[D"));
    CHECK(is(111, 0, "\x1b[3~"));                   /* Delete */
    CHECK(is(59, 0, ""));                           /* F1 */
    CHECK(is(42, 0, ""));                           /* Shift */
    CHECK(is(0, 0x110000, ""));                     /* not a character */
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
