/*
 * The shell command registry (core/command.c). Any module registers
 * commands at init time; the shell looks them up by name:
 *
 *     static int cmd_hello(int argc, char **argv) { anx_printf("hi\n"); return 0; }
 *     static struct anx_command hello_cmd = {
 *         .name = "hello", .summary = "Say hi", .usage = "hello", .fn = cmd_hello,
 *     };
 *     ... anx_command_register(&hello_cmd);
 *
 * Registration is at run time (no linker section). Commands are listed in
 * name order. fn returns 0 on success, nonzero on failure (the shell shows
 * nothing extra; print your own message).
 */
#ifndef ANX_COMMAND_H
#define ANX_COMMAND_H

struct anx_command {
    const char *name;
    const char *summary;       /* one line, shown by help */
    const char *usage;         /* "poweroff [STATUS]", shown by help NAME */
    int (*fn)(int argc, char **argv);
    struct anx_command *next;  /* private */
};

/* 0, ANX_EEXIST when the name is taken, ANX_EINVAL without a name or fn
 * (<anx/errno.h>). */
int anx_command_register(struct anx_command *cmd);
const struct anx_command *anx_command_find(const char *name);
/* Iteration in name order: first(), then next(cmd) until NULL. */
const struct anx_command *anx_command_first(void);
const struct anx_command *anx_command_next(const struct anx_command *cmd);

/* Split and run one line (modified in place). Returns the command's
 * result; -1 with a message printed for a parse error or an unknown
 * command; 0 for an empty line. */
int anx_command_run(char *line);

#endif
