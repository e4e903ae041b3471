/* Base64 (RFC 4648): see <anx/base64.h>. */
#include <anx/base64.h>

static const char std_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int anx_base64_value(int c, unsigned flags)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (flags & ANX_BASE64_URL)
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

long anx_base64_decode(const char *s, size_t n, uint8_t *out, size_t cap, unsigned flags)
{
    int loose = (flags & ANX_BASE64_LOOSE) != 0;
    if (!loose && n % 4 == 1)
        return -1;
    uint32_t acc = 0;
    unsigned bits = 0, pad = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (loose && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
            continue;
        if (loose && c == '=') {
            if (++pad > 2)
                return -1;
            continue;
        }
        int v = anx_base64_value(c, flags);
        if (v < 0 || pad)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (!loose && acc)
        return -1;
    return (long)o;
}

size_t anx_base64_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

void anx_base64_encode(const uint8_t *in, size_t n, char *out, unsigned flags)
{
    const char *a = flags & ANX_BASE64_URL ? url_alphabet : std_alphabet;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        size_t chars = n - i >= 3 ? 4 : n - i + 1;
        for (size_t k = 0; k < chars; k++)
            out[o++] = a[(v >> (18 - 6 * k)) & 63];
    }
}
