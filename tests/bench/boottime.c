/*
 * boottime: launch a command (a QEMU line), and measure the wall time from
 * launch to the first output line containing MARKER and to the command's
 * exit. Optionally types TEXT on the command's stdin once the marker shows,
 * so an interactive image can be told to power off.
 *
 *   boottime [--send TEXT] [--timeout SEC] MARKER -- CMD [ARG...]
 *
 * Prints "ready_ms=N exit_ms=N status=N" and, when the guest printed a line
 * "anunix: ready (N us since entry)", "guest_us=N". Exit status 0 when the
 * marker was seen, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *send = NULL;
    double timeout_s = 30;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]; i++) {
        if (!strcmp(argv[i], "--send") && i + 1 < argc)
            send = argv[++i];
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            timeout_s = atof(argv[++i]);
        else {
            fprintf(stderr, "boottime: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (i + 2 >= argc || strcmp(argv[i + 1], "--") != 0) {
        fprintf(stderr, "usage: boottime [--send TEXT] [--timeout SEC] MARKER -- CMD [ARG...]\n");
        return 2;
    }
    const char *marker = argv[i];
    char **cmd = &argv[i + 2];

    int out[2], in[2];
    if (pipe(out) || pipe(in)) {
        perror("pipe");
        return 2;
    }
    double start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(in[1]);
        close(out[0]);
        execvp(cmd[0], cmd);
        perror(cmd[0]);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);

    static char buf[1 << 20];
    size_t len = 0;
    double ready_ms = -1, exit_ms = -1;
    long guest_us = -1;
    for (;;) {
        double left = timeout_s * 1e3 - (now_ms() - start);
        if (left <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t n = read(out[0], buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            break;      /* EOF: the command exited (or closed its output) */
        len += (size_t)n;
        buf[len] = 0;
        if (ready_ms < 0 && strstr(buf, marker)) {
            ready_ms = now_ms() - start;
            if (send && write(in[1], send, strlen(send)) < 0)
                perror("write");
        }
        if (len == sizeof buf - 1)
            len = 0;    /* keep reading; a bench output never gets this long */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    exit_ms = now_ms() - start;
    const char *g = strstr(buf, "anunix: ready (");
    if (g)
        guest_us = strtol(g + strlen("anunix: ready ("), NULL, 10);
    printf("ready_ms=%.1f exit_ms=%.1f status=%d", ready_ms, exit_ms,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    if (guest_us >= 0)
        printf(" guest_us=%ld", guest_us);
    printf("\n");
    return ready_ms < 0;
}
