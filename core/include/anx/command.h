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
 *
 * Scopes: each command belongs to one, .scope (NULL: "console"):
 *   console      look at and operate the image (the default)
 *   objects      read and change state objects (store)
 *   credentials  see and change credentials and tokens (cred, token)
 *   admin        stop or restart the image (poweroff, reboot)
 * A terminal (struct anx_term, <anx/console.h>) may carry the scopes its
 * operator was granted - an SSH key's - and anx_command_run refuses a
 * command outside them; `admin` grants every scope. The machine's console
 * and a terminal without scopes run everything.
 */
#ifndef ANX_COMMAND_H
#define ANX_COMMAND_H

struct anx_command {
    const char *name;
    const char *summary;       /* one line, shown by help */
    const char *usage;         /* "poweroff [STATUS]", shown by help NAME */
    int (*fn)(int argc, char **argv);
    const char *scope;         /* "objects", "credentials", "admin"; NULL: "console" */
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
 * command; ANX_COMMAND_DENIED with a message for a command outside the
 * calling terminal's scopes; 0 for an empty line. */
#define ANX_COMMAND_DENIED 126     /* as a Unix shell says "cannot execute" */
int anx_command_run(char *line);
/* Whether a scope list ("objects,console", commas or spaces) grants scope
 * (`admin` grants every one; NULL grants every one). */
int anx_scopes_allow(const char *scopes, const char *scope);

#endif
