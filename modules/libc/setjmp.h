/*
 * <setjmp.h>: setjmp/longjmp in assembly (setjmp_x86_64.S,
 * setjmp_arm64.S). The buffer holds the callee-saved registers, the stack
 * pointer and the return address (x86_64: rbx rbp r12-r15 rsp rip;
 * arm64: x19-x30, sp, d8-d15). The signal mask does not exist here, so
 * sigsetjmp/siglongjmp are the same functions.
 * longjmp only within one thread's stack, to a setjmp whose function has
 * not returned (as in C).
 */
#ifndef LIBC_SETJMP_H
#define LIBC_SETJMP_H

#include "libc_defs.h"

typedef unsigned long jmp_buf[22];
typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf env) LIBC_SYM(setjmp) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int val) LIBC_SYM(longjmp);
#define _setjmp(env) setjmp(env)
#define _longjmp(env, v) longjmp((env), (v))
#define sigsetjmp(env, save) setjmp(env)
#define siglongjmp(env, v) longjmp((env), (v))

#endif
