/*
 * Argument reduction for sin, cos and tan: x = n pi/2 + y, |y| <= pi/4,
 * y returned as y[0] + y[1] (about 118 bits), n mod 8 returned.
 *
 * |x| < 2^20 pi/2: Cody-Waite with pi/2 in three 33-bit parts (fdlibm's
 * constants; n*part is exact because n < 2^20), the second and third
 * parts used only when cancellation calls for them.
 * Beyond: Payne-Hanek. x = m 2^e (m an integer of 53 bits); only the
 * bits of 2/pi from about 2^-(e-1) on matter (those before give multiples
 * of 4 in x 2/pi, which change neither the quadrant nor the fraction), so
 * m times a 192-bit window of 2/pi gives n and the fraction to >= 130
 * bits, enough for the closest a double comes to a multiple of pi/2
 * (about 2^-61 relative). Any finite x is reduced exactly.
 */
#include <stdint.h>

#include "math_impl.h"

/* 2/pi, bits 1..1216 after the binary point (0.a2f9836e...) */
static const uint64_t two_over_pi[19] = {
    0xa2f9836e4e441529, 0xfc2757d1f534ddc0, 0xdb6295993c439041, 0xfe5163abdebbc561,
    0xb7246e3a424dd2e0, 0x06492eea09d1921c, 0xfe1deb1cb129a73e, 0xe88235f52ebb4484,
    0xe99c7026b45f7e41, 0x3991d639835339f4, 0x9c845f8bbdf9283b, 0x1ff897ffde05980f,
    0xef2f118b5a0a6d1f, 0x6d367ecf27cb09b7, 0x4f463f669e5fea2d, 0x7527bac7ebe5f17b,
    0x3d0739f78a5292ea, 0x6bfb5fb11f8d5d08, 0x56033046fc7b6bab,
};
/* pi/2 as a 128-bit fixed-point number with 127 fraction bits */
static const uint64_t pio2_hi128 = 0xc90fdaa22168c234, pio2_lo128 = 0xc4c6628b80dc1cd1;

typedef unsigned __int128 u128;

/* Bits [pos, pos + 64) of 2/pi (bit 1 is the first after the point). */
static uint64_t window64(int pos)
{
    int w = (pos - 1) / 64, b = (pos - 1) % 64;
    uint64_t hi = w < 19 ? two_over_pi[w] : 0, lo = w + 1 < 19 ? two_over_pi[w + 1] : 0;
    return b ? hi << b | lo >> (64 - b) : hi;
}

static double pow2(int k) { return libc_from_bits((uint64_t)(k + 1023) << 52); }

static int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

/* The high 128 bits of a * b. */
static u128 mul_high(u128 a, u128 b)
{
    uint64_t a1 = (uint64_t)(a >> 64), a0 = (uint64_t)a, b1 = (uint64_t)(b >> 64), b0 = (uint64_t)b;
    u128 p11 = (u128)a1 * b1, p10 = (u128)a1 * b0, p01 = (u128)a0 * b1, p00 = (u128)a0 * b0;
    u128 mid = (p00 >> 64) + (uint64_t)p10 + (uint64_t)p01;
    return p11 + (p10 >> 64) + (p01 >> 64) + (mid >> 64);
}

/* Payne-Hanek for |x| >= 2^19 pi/2 (finite). */
static int large(double x, double *y)
{
    uint64_t u = libc_bits(x);
    int e = (int)(u >> 52 & 0x7ff) - 1075;           /* |x| = m 2^e, e >= -33 */
    uint64_t m = (u & ((1ull << 52) - 1)) | 1ull << 52;
    int s = e - 1 > 1 ? e - 1 : 1;                    /* the first bit of 2/pi used */
    uint64_t p0 = window64(s), p1 = window64(s + 64), p2 = window64(s + 128);
    /* r = m * (p0:p1:p2), 256 bits as rh:rl */
    u128 t2 = (u128)m * p2, t1 = (u128)m * p1 + (t2 >> 64), t0 = (u128)m * p0 + (t1 >> 64);
    u128 rh = t0, rl = t1 << 64 | (uint64_t)t2;
    /* x 2/pi = r 2^-point (mod 4); point is in 190 .. 225 */
    int point = s + 191 - e;
    uint64_t n = (uint64_t)(rh >> (point - 128));
    int sh = 256 - point;                             /* the fraction, left-aligned */
    u128 f = rh << sh | rl >> (128 - sh);
    int neg = 0;
    if (f >> 127) {                                   /* >= 1/2: the next n, a negative y */
        n++;
        f = -f;
        neg = 1;
    }
    if (!f) {
        y[0] = y[1] = 0.0;
    } else {
        int lz = clz128(f);
        f <<= lz;                                     /* fraction = f 2^-(128 + lz) */
        u128 h = mul_high(f, (u128)pio2_hi128 << 64 | pio2_lo128);   /* y = h 2^-(127 + lz) */
        int top = 127 - clz128(h), cut = top - 52;
        u128 keep = h >> cut << cut, rest = h - keep;
        double scale = pow2(-127 - lz);
        double hi = (double)(uint64_t)(h >> cut) * pow2(cut) * scale;
        double lo = (double)(uint64_t)(rest >> 11) * pow2(11) * scale;
        libc_two_sum(hi, lo, &y[0], &y[1]);
        if (neg) {
            y[0] = -y[0];
            y[1] = -y[1];
        }
    }
    if (u >> 63) {
        y[0] = -y[0];
        y[1] = -y[1];
        return (int)(-(n & 7));
    }
    return (int)(n & 7);
}

int libc_rem_pio2(double x, double *y)
{
    static const double invpio2 = 6.36619772367581382433e-01, pio2_1 = 1.57079632673412561417e+00,
                        pio2_1t = 6.07710050650619224932e-11, pio2_2 = 6.07710050630396597660e-11,
                        pio2_2t = 2.02226624879595063154e-21, pio2_3 = 2.02226624871116645580e-21,
                        pio2_3t = 8.47842766036889956997e-32;
    uint32_t ix = libc_high(x) & 0x7fffffff;
    if (ix > 0x413921fb)
        return large(x, y);
    double t = __builtin_fabs(x);
    int n = (int)(t * invpio2 + 0.5);
    double fn = n, r = t - fn * pio2_1, w = fn * pio2_1t;
    int j = (int)(ix >> 20);
    y[0] = r - w;
    if (j - (int)(libc_high(y[0]) >> 20 & 0x7ff) > 16) {   /* cancellation: more of pi/2 */
        t = r;
        w = fn * pio2_2;
        r = t - w;
        w = fn * pio2_2t - ((t - r) - w);
        y[0] = r - w;
        if (j - (int)(libc_high(y[0]) >> 20 & 0x7ff) > 49) {
            t = r;
            w = fn * pio2_3;
            r = t - w;
            w = fn * pio2_3t - ((t - r) - w);
            y[0] = r - w;
        }
    }
    y[1] = (r - y[0]) - w;
    if (x < 0) {
        y[0] = -y[0];
        y[1] = -y[1];
        return -n;
    }
    return n;
}
