/*
 * The 128-bit shifts gcc leaves to libgcc on arm64 at -Os (__ashlti3,
 * __lshrti3, __ashrti3: a shift by a variable count), since images link no
 * libgcc. x86_64 inlines them (shld/shrd), so there is nothing to supply.
 * Written on 64-bit halves, so they cannot call themselves.
 */
#if defined(__aarch64__) && defined(__SIZEOF_INT128__)
#include <stdint.h>

typedef union {
    unsigned __int128 all;
    struct { uint64_t lo, hi; } s;      /* little-endian */
} u128_parts;

unsigned __int128 __ashlti3(unsigned __int128 a, int b);
unsigned __int128 __lshrti3(unsigned __int128 a, int b);
__int128 __ashrti3(__int128 a, int b);

unsigned __int128 __ashlti3(unsigned __int128 a, int b)
{
    u128_parts x = { .all = a }, r;
    if (b == 0)
        return a;
    if (b >= 64) {
        r.s.lo = 0;
        r.s.hi = x.s.lo << (b - 64);
    } else {
        r.s.lo = x.s.lo << b;
        r.s.hi = x.s.hi << b | x.s.lo >> (64 - b);
    }
    return r.all;
}

unsigned __int128 __lshrti3(unsigned __int128 a, int b)
{
    u128_parts x = { .all = a }, r;
    if (b == 0)
        return a;
    if (b >= 64) {
        r.s.hi = 0;
        r.s.lo = x.s.hi >> (b - 64);
    } else {
        r.s.hi = x.s.hi >> b;
        r.s.lo = x.s.lo >> b | x.s.hi << (64 - b);
    }
    return r.all;
}

__int128 __ashrti3(__int128 a, int b)
{
    u128_parts x = { .all = (unsigned __int128)a }, r;
    if (b == 0)
        return a;
    if (b >= 64) {
        r.s.hi = (uint64_t)((int64_t)x.s.hi >> 63);
        r.s.lo = (uint64_t)((int64_t)x.s.hi >> (b - 64));
    } else {
        r.s.hi = (uint64_t)((int64_t)x.s.hi >> b);
        r.s.lo = x.s.lo >> b | x.s.hi << (64 - b);
    }
    return (__int128)r.all;
}
#else
typedef int anx_int128_shifts_unused;   /* ISO C: a translation unit is not empty */
#endif
