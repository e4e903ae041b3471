/*
 * anx config-h: the config.h of a host build (tests, host tools) of some
 * modules. It is the text `anx build` writes (config_h_text), for an image
 * named "host" on a platform and arch named "host", with the modules named
 * and everything they depend on, every key at its module.yaml default. So
 * a default is written once, in module.yaml, and host code never carries a
 * hand-written copy of it.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <getopt.h>
#include <string.h>

static const char config_h_usage[] =
    "usage: anx config-h [-o FILE] [MODULE...]\n"
    "Prints the config.h of a host build of the modules named and their dependencies: the\n"
    "text 'anx build' generates, with CONFIG_PLATFORM, CONFIG_ARCH and CONFIG_IMAGE_NAME \"host\",\n"
    "CONFIG_MEMORY 64 MiB, one CPU and every config key at its module.yaml default. With no\n"
    "MODULE, only the image-level macros.\n"
    "  -o, --out FILE       write FILE instead of printing, only when its text changes (so make\n"
    "                       and object caches see an unchanged file as unchanged)\n";

#define HOST_MEMORY (64ULL << 20)

/* The closure of the names in init order with default values, as resolve()
 * gives for an image, without a platform (no platform support, no drivers,
 * no memory check: none of that applies to a host build). Returns the
 * number of errors. */
static int host_resolve(struct catalog *c, char *const *names, size_t nnames, struct resolution *r)
{
    int errs0 = diag_errors;
    const char *const *all = (const char *const *)c->module_names.v;
    size_t cap = c->module_names.n + 1, n = 0;
    struct module **mods = xcalloc(cap, sizeof *mods);
    bool *requested = xcalloc(cap, sizeof *requested);
    for (size_t i = 0; i < nnames; i++) {
        if (catalog_module_index(c, names[i]) < 0) {
            const char *s = did_you_mean(names[i], all, c->module_names.n);
            if (s)
                diag_error(NULL, "unknown module '%s' (did you mean '%s'?)", names[i], s);
            else
                diag_error(NULL, "unknown module '%s' (see `anx modules` for the list)", names[i]);
            continue;
        }
        struct module *mod = catalog_module(c, names[i]);
        bool have = false;
        for (size_t k = 0; k < n && !have; k++)
            have = mods[k] == mod;
        if (mod && !have) {
            requested[n] = true;
            mods[n++] = mod;
        }
    }
    if (diag_errors - errs0)
        return diag_errors - errs0;
    n = modules_closure(c, mods, n, xcalloc(cap, sizeof(size_t)));
    if (diag_errors - errs0)
        return diag_errors - errs0;

    size_t *order = xcalloc(n + 1, sizeof *order);
    char cycle[1024];
    if (modules_order(mods, n, order, cycle, sizeof cycle)) {
        diag_error(NULL, "dependency cycle: %s", cycle);
        return diag_errors - errs0;
    }
    r->mods = xcalloc(n + 1, sizeof *r->mods);
    r->n = n;
    for (size_t oi = 0; oi < n; oi++) {
        struct module *mod = mods[order[oi]];
        struct resolved_mod *rm = &r->mods[oi];
        rm->mod = mod;
        rm->requested = requested[order[oi]];
        rm->values = xcalloc(mod->nkeys + 1, sizeof *rm->values);
        for (size_t k = 0; k < mod->nkeys; k++) {
            const struct config_key *key = &mod->keys[k];
            if (key->has_default)
                rm->values[k] = key->def;
            else
                diag_error(&key->mark,
                           "config key '%s' of module '%s' has no default, so a host build has no value "
                           "for it; give it 'default:' in module.yaml",
                           key->name, mod->name);
        }
    }
    return diag_errors - errs0;
}

/* The text of `anx config-h NAMES...`, or NULL after printing errors. */
#define HOST_CPUS 16

char *config_h_host_text(struct catalog *c, char *const *names, size_t n)
{
    static struct platform host_plat = {.name = "host", .arch = "host"};
    struct manifest m = {0};
    struct resolution r = {0};
    m.name = "host";
    m.memory = HOST_MEMORY;
    m.cpus = HOST_CPUS;     /* the most worker threads a host program may run */
    m.cmdline = "";
    memset(m.sha, '0', 64);
    r.plat = &host_plat;
    if (host_resolve(c, names, n, &r))
        return NULL;
    return config_h_text(&m, &r);
}

int cmd_config_h(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(config_h_usage, stdout);
            return EXIT_OK;
        default:
            fputs(config_h_usage, stderr);
            return EXIT_USAGE;
        }
    }
    struct catalog cat;
    catalog_open(&cat, anx_root());
    char *text = config_h_host_text(&cat, argv + optind, (size_t)(argc - optind));
    if (!text)
        return EXIT_USAGE;
    if (!out) {
        fputs(text, stdout);
        return EXIT_OK;
    }
    char *dir = path_dirname(path_abs(out));
    int e = mkdir_p(dir);
    if (e == 0)
        e = write_file(out, text, strlen(text));
    if (e) {
        diag_error(NULL, "cannot write %s: %s", out, strerror(-e));
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
