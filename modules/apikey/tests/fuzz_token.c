/*
 * Fuzzes the capability-token parser (captoken.c): a bearer value is
 * untrusted input from any HTTP client. ASan + UBSan catch any read past
 * the buffer; the checks catch answers that cannot be right: a token that
 * parses has one spelling (encoding it again gives the same bytes), its
 * fields keep their syntax, it does not verify under a key it was not made
 * with, and a caveat appended to it keeps it parseable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "captoken.h"

static struct apikey_cap t, u;
static char text[APIKEY_CAP_TEXT_MAX + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    if (apikey_cap_decode((const char *)data, size, &t, err, sizeof err))
        return 0;
    if (!apikey_cap_is_id(t.id, strlen(t.id)) || t.n > APIKEY_CAP_CAVEATS)
        abort();
    int n = apikey_cap_encode(&t, text, sizeof text);
    if (n < 0 || (size_t)n != size || memcmp(text, data, size))
        abort();                                   /* a second spelling of one token */
    static const uint8_t root[32] = {7};
    if (apikey_cap_verify(&t, root))
        abort();                                   /* would need a forged HMAC chain */
    if (apikey_cap_add(&t, "rights", "read", err, sizeof err) == 0) {
        n = apikey_cap_encode(&t, text, sizeof text);
        if (n < 0 || apikey_cap_decode(text, (size_t)n, &u, err, sizeof err) || u.n != t.n ||
            memcmp(u.tag, t.tag, 32))
            abort();
    }
    return 0;
}
