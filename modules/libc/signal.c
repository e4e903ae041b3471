/*
 * signal/raise (<signal.h>): a table of handlers that only raise() reads,
 * since nothing else ever delivers a signal to an image.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

static sighandler_t handlers[NSIG];

sighandler_t signal(int sig, sighandler_t handler)
{
    if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == 19 /* SIGSTOP */) {
        errno = EINVAL;
        return SIG_ERR;
    }
    sighandler_t old = handlers[sig];
    handlers[sig] = handler;
    return old;
}

static int default_ignored(int sig) { return sig == SIGCHLD || sig == SIGWINCH; }

int raise(int sig)
{
    if (sig <= 0 || sig >= NSIG) {
        errno = EINVAL;
        return -1;
    }
    sighandler_t h = handlers[sig];
    if (h == SIG_IGN)
        return 0;
    if (h != SIG_DFL) {
        h(sig);                        /* the handler stays (BSD semantics, as glibc's signal) */
        return 0;
    }
    if (default_ignored(sig))
        return 0;
    if (sig == SIGABRT || sig == SIGSEGV || sig == SIGFPE || sig == SIGILL || sig == SIGBUS)
        abort();
    _Exit(128 + sig);                  /* killed: atexit handlers do not run */
}
