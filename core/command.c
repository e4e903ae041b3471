/* The shell command registry, kept sorted by name. */
#include <anx/command.h>
#include <anx/console.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/printf.h>

#define MAX_ARGS 32

static struct anx_command *commands;

int anx_command_register(struct anx_command *cmd)
{
    if (!cmd || !cmd->name || !cmd->name[0] || !cmd->fn)
        return ANX_EINVAL;
    if (anx_command_find(cmd->name))
        return ANX_EEXIST;
    struct anx_command **p = &commands;
    while (*p && strcmp((*p)->name, cmd->name) < 0)
        p = &(*p)->next;
    cmd->next = *p;
    *p = cmd;
    return 0;
}

const struct anx_command *anx_command_find(const char *name)
{
    for (struct anx_command *c = commands; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const struct anx_command *anx_command_first(void)
{
    return commands;
}

const struct anx_command *anx_command_next(const struct anx_command *cmd)
{
    return cmd ? cmd->next : NULL;
}

int anx_command_run(char *line)
{
    char *argv[MAX_ARGS];
    const char *err;
    int argc = anx_split_args(line, argv, MAX_ARGS, &err);
    if (argc < 0) {
        anx_printf("error: %s\n", err);
        return -1;
    }
    if (argc == 0)
        return 0;
    const struct anx_command *c = anx_command_find(argv[0]);
    if (!c) {
        anx_printf("unknown command '%s' (try help)\n", argv[0]);
        return -1;
    }
    const struct anx_term *t = anx_term_current();
    const char *need = c->scope ? c->scope : "console";
    if (t && !anx_scopes_allow(t->scopes, need)) {
        anx_printf("%s: not allowed here: it needs the scope '%s' (this session has: %s)\n", argv[0], need,
                   t->scopes);
        return ANX_COMMAND_DENIED;
    }
    return c->fn(argc, argv);
}

int anx_scopes_allow(const char *scopes, const char *scope)
{
    if (!scopes)
        return 1;
    size_t n = strlen(scope);
    for (const char *p = scopes; *p;) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t len = 0;
        while (p[len] && p[len] != ',' && p[len] != ' ')
            len++;
        if ((len == n && !memcmp(p, scope, n)) || (len == 5 && !memcmp(p, "admin", 5)))
            return 1;
        p += len;
    }
    return 0;
}
