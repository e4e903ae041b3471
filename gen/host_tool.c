/*
 * Commands served by host tools built from module code: `anx model` runs
 * anx-model (tools/model: the tensor and infer modules) and `anx store`
 * runs anx-store (tools/store: the object store's disk format code), both
 * module code in the host build mode (host/host.mk). Keeping them separate programs keeps module code out of the
 * generator. anx builds a tool with make when it is missing or older than
 * its sources: into ROOT/build/host in a repository, and into the user's
 * cache (${XDG_CACHE_HOME:-~/.cache}/anunix/host) for an installed anx,
 * whose tree may be read-only. Building on first use, rather than in
 * `make install`, keeps root-owned build output out of the repository
 * after `sudo make install` and serves a tool built by the user's own
 * compiler from the installed sources.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

/* This anx, which the tool's make runs for the config.h of its modules
 * (host/host.mk: ANX): an installed tree has no gen/anx. */
static const char *self_exe(void)
{
    static char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    return n > 0 ? exe : "anx";
}

/* Runs make -C dir OUT=out ANX=self with one extra flag; returns its exit
 * status, or -1 when make could not be run. */
static int run_make(const char *flag, const char *dir, const char *out)
{
    char *out_arg = xasprintf("OUT=%s", out), *anx_arg = xasprintf("ANX=%s", self_exe());
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("make", "make", "--no-print-directory", flag, "-C", dir, out_arg, anx_arg, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}

/* Build the tool with make if it is missing or out of date (make -q says
 * so), then replace this process with it; returns only on failure. */
static int exec_host_tool(const char *tool, const char *source_dir, int argc, char **argv)
{
    const char *out = anx_installed() ? path_join(anx_user_cache(), "host") : path_join(anx_root(), "build/host");
    char *path = path_join(out, tool), *dir = path_join(anx_root(), source_dir);
    /* Two anx processes that need the tool at once (boot tests side by
     * side) build it one after the other: the second would otherwise run a
     * half-written file. The lock is released at exec (O_CLOEXEC), so runs
     * of the tool go on side by side. */
    int lock = mkdir_p(out) == 0 ? open(path_join(out, xasprintf(".%s.lock", tool)),
                                        O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
    if (lock >= 0)
        flock(lock, LOCK_EX);
    bool present = access(path, X_OK) == 0;
    /* Without make, a tool already built is still usable. */
    int q = run_make("-q", dir, out);
    if (!present || q == 1) {
        fprintf(stderr, "anx: building %s into %s (make -C %s)\n", tool, path_display(out), path_display(dir));
        if (run_make("-s", dir, out) != 0) {
            diag_error(NULL, "could not build %s: run 'make -C %s OUT=%s' to see why", tool, path_display(dir),
                       path_display(out));
            return EXIT_FAIL;
        }
    }
    char **args = xcalloc((size_t)argc + 1, sizeof *args);
    args[0] = path;
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    execv(path, args);
    diag_error(NULL, "cannot run %s: %s", path_display(path), strerror(errno));
    return EXIT_FAIL;
}

int cmd_model(int argc, char **argv)
{
    return exec_host_tool("anx-model", "tools/model", argc, argv);
}

int cmd_store(int argc, char **argv)
{
    return exec_host_tool("anx-store", "tools/store", argc, argv);
}
