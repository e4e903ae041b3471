/*
 * double <-> long double without the compiler's runtime library. On arm64
 * long double is IEEE binary128, and GCC converts it with libgcc's soft
 * float (__extenddftf2, __trunctfdf2), which an image does not link; so
 * the conversions are done on the bits: widening is exact, narrowing
 * rounds once (libc_round_binary, halfway to even). On x86_64 long double
 * is the x87 format and the cast is an instruction.
 */
#include <float.h>
#include <string.h>

#include "libc_impl.h"

#if LDBL_MANT_DIG == 113

long double libc_ld_from_double(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    uint64_t sign = u >> 63, m = u & ((1ull << 52) - 1);
    int e = (int)(u >> 52 & 0x7ff);
    uint64_t hi, lo;                    /* binary128: sign, 15-bit exponent, 112 bits */
    if (e == 0x7ff) {
        hi = sign << 63 | 0x7fffull << 48 | m >> 4;
        lo = m << 60;
    } else if (e == 0 && m == 0) {
        hi = sign << 63;
        lo = 0;
    } else {
        int ex = e - 1023;
        if (e == 0) {                   /* subnormal double: normal here */
            int lz = __builtin_clzll(m) - 11;
            m = (m << lz) & ((1ull << 52) - 1);
            ex = -1022 - lz;
        }
        hi = sign << 63 | (uint64_t)(ex + 16383) << 48 | m >> 4;
        lo = m << 60;
    }
    long double r;
    uint64_t w[2] = {lo, hi};           /* little-endian */
    memcpy(&r, w, 16);
    return r;
}

double libc_ld_to_double(long double x)
{
    uint64_t w[2];
    memcpy(w, &x, 16);
    uint64_t lo = w[0], hi = w[1];
    int sign = (int)(hi >> 63);
    int e = (int)(hi >> 48 & 0x7fff);
    uint64_t mh = hi & ((1ull << 48) - 1);
    double r;
    if (e == 0x7fff) {
        r = (mh | lo) ? __builtin_nan("") : __builtin_inf();
    } else if (e == 0 && !(mh | lo)) {
        r = 0.0;
    } else {
        /* the 113-bit significand's top 64 bits, the rest as sticky */
        uint64_t q = (e ? 1ull << 63 : 0) | mh << 15 | lo >> 49;
        int sticky = (lo & ((1ull << 49) - 1)) != 0;
        int e2 = (e ? e : 1) - 16383 - 63;
        if (!q) {
            r = 0.0;                    /* far below double's range */
        } else {
            int lz = __builtin_clzll(q);
            q <<= lz;
            e2 -= lz;
            int range;
            r = libc_round_binary(q, e2, sticky, 53, -1022, 1023, &range);
        }
    }
    return sign ? -r : r;
}

#else

long double libc_ld_from_double(double d) { return d; }
double libc_ld_to_double(long double x) { return (double)x; }

#endif
