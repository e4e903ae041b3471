/*
 * The shell module: a thread that prints the prompt, reads a line with
 * the line editor and runs it through the core command registry; and the
 * same loop for other terminals (shell.h: an SSH session).
 */
#define LOG_TAG "shell"
#include <anx/command.h>
#include <anx/console.h>
#include <anx/kernel.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/thread.h>
#include "lineedit.h"
#include "shell.h"

void shell_register_builtins(void);

static struct lineedit editor;

static void write_out(const char *s, size_t n, void *ctx)
{
    (void)ctx;
    anx_console_write(s, n);
}

/* Tab completion of command names: the single match of a prefix. */
static const char *complete_command(const char *word, size_t len, void *ctx)
{
    const char *found = NULL;
    (void)ctx;
    for (const struct anx_command *c = anx_command_first(); c; c = anx_command_next(c)) {
        if (strncmp(c->name, word, len) != 0)
            continue;
        if (found)
            return NULL;
        found = c->name;
    }
    return found;
}

/* Prompt, read and run lines on the calling thread's console until the
 * input ends or `exit` is run (on a terminal; the machine's console has
 * no end). */
static void prompt_loop(struct lineedit *e)
{
    char line[LE_LINE_MAX];
    struct anx_term *term = anx_term_current();
    for (;;) {
        if (term && term->exit_requested)
            return;
        /* no prompt for a terminal that is not interactive (ssh without a
         * pty, input from a script), as a Unix shell reading a pipe */
        if (!term || term->echo)
            anx_console_puts(CONFIG_SHELL_PROMPT);
        shell_line_reset(e);
        e->echo = anx_console_echo();
        enum le_result r;
        do {
            int c = anx_console_getc();
            if (c == ANX_CONSOLE_EOF)
                return;
            r = shell_line_feed(e, c);
            if (r == LE_EOF && term) {
                anx_console_puts("\n");
                return;
            }
        } while (r == LE_MORE || r == LE_EOF);
        if (r == LE_CANCEL)
            continue;
        shell_line_history_add(e, e->buf);
        strlcpy(line, e->buf, sizeof line);
        anx_command_run(line);
    }
}

static void shell_main(void *arg)
{
    (void)arg;
    anx_boot_wait_ready();
    prompt_loop(&editor);
}

static char *history_alloc(void)
{
    return CONFIG_SHELL_HISTORY > 0 ? anx_calloc(CONFIG_SHELL_HISTORY, LE_LINE_MAX) : NULL;
}

int shell_session(void)
{
    struct anx_term *term = anx_term_current();
    struct lineedit *e = anx_calloc(1, sizeof *e);
    char *hist = history_alloc();
    if (!e || (CONFIG_SHELL_HISTORY > 0 && !hist)) {
        anx_free(e);
        anx_free(hist);
        anx_console_puts("shell: out of memory\n");
        return -1;
    }
    shell_line_init(e, hist, CONFIG_SHELL_HISTORY, write_out, NULL);
    e->complete = complete_command;
    prompt_loop(e);
    anx_free(hist);
    anx_free(e);
    return term && term->exit_requested ? term->exit_status : 0;
}

static int shell_init(void)
{
    char *hist = history_alloc();
    if (CONFIG_SHELL_HISTORY > 0 && !hist)
        return -1;
    shell_line_init(&editor, hist, CONFIG_SHELL_HISTORY, write_out, NULL);
    editor.complete = complete_command;
    shell_register_builtins();
    if (!anx_thread_create("shell", shell_main, NULL, 16 * 1024))
        return -1;
    return 0;
}

ANX_MODULE(shell, .init = shell_init);
