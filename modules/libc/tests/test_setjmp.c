/* setjmp/longjmp (setjmp_x86_64.S, or setjmp_arm64.S under qemu-aarch64): the return values, callee-saved registers (integer and, on
 * arm64, d8-d15) surviving a jump from deep frames, repeated jumps. */
#include <stdio.h>

/* The module's assembly itself (the host build compiles only C): the
 * assembler finds it through -Wa,-I (module.yaml cflags). */
#if defined(__x86_64__)
__asm__(".pushsection .text\n.include \"setjmp_x86_64.S\"\n.popsection");
#elif defined(__aarch64__)
__asm__(".pushsection .text\n.include \"setjmp_arm64.S\"\n.popsection");
#endif

typedef unsigned long ljmp_buf[22];
int libc_setjmp(ljmp_buf env) __attribute__((returns_twice));
_Noreturn void libc_longjmp(ljmp_buf env, int val);

static int pass, fail;
#define CHECK(c, msg) do { if (c) pass++; else { fail++; printf("FAIL %s\n", msg); } } while (0)

static ljmp_buf env;
static volatile int depth_reached;

__attribute__((noinline)) static void deep(int n, int val)
{
    volatile char pad[256];
    pad[0] = (char)n;
    if (n == 0) {
        depth_reached = pad[0] + 1;
        libc_longjmp(env, val);
    }
    void (*volatile next)(int, int) = deep;   /* not seen as endless recursion */
    next(n - 1, val);
    pad[1] = 0;
}

/* Values kept in callee-saved registers across the jump: the compiler
 * keeps these in rbx/r12.. (x19.., d8..) because of the calls. */
__attribute__((noinline)) static int registers(void)
{
    long a = 11, b = 22, c = 33, d = 44, e = 55, f = 66;
    double x = 1.25, y = 2.5, z = 3.75, w = 5.0;
    volatile int round = 0;
    int r = libc_setjmp(env);
    /* registers hold the values as they were at setjmp (unchanged since) */
    if (a + b + c + d + e + f != 231 || x + y + z + w != 12.5)
        return -1;
    if (r == 0 || round < 3) {
        round++;
        deep(20, round);
    }
    return r;
}

int main(void)
{
    volatile int count = 0;
    int r = libc_setjmp(env);
    if (r == 0) {
        CHECK(1, "setjmp returns 0 first");
        deep(50, 7);
    }
    CHECK(r == 7 && depth_reached == 1, "longjmp from 50 frames down returns its value");
    r = libc_setjmp(env);
    count++;
    if (r == 0)
        libc_longjmp(env, 0);
    CHECK(r == 1 && count == 2, "longjmp(env, 0) makes setjmp return 1");
    int x = registers();
    CHECK(x == 3, "callee-saved registers survive three jumps");
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
