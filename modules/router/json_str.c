/*
 * JSON strings (RFC 8259 section 7), for every module that writes JSON
 * through the router (openai, objstore-http, the router's own answers).
 * Pure logic: no I/O.
 */
#include <anx/buf.h>
#include <anx/lib.h>

#include "router.h"

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid/incomplete. */
size_t rt_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
    else return 0;
    if (n < len) return 0;
    unsigned cp = c & (0x3f >> (len - 1));
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

void rt_json_str(struct anx_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    anx_buf_add(b, "\"", 1);
    size_t run = 0;                       /* start of the bytes not yet written */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t el = 0;
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; el = 2; }
        else if (c == '\n') { memcpy(esc, "\\n", 2); el = 2; }
        else if (c == '\r') { memcpy(esc, "\\r", 2); el = 2; }
        else if (c == '\t') { memcpy(esc, "\\t", 2); el = 2; }
        else if (c < 0x20 || c == 0x7f) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            el = 6;
        } else if (c >= 0x80) {
            size_t l = rt_utf8_len((const unsigned char *)s + i, n - i);
            if (l) {
                i += l;
                continue;
            }
            memcpy(esc, "\\ufffd", 6);   /* U+FFFD, escaped: the output stays valid whatever the input */
            el = 6;
        } else {
            i++;
            continue;
        }
        anx_buf_add(b, s + run, i - run);
        anx_buf_add(b, esc, el);
        i++;
        run = i;
    }
    anx_buf_add(b, s + run, n - run);
    anx_buf_add(b, "\"", 1);
}
