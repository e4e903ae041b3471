/*
 * The shell module's API for other modules (the ssh module's sessions).
 *
 * The machine's console has one shell thread, started at boot. A module
 * that serves another terminal (an SSH channel) binds its own thread to
 * it (anx_term_bind, <anx/console.h>) and calls shell_session(): the same
 * prompt, line editor and commands, with a history of its own, until the
 * operator types `exit [STATUS]` or ends the input (Ctrl-D on an empty
 * line, or the terminal hangs up).
 */
#ifndef SHELL_H
#define SHELL_H

/* Run an interactive shell on the calling thread's terminal. Returns the
 * exit status: exit's STATUS, 0 for the end of input, -1 when out of
 * memory (nothing was printed then but one line). */
int shell_session(void);

#endif
