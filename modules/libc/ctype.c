/*
 * The two C99 character classes the core lacks (ASCII, the C locale), and
 * XSI's isascii.
 */
#include <ctype.h>

int isgraph(int c) { return c > 0x20 && c < 0x7f; }
int isblank(int c) { return c == ' ' || c == '\t'; }
int isascii(int c) { return c >= 0 && c <= 0x7f; }
