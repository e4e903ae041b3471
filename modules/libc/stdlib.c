/*
 * <stdlib.h> beyond the core's heap, strtol family and qsort: integer
 * helpers, bsearch, rand, exit/abort, posix_memalign (getenv: env.c).
 */
#include <anx/kernel.h>
#include <anx/mem.h>
#include <anx/panic.h>
#include <errno.h>
#include <stdlib.h>

int libc_errno;

int posix_memalign(void **out, size_t align, size_t size)
{
    if (!align || (align & (align - 1)) || align % sizeof(void *))
        return EINVAL;
    void *p = anx_aligned_alloc(align, size ? size : 1);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }
int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }
div_t div(int a, int b) { return (div_t){a / b, a % b}; }
ldiv_t ldiv(long a, long b) { return (ldiv_t){a / b, a % b}; }
lldiv_t lldiv(long long a, long long b) { return (lldiv_t){a / b, a % b}; }

void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
    const char *lo = base;
    while (n) {
        const char *mid = lo + (n / 2) * size;
        int c = cmp(key, mid);
        if (!c)
            return (void *)mid;
        if (c > 0) {
            lo = mid + size;
            n -= n / 2 + 1;
        } else {
            n /= 2;
        }
    }
    return NULL;
}

/* rand: the POSIX.1 example generator's constants on 64 bits of state,
 * the top 31 bits returned. Predictable by design: NOT for secrets. */
static uint64_t rand_state = 1;

void srand(unsigned seed) { rand_state = seed; }

int rand(void)
{
    rand_state = rand_state * 6364136223846793005ull + 1442695040888963407ull;
    return (int)(rand_state >> 33);
}

int rand_r(unsigned *seed)
{
    uint64_t s = *seed * 6364136223846793005ull + 1442695040888963407ull;
    *seed = (unsigned)(s >> 32);
    return (int)(s >> 33);
}

#define ATEXIT_MAX 32
static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_n;

int atexit(void (*fn)(void))
{
    if (atexit_n == ATEXIT_MAX)
        return -1;
    atexit_fns[atexit_n++] = fn;
    return 0;
}

/* The image is the process: exit powers it off with the status. */
_Noreturn void exit(int status)
{
    while (atexit_n > 0)
        atexit_fns[--atexit_n]();
    anx_poweroff(status);
}

_Noreturn void _Exit(int status)
{
    anx_poweroff(status);
}

_Noreturn void abort(void)
{
    anx_fail("abort() called");
}

_Noreturn void libc_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    anx_fail("assertion failed: %s (%s:%d, %s)", expr, file, line, func);
}
