/*
 * The shell module: a thread that prints the prompt, reads a line with
 * the line editor and runs it through the core command registry.
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

static void shell_main(void *arg)
{
    (void)arg;
    char line[LE_LINE_MAX];
    anx_boot_wait_ready();
    for (;;) {
        anx_console_puts(CONFIG_SHELL_PROMPT);
        shell_line_reset(&editor);
        editor.echo = anx_console_echo();
        enum le_result r;
        while ((r = shell_line_feed(&editor, anx_console_getc())) == LE_MORE)
            ;
        if (r == LE_CANCEL)
            continue;
        shell_line_history_add(&editor, editor.buf);
        strlcpy(line, editor.buf, sizeof line);
        anx_command_run(line);
    }
}

static int shell_init(void)
{
    char *hist = NULL;
    if (CONFIG_SHELL_HISTORY > 0) {
        hist = anx_calloc(CONFIG_SHELL_HISTORY, LE_LINE_MAX);
        if (!hist)
            return -1;
    }
    shell_line_init(&editor, hist, CONFIG_SHELL_HISTORY, write_out, NULL);
    editor.complete = complete_command;
    shell_register_builtins();
    if (!anx_thread_create("shell", shell_main, NULL, 16 * 1024))
        return -1;
    return 0;
}

ANX_MODULE(shell, .init = shell_init);
