/*
 * Commands served by host tools built from module code: `anx model` runs
 * build/host/anx-model (tools/model: the tensor and infer modules compiled
 * natively) and `anx store` runs build/host/anx-store (tools/store: the
 * object store's disk format code). Keeping them separate programs keeps
 * module code out of the generator; anx builds a tool on first use.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Build the tool with make if it is missing, then replace this process
 * with it; returns only on failure. */
static int exec_host_tool(const char *tool, const char *source_dir, int argc, char **argv)
{
    char path[4096], dir[4096];
    snprintf(path, sizeof path, "%s/build/host/%s", anx_root(), tool);
    snprintf(dir, sizeof dir, "%s/%s", anx_root(), source_dir);
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "anx: building %s (make -C %s)\n", tool, source_dir);
        pid_t pid = fork();
        if (pid == 0) {
            execlp("make", "make", "-s", "-C", dir, (char *)NULL);
            _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            diag_error(NULL, "could not build %s: run 'make -C %s' to see why", tool, source_dir);
            return EXIT_FAIL;
        }
    }
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return EXIT_FAIL;
    args[0] = path;
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    execv(path, args);
    diag_error(NULL, "cannot run %s: %s", path, strerror(errno));
    free(args);
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
