/*
 * <signal.h> (signal.c). No signal is ever delivered to an image: there
 * are no other processes, no terminal and no kill(); a fault panics the
 * machine instead of raising SIGSEGV. signal() only records a handler
 * (and returns the previous one) so that raise() can call it: raise(sig)
 * calls the recorded handler, ignores SIG_IGN, and for SIG_DFL aborts on
 * SIGABRT/SIGSEGV/SIGFPE/SIGILL/SIGBUS and powers off with 128+sig for
 * the terminating rest (as a shell reports a killed process), SIGCHLD
 * and SIGWINCH excepted (ignored). Signal numbers are Linux's.
 * Missing versus POSIX: sigaction, sigprocmask and sigset_t operations,
 * kill, alarm, sigsuspend.
 */
#ifndef LIBC_SIGNAL_H
#define LIBC_SIGNAL_H

#include "libc_defs.h"

typedef int sig_atomic_t;
typedef void (*sighandler_t)(int);

#define SIG_DFL ((sighandler_t)0)
#define SIG_IGN ((sighandler_t)1)
#define SIG_ERR ((sighandler_t)-1)

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGWINCH 28
#define NSIG 65

sighandler_t signal(int sig, sighandler_t handler) LIBC_SYM(signal);
int raise(int sig) LIBC_SYM(raise);

#endif
