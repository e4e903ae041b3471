/*
 * anx modules / anx platforms: what the catalog offers, read from the same
 * module.yaml and platform.yaml files a build uses.
 */
#include "anx.h"

#include <string.h>

static const char *joined(const struct strlist *l)
{
    struct buf b = {0};
    for (size_t i = 0; i < l->n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
    return l->n ? xstrdup(buf_cstr(&b)) : "-";
}

static int max_width(int w, const char *s)
{
    int n = (int)strlen(s);
    return n > w ? n : w;
}

/* "int", "size", or "enum{a, b}" */
static const char *key_type(const struct config_key *key)
{
    if (key->type == CT_ENUM)
        return xasprintf("enum{%s}", joined(&key->values));
    return ctype_names[key->type];
}

/* The default as a manifest would write it, or "(required)". */
static const char *key_default(const struct config_key *key)
{
    char def[256] = "(required)";
    if (key->has_default)
        config_value_format(key, &key->def, def, sizeof def);
    return xstrdup(def);
}

int cmd_modules(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: anx modules\nLists every module with its summary, dependencies, platforms and config keys.");
        return EXIT_OK;
    }
    if (argc > 1) {
        fputs("usage: anx modules\n", stderr);
        return EXIT_USAGE;
    }
    struct catalog c;
    catalog_open(&c, anx_root());
    int errs = 0;
    /* Load every module first: the columns are as wide as the widest name,
     * key, type and default of all of them, so every row lines up. */
    struct module **mods = xcalloc(c.module_names.n + 1, sizeof *mods);
    size_t n = 0;
    int wname = 0, wkey = 0, wtype = 0, wdef = 0;
    for (size_t i = 0; i < c.module_names.n; i++) {
        struct module *m = catalog_module(&c, c.module_names.v[i]);
        if (!m) {
            errs++;
            continue;
        }
        mods[n++] = m;
        wname = max_width(wname, m->name);
        for (size_t k = 0; k < m->nkeys; k++) {
            wkey = max_width(wkey, m->keys[k].name);
            wtype = max_width(wtype, key_type(&m->keys[k]));
            wdef = max_width(wdef, key_default(&m->keys[k]));
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct module *m = mods[i];
        printf("%-*s %s\n", wname, m->name, m->summary ? m->summary : "");
        printf("%-*s depends: %s; conflicts: %s; platforms: %s\n", wname, "", joined(&m->depends),
               joined(&m->conflicts), joined(&m->platforms));
        for (size_t k = 0; k < m->nkeys; k++) {
            const struct config_key *key = &m->keys[k];
            printf("%-*s   %-*s %-*s = %-*s %s\n", wname, "", wkey, key->name, wtype, key_type(key), wdef,
                   key_default(key), key->doc ? key->doc : "");
        }
    }
    if (c.module_names.n == 0)
        printf("(no modules under %s/modules)\n", path_display(c.root));
    return errs ? EXIT_USAGE : EXIT_OK;
}

int cmd_platforms(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: anx platforms\nLists every platform with its architecture, image kinds and boot modes.");
        return EXIT_OK;
    }
    if (argc > 1) {
        fputs("usage: anx platforms\n", stderr);
        return EXIT_USAGE;
    }
    struct catalog c;
    catalog_open(&c, anx_root());
    int errs = 0;
    for (size_t i = 0; i < c.platform_names.n; i++) {
        struct platform *p = catalog_platform(&c, c.platform_names.v[i]);
        if (!p) {
            errs++;
            continue;
        }
        struct strlist modes = {0};
        for (size_t k = 0; k < p->nboot; k++)
            strlist_push(&modes, p->boot[k].name);
        printf("%-16s %s\n", p->name, p->summary ? p->summary : "");
        printf("%-16s arch: %s; images: %s; boot: %s (default %s); exit: %s\n", "", p->arch, joined(&p->images),
               joined(&modes), p->nboot ? p->boot[0].name : "-",
               p->exit_mode == EXIT_DIRECT ? "direct" : "debug-exit");
        /* the driver modules QEMU has a device for here (platform.yaml qemu:) */
        const struct { const char *what; const struct nic_args *a; size_t n; } kinds[] = {
            {"nic", p->nics, p->nnics}, {"disk", p->disks, p->ndisks},
            {"display", p->displays, p->ndisplays}, {"input", p->inputs, p->ninputs},
            {"devices", p->devices, p->ndevices}};
        struct buf devs = {0};
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            if (!kinds[k].n)
                continue;
            buf_printf(&devs, "%s%s: ", devs.n ? "; " : "", kinds[k].what);
            for (size_t j = 0; j < kinds[k].n; j++)
                buf_printf(&devs, "%s%s", j ? ", " : "", kinds[k].a[j].module);
        }
        if (devs.n)
            printf("%-16s %s\n", "", buf_cstr(&devs));
    }
    if (c.platform_names.n == 0)
        printf("(no platforms under %s/platforms)\n", path_display(c.root));
    return errs ? EXIT_USAGE : EXIT_OK;
}
