/*
 * The tests: key of module.yaml (docs/modules.md, "Tests") and
 * `anx module-tests`, which tests/modules.sh runs for each module:
 *
 *   anx module-tests MODULE          the tests as bash assignments, every path
 *                                    checked and made relative to the root
 *   anx module-tests MODULE --image DIR
 *                                    compile the module's sources for each
 *                                    architecture as an image build does
 *
 * The parse only checks the shape (it runs whenever a build loads the
 * module, also in an installed tree, which has no tests/ folders); the
 * files are checked when the tests are asked for. Building and running
 * stay in the script: gen knows the catalog, the arch flags and the
 * include folders, the script knows processes and output.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const test_keys[] = {"name", "sources", "link", "platform", "sanitize", "cflags", "args",
                                        "env", "data", "without_data", "needs", "run", "emulate", "fuzz"};
static const char *const fuzz_keys[] = {"corpus", "runs", "seconds", "max_len", "dict"};
static const char *const test_platforms[] = {"host", "unit", "none"};

/* ---- parsing --------------------------------------------------------------- */

static bool test_name_ok(const char *s)
{
    if (!*s || strlen(s) > 48)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static bool env_name_ok(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* A path inside the module folder: relative, no '..'. */
static bool rel_path_ok(const char *s)
{
    if (!*s || *s == '/')
        return false;
    for (const char *p = s; (p = strstr(p, "..")); p += 2)
        if ((p == s || p[-1] == '/') && (p[2] == '/' || !p[2]))
            return false;
    return true;
}

/* A list of paths; each one must be relative and stay in the folder. */
static void get_paths(const struct ynode *n, const char *what, struct strlist *out, struct mark **marks)
{
    size_t from = out->n;
    struct mark *mk = NULL;
    if (yget_strlist(n, what, out, &mk))
        return;
    for (size_t i = from; i < out->n; i++)
        if (!rel_path_ok(out->v[i]))
            diag_error(&mk[i - from], "%s: '%s' must be relative to the module folder, without '..'%s", what,
                       yshow(out->v[i], strlen(out->v[i])),
                       strncmp(out->v[i], "../", 3) ? "" : " (another module's code is MODULE/FILE)");
    if (marks)
        *marks = mk;
}

static void parse_fuzz(struct module_test *t, const struct ynode *v, const char *in)
{
    t->fuzz = true;
    t->runs = 20000;
    if (v->kind == Y_NULL)
        return;
    if (ymap_expect(v, "'fuzz' (a map like {corpus: [tests/corpus], runs: 20000})") ||
        ymap_check_keys(v, fuzz_keys, COUNT(fuzz_keys), xasprintf("in 'fuzz' of %s", in)))
        return;
    const struct ynode *n;
    if ((n = ymap_get(v, "corpus")))
        get_paths(n, "'corpus'", &t->corpus, &t->corpus_marks);
    const struct ynode *runs = ymap_get(v, "runs"), *secs = ymap_get(v, "seconds");
    if (runs && secs)
        diag_error(&secs->mark, "give 'runs' or 'seconds' for %s, not both", in);
    else if (secs && yget_int(secs, "'seconds'", 1, 3600, &t->seconds) == 0)
        t->runs = 0;
    else if (runs)
        yget_int(runs, "'runs'", 1, 100000000, &t->runs);
    if ((n = ymap_get(v, "max_len")))
        yget_int(n, "'max_len'", 1, 1 << 24, &t->max_len);
    if ((n = ymap_get(v, "dict")) && yget_string(n, "'dict'", &t->dict) == 0) {
        t->dict_mark = n->mark;
        if (!rel_path_ok(t->dict))
            diag_error(&n->mark, "'dict': '%s' must be relative to the module folder, without '..'",
                       yshow(t->dict, strlen(t->dict)));
    }
}

static void parse_env(struct module_test *t, const struct ynode *v, const char *in)
{
    if (ymap_expect(v, "'env' (a map like {NAME: value})"))
        return;
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *k = v->pairs[i].key, *e = v->pairs[i].val;
        char *val;
        if (!env_name_ok(k->str)) {
            diag_error(&k->mark, "'%s' is not an environment variable name (letters, digits and '_') in %s",
                       yshow(k->str, k->len), in);
            continue;
        }
        if (yget_string(e, xasprintf("'env: %s'", k->str), &val) == 0)
            strlist_push(&t->env, xasprintf("%s=%s", k->str, val));
    }
}

/* One item of tests:; returns 0 when it is usable. */
static int parse_test(const struct ynode *v, size_t index, struct module_test *t)
{
    int errs0 = diag_errors;
    memset(t, 0, sizeof *t);
    t->mark = v->mark;
    t->platform = "host";
    t->sanitize = true;
    if (ymap_expect(v, "a test (a map with 'name' and 'sources', 'fuzz' or 'run')"))
        return -1;
    const struct ynode *n = ymap_get(v, "name");
    if (!n) {
        diag_error(&v->mark, "test %zu is missing 'name' (letters, digits, '-' and '_', unique in the module)",
                   index + 1);
        return -1;
    }
    if (yget_string(n, "'name'", &t->name))
        return -1;
    if (!test_name_ok(t->name)) {
        diag_error(&n->mark, "invalid test name '%s' (expected lowercase letters, digits, '-' and '_')",
                   yshow(n->str, n->len));
        return -1;
    }
    const char *in = xasprintf("test '%s'", t->name);
    ymap_check_keys(v, test_keys, COUNT(test_keys), xasprintf("in %s", in));
    if ((n = ymap_get(v, "sources")))
        get_paths(n, "'sources'", &t->sources, &t->source_marks);
    if ((n = ymap_get(v, "link")))
        get_paths(n, "'link'", &t->link, &t->link_marks);
    if ((n = ymap_get(v, "platform"))) {
        char *p;
        if (yget_string(n, "'platform'", &p) == 0) {
            size_t i = 0;
            while (i < COUNT(test_platforms) && strcmp(p, test_platforms[i]) != 0)
                i++;
            if (i < COUNT(test_platforms))
                t->platform = test_platforms[i];
            else
                diag_error(&n->mark, "unknown platform '%s' for %s (expected host, unit or none)%s",
                           yshow(n->str, n->len), in, suggest(p, test_platforms, COUNT(test_platforms)));
        }
    }
    if ((n = ymap_get(v, "sanitize")))
        yget_bool(n, "'sanitize'", &t->sanitize);
    if ((n = ymap_get(v, "cflags")))
        yget_strlist(n, "'cflags'", &t->cflags, NULL);
    if ((n = ymap_get(v, "args")))
        yget_strlist(n, "'args'", &t->args, NULL);
    if ((n = ymap_get(v, "env")))
        parse_env(t, n, in);
    if ((n = ymap_get(v, "needs")))
        yget_strlist(n, "'needs'", &t->needs, NULL);
    if ((n = ymap_get(v, "emulate")))
        yget_strlist(n, "'emulate'", &t->emulate, &t->emulate_marks);
    if ((n = ymap_get(v, "run")) && yget_strlist(n, "'run'", &t->run, NULL) == 0 && !t->run.n)
        diag_error(&n->mark, "'run' of %s is empty: give the command and its arguments", in);
    if ((n = ymap_get(v, "data")) && yget_string(n, "'data'", &t->data) == 0) {
        t->data_mark = n->mark;
        if (!rel_path_ok(t->data))
            diag_error(&n->mark, "'data': '%s' must be a path below ../shared/testdata, without '..'",
                       yshow(t->data, strlen(t->data)));
    }
    if ((n = ymap_get(v, "without_data"))) {
        char *w;
        if (yget_string(n, "'without_data'", &w) == 0) {
            if (!strcmp(w, "run"))
                t->run_without_data = true;
            else if (strcmp(w, "skip"))
                diag_error(&n->mark, "'without_data' is skip (the default) or run, found '%s'",
                           yshow(n->str, n->len));
        }
        if (!t->data)
            diag_error(&n->mark, "'without_data' of %s applies only with 'data: PATH'", in);
    }
    if ((n = ymap_get(v, "fuzz")))
        parse_fuzz(t, n, in);
    /* exactly one kind: a program, a fuzz target (also a program), or a command */
    if (t->run.n && (t->sources.n || t->link.n || t->fuzz || t->emulate.n))
        diag_error(&v->mark, "%s has 'run' and a program ('sources', 'link', 'fuzz' or 'emulate'): "
                   "a test is one or the other", in);
    else if (!t->run.n && !t->sources.n && !ymap_get(v, "run"))
        diag_error(&v->mark, "%s has no 'sources' (the test program's files) and no 'run' (a command)", in);
    if (t->fuzz && t->emulate.n)
        diag_error(&v->mark, "%s: a fuzz target runs on the host only; remove 'emulate'", in);
    if (t->fuzz && !strcmp(t->platform, "unit"))
        diag_error(&v->mark, "%s: a fuzz target runs on platform host or none", in);
    return diag_errors - errs0 ? -1 : 0;
}

void module_tests_parse(struct module *m, const struct ynode *v)
{
    if (v->kind == Y_NULL)
        return;
    if (v->kind != Y_SEQ) {
        diag_error(&v->mark, "expected a list of tests for 'tests' (like [{name: x, sources: [tests/x.c]}]), "
                   "found %s", ykind_name(v));
        return;
    }
    m->tests = xcalloc(v->n + 1, sizeof *m->tests);
    for (size_t i = 0; i < v->n; i++) {
        struct module_test *t = &m->tests[m->ntests];
        if (parse_test(v->items[i], i, t))
            continue;
        bool dup = false;
        for (size_t k = 0; k < m->ntests && !dup; k++)
            dup = !strcmp(m->tests[k].name, t->name);
        if (dup) {
            diag_error(&v->items[i]->mark, "a second test named '%s' (test names are unique in a module)", t->name);
            continue;
        }
        m->ntests++;
    }
}

/* ---- anx module-tests MODULE ---------------------------------------------- */

static const char module_tests_usage[] =
    "usage: anx module-tests MODULE [--image DIR]\n"
    "What tests/modules.sh runs for MODULE (docs/modules.md, \"Tests\"): the tests: key of its\n"
    "module.yaml as bash assignments, with every file checked and every path relative to the\n"
    "root, plus the module's include folders and the modules its code needs (for config.h).\n"
    "  --image DIR   instead, compile MODULE's sources for each CPU architecture with the flags\n"
    "                of an image build (arch/ARCH/arch.yaml, the module's include folders, the\n"
    "                host config.h) and -Werror, objects cached in DIR; prints one 'ok' or 'FAIL'\n"
    "                line per architecture\n";

/* The module and everything it depends on, the module first: what its
 * code may include and what config.h must define. NULL after errors. */
static struct resolution *closure(struct catalog *c, struct module *m)
{
    struct resolution *r = xcalloc(1, sizeof *r);
    size_t cap = c->module_names.n + 1;
    r->mods = xcalloc(cap, sizeof *r->mods);
    r->mods[r->n++].mod = m;
    for (size_t q = 0; q < r->n; q++) {
        const struct module *x = r->mods[q].mod;
        for (size_t d = 0; d < x->depends.n; d++) {
            const char *dn = x->depends.v[d];
            bool have = false;
            for (size_t k = 0; k < r->n && !have; k++)
                have = !strcmp(r->mods[k].mod->name, dn);
            if (have)
                continue;
            struct module *dm = catalog_module(c, dn);
            if (!dm) {
                if (catalog_module_index(c, dn) < 0)
                    diag_error(&x->depends_marks[d], "module '%s' depends on unknown module '%s'", x->name, dn);
                return NULL;
            }
            r->mods[r->n++].mod = dm;
        }
    }
    return r;
}

/* Shell quoting: 'text' with ' as '\''. */
static const char *sq(const char *s)
{
    struct buf b = {0};
    buf_puts(&b, "'");
    for (; *s; s++)
        buf_puts(&b, *s == '\'' ? "'\\''" : (char[]){*s, 0});
    buf_puts(&b, "'");
    return buf_cstr(&b);
}

/* A list as one shell word holding quoted words, for `eval "a=($x)"`. */
static const char *sq_list(const struct strlist *l)
{
    struct buf b = {0};
    for (size_t i = 0; i < l->n; i++)
        buf_printf(&b, "%s%s", i ? " " : "", sq(l->v[i]));
    return sq(b.n ? buf_cstr(&b) : "");
}

static bool in_closure(const struct resolution *r, const char *name)
{
    return resolved_find(r, name) != NULL;
}

/* A link item: FILE of the module, or MODULE/FILE of the module or one it
 * depends on. Returns the root-relative path, or NULL after an error. */
static const char *link_path(struct catalog *c, const struct resolution *r, const struct module *m, const char *item,
                             const struct mark *mk)
{
    const char *slash = strchr(item, '/');
    if (slash) {
        char *mod = xasprintf("%.*s", (int)(slash - item), item);
        if (catalog_module_index(c, mod) >= 0) {
            if (!in_closure(r, mod)) {
                diag_error(mk, "'link': '%s' is code of module '%s', which '%s' does not depend on (add it to "
                           "depends:, or link only code of '%s' and the modules it depends on)",
                           item, mod, m->name, m->name);
                return NULL;
            }
            const struct module *d = resolved_find(r, mod)->mod;
            char *abs = path_join(d->dir, slash + 1);
            if (!file_exists(abs)) {
                diag_error(mk, "'link': '%s' not found (%s)", item, path_display(abs));
                return NULL;
            }
            return path_rel(c->root, abs);
        }
    }
    char *abs = path_join(m->dir, item);
    if (!file_exists(abs)) {
        diag_error(mk, "'link': '%s' not found in %s (another module's code is MODULE/FILE)", item,
                   path_display(m->dir));
        return NULL;
    }
    return path_rel(c->root, abs);
}

/* The third-party code a test links: per entry, the tree's files
 * (absolute), compiled as the image build compiles that entry. */
struct tp_link {
    const struct third_party *tp;
    char *tree;
    struct strlist srcs;
};

/* A link item third_party/ENTRY (every source of the entry, as an image
 * compiles them) or third_party/ENTRY/PATH (one file of its tree), where
 * ENTRY is a third_party: entry of the module or of one it depends on.
 * Adds the files to the entry's group in tl; false after an error. */
static bool link_third_party(const struct resolution *r, const struct module *m, const char *item,
                             const struct mark *mk, struct tp_link *tl, size_t *ntl)
{
    const char *name = item + strlen("third_party/"), *slash = strchr(name, '/');
    size_t len = slash ? (size_t)(slash - name) : strlen(name);
    const struct third_party *tp = NULL;
    for (size_t i = 0; i < r->n && !tp; i++)
        for (size_t t = 0; t < r->mods[i].mod->ntp && !tp; t++)
            if (strlen(r->mods[i].mod->tp[t].name) == len && !strncmp(r->mods[i].mod->tp[t].name, name, len))
                tp = &r->mods[i].mod->tp[t];
    if (!tp) {
        diag_error(mk, "'link': '%s': no third_party: entry '%.*s' in '%s' or the modules it depends on "
                   "(third_party/ENTRY/PATH names a file of an entry's tree)", item, (int)len, name, m->name);
        return false;
    }
    char *tree = path_join(third_party_root(), tp->tree);
    if (!is_dir(tree)) {
        diag_error(mk, "'link': '%s': %s not fetched: run scripts/setup.sh (expected the tree in %s)", item,
                   tp->tree, path_display(tree));
        return false;
    }
    struct strlist rel = {0};
    if (!slash || !slash[1]) {
        if (third_party_sources(tp, tree, &rel))
            return false;
    } else if (!rel_path_ok(slash + 1) || !file_exists(path_join(tree, slash + 1))) {
        diag_error(mk, "'link': '%s' not found (%s is relative to the tree %s)", item, slash + 1,
                   path_display(tree));
        return false;
    } else {
        strlist_push(&rel, slash + 1);
    }
    size_t g = 0;
    while (g < *ntl && tl[g].tp != tp)
        g++;
    if (g == *ntl) {
        tl[g] = (struct tp_link){.tp = tp, .tree = tree};
        (*ntl)++;
    }
    for (size_t k = 0; k < rel.n; k++) {
        char *abs = path_join(tree, rel.v[k]);
        if (!strlist_has(&tl[g].srcs, abs))
            strlist_push(&tl[g].srcs, abs);
    }
    return true;
}

/* One word per group: its sources, and its flags (the entry's private
 * include folders and cflags; host/host.mk adds -w). */
static void tp_link_out(struct buf *o, size_t i, const struct tp_link *tl, size_t ntl)
{
    struct strlist srcs = {0}, flags = {0};
    for (size_t g = 0; g < ntl; g++) {
        struct buf s = {0}, f = {0};
        for (size_t k = 0; k < tl[g].srcs.n; k++)
            buf_printf(&s, "%s%s", k ? " " : "", tl[g].srcs.v[k]);
        for (size_t k = 0; k < tl[g].tp->private_include.n; k++)
            buf_printf(&f, "%s-I%s", f.n ? " " : "", path_join(tl[g].tree, tl[g].tp->private_include.v[k]));
        for (size_t k = 0; k < tl[g].tp->cflags.n; k++)
            buf_printf(&f, "%s%s", f.n ? " " : "", tl[g].tp->cflags.v[k]);
        strlist_push(&srcs, buf_cstr(&s));
        strlist_push(&flags, f.n ? buf_cstr(&f) : "");
    }
    buf_printf(o, "test_tp_srcs[%zu]=%s\n", i, sq_list(&srcs));
    buf_printf(o, "test_tp_flags[%zu]=%s\n", i, sq_list(&flags));
}

static void paths_out(const struct module *m, const char *root, const struct strlist *in, const struct mark *marks,
                      const char *what, struct strlist *out)
{
    for (size_t i = 0; i < in->n; i++) {
        char *abs = path_join(m->dir, in->v[i]);
        if (!file_exists(abs) && !is_dir(abs))
            diag_error(&marks[i], "%s: '%s' not found (paths are relative to %s)", what, in->v[i],
                       path_display(m->dir));
        strlist_push(out, path_rel(root, abs));
    }
}

static int describe(struct catalog *c, struct module *m)
{
    int errs0 = diag_errors;
    struct resolution *r = closure(c, m);
    if (!r)
        return EXIT_USAGE;
    const char *root = c->root;
    struct buf o = {0};
    struct strlist mods = {0}, incs = {0}, missing = {0};
    for (size_t i = 0; i < r->n; i++) {
        const struct module *x = r->mods[i].mod;
        strlist_push(&mods, x->name);
        for (size_t t = 0; t < x->ntp; t++) {
            char *tree = path_join(third_party_root(), x->tp[t].tree);
            if (!is_dir(tree) && !strlist_has(&missing, x->tp[t].tree))
                strlist_push(&missing, x->tp[t].tree);
            for (size_t k = 0; k < x->tp[t].include.n; k++)
                strlist_push(&incs, path_join(tree, x->tp[t].include.v[k]));
        }
    }
    buf_printf(&o, "mod=%s\nmod_dir=%s\n", sq(m->name), sq(path_rel(root, m->dir)));
    buf_printf(&o, "mod_modules=%s\nmod_includes=%s\nmod_missing=%s\n", sq_list(&mods), sq_list(&incs),
               sq_list(&missing));
    buf_printf(&o, "ntests=%zu\n", m->ntests);
    for (size_t i = 0; i < m->ntests; i++) {
        const struct module_test *t = &m->tests[i];
        struct strlist src = {0}, link = {0}, corpus = {0}, dict = {0};
        paths_out(m, root, &t->sources, t->source_marks, "'sources'", &src);
        struct tp_link *tl = xcalloc(t->link.n + 1, sizeof *tl);
        size_t ntl = 0;
        for (size_t k = 0; k < t->link.n; k++) {
            if (!strncmp(t->link.v[k], "third_party/", 12)) {
                link_third_party(r, m, t->link.v[k], &t->link_marks[k], tl, &ntl);
                continue;
            }
            const char *p = link_path(c, r, m, t->link.v[k], &t->link_marks[k]);
            if (p)
                strlist_push(&link, p);
        }
        paths_out(m, root, &t->corpus, t->corpus_marks, "'corpus'", &corpus);
        if (t->dict) {
            struct strlist one = {0};
            strlist_push(&one, t->dict);
            paths_out(m, root, &one, &t->dict_mark, "'dict'", &dict);
        }
        for (size_t k = 0; k < t->emulate.n; k++)
            if (!strlist_has(&c->arch_names, t->emulate.v[k]))
                diag_error(&t->emulate_marks[k], "'emulate': unknown architecture '%s' (there is no "
                           "arch/%s/arch.yaml)", t->emulate.v[k], t->emulate.v[k]);
        buf_printf(&o, "test_name[%zu]=%s\n", i, sq(t->name));
        buf_printf(&o, "test_sources[%zu]=%s\n", i, sq_list(&src));
        buf_printf(&o, "test_link[%zu]=%s\n", i, sq_list(&link));
        tp_link_out(&o, i, tl, ntl);
        buf_printf(&o, "test_platform[%zu]=%s\n", i, t->platform);
        buf_printf(&o, "test_sanitize[%zu]=%d\n", i, t->sanitize);
        buf_printf(&o, "test_cflags[%zu]=%s\n", i, sq_list(&t->cflags));
        buf_printf(&o, "test_args[%zu]=%s\n", i, sq_list(&t->args));
        buf_printf(&o, "test_env[%zu]=%s\n", i, sq_list(&t->env));
        buf_printf(&o, "test_needs[%zu]=%s\n", i, sq_list(&t->needs));
        buf_printf(&o, "test_run[%zu]=%s\n", i, sq_list(&t->run));
        buf_printf(&o, "test_emulate[%zu]=%s\n", i, sq_list(&t->emulate));
        buf_printf(&o, "test_data[%zu]=%s\n", i, sq(t->data ? t->data : ""));
        buf_printf(&o, "test_without_data[%zu]=%s\n", i, t->run_without_data ? "run" : "skip");
        buf_printf(&o, "test_fuzz[%zu]=%d\n", i, t->fuzz);
        buf_printf(&o, "test_corpus[%zu]=%s\n", i, sq_list(&corpus));
        buf_printf(&o, "test_runs[%zu]=%lld\n", i, (long long)t->runs);
        buf_printf(&o, "test_seconds[%zu]=%lld\n", i, (long long)t->seconds);
        buf_printf(&o, "test_max_len[%zu]=%lld\n", i, (long long)t->max_len);
        buf_printf(&o, "test_dict[%zu]=%s\n", i, sq(dict.n ? dict.v[0] : ""));
    }
    if (diag_errors > errs0)
        return EXIT_USAGE;
    fputs(buf_cstr(&o), stdout);
    return EXIT_OK;
}

/* ---- anx module-tests MODULE --image DIR ------------------------------------ */

/* The first platform (by name) of the architecture that the module runs
 * on: its flags are the arch's, plus its own. NULL when there is none. */
static struct platform *platform_for(struct catalog *c, const struct module *m, const char *arch)
{
    for (size_t i = 0; i < c->platform_names.n; i++) {
        const char *pn = c->platform_names.v[i];
        if (!strlist_has(&m->platforms, "all") && !strlist_has(&m->platforms, pn))
            continue;
        struct platform *p = catalog_platform(c, pn);
        if (p && p->arch && !strcmp(p->arch, arch))
            return p;
    }
    return NULL;
}

static bool stray_symbols(const struct module *m, const struct toolchain *tc, struct cunit *u, size_t n,
                          size_t *nsym, struct strlist *stray);

/* Compiles the module's sources as an image build for p's architecture,
 * then lists the global symbols outside its prefixes. */
static bool compile_for(struct catalog *c, struct module *m, const struct resolution *r, struct platform *p,
                        const char *dir, size_t *nsrc, size_t *nsym, struct strlist *stray)
{
    const char *root = c->root;
    char *gendir = path_join(dir, p->arch);
    char *names[] = {m->name};
    char *config = config_h_host_text(c, names, 1);
    if (!config || mkdir_p(gendir) || write_file(path_join(gendir, "config.h"), config, strlen(config)))
        return false;
    struct toolchain tc;
    if (toolchain_init(&tc, p->cross_compile))
        return false;
    struct strlist flags = {0};
    common_flags(root, &tc, p, &flags);
    strlist_push(&flags, "-Werror");
    struct strlist all = {0};
    for (size_t k = 0; k < m->sources.n; k++)
        strlist_push(&all, m->sources.v[k]);
    for (size_t a = 0; a < m->narch; a++)
        if (!strcmp(m->arch_sources[a].arch, p->arch))
            for (size_t k = 0; k < m->arch_sources[a].list.n; k++)
                strlist_push(&all, m->arch_sources[a].list.v[k]);
    struct cunit *u = xcalloc(all.n + 1, sizeof *u);
    for (size_t k = 0; k < all.n; k++) {
        u[k].src_abs = path_join(m->dir, all.v[k]);
        u[k].src = xstrdup(path_rel(root, u[k].src_abs));
        u[k].owner = m->name;
        u[k].config = xstrdup(path_rel(root, path_join(gendir, "config.h")));
        strlist_push(&u[k].flags, xasprintf("-I%s", path_rel(root, m->dir)));
        export_includes(root, r, m, &(struct strlist){0}, &u[k].flags);
    }
    *nsrc = all.n;
    struct inputs in = {0};
    int hits;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    if (compile_all(root, path_join(gendir, "objects"), &tc, &flags, u, all.n, jobs > 0 ? (int)jobs : 1, &in,
                    &hits))
        return false;
    return stray_symbols(m, &tc, u, all.n, nsym, stray);
}

/* The global symbols the objects define that start with none of the
 * module's prefixes (module.yaml prefix:), into stray; every module's
 * symbols share one namespace in an image, so a prefix per module is what
 * keeps two of them from clashing. anx_module_<ident> is the core's name
 * for the module's descriptor (ANX_MODULE). */
static bool stray_symbols(const struct module *m, const struct toolchain *tc, struct cunit *u, size_t n,
                          size_t *nsym, struct strlist *stray)
{
    struct strlist argv = {0};
    strlist_push(&argv, tc->nm);
    strlist_push(&argv, "-g");
    strlist_push(&argv, "--defined-only");
    strlist_push(&argv, "--format=posix");
    for (size_t k = 0; k < n; k++)
        strlist_push(&argv, u[k].obj);
    strlist_push(&argv, "");
    argv.v[argv.n - 1] = NULL;
    struct buf out = {0};
    if (run_argv(argv.v, NULL, &out) != 0) {
        diag_error(NULL, "'%s' failed on the module's objects: %s", tc->nm, buf_cstr(&out));
        return false;
    }
    char *descriptor = xasprintf("anx_module_%s", m->name);
    for (char *q = descriptor; *q; q++)
        *q = *q == '-' ? '_' : *q;
    /* posix format: "NAME TYPE VALUE SIZE" per symbol, "FILE:" before each object's */
    for (char *line = strtok(xstrdup(buf_cstr(&out)), "\n"); line; line = strtok(NULL, "\n")) {
        char *sp = strchr(line, ' ');
        if (!sp || sp[1] == 0 || (sp[2] != ' ' && sp[2] != 0))
            continue;
        *sp = 0;
        (*nsym)++;
        bool ok = !strcmp(line, descriptor);
        for (size_t i = 0; i < m->prefixes.n && !ok; i++)
            ok = !strncmp(line, m->prefixes.v[i], strlen(m->prefixes.v[i]));
        if (!ok && !strlist_has(stray, line))
            strlist_push(stray, xstrdup(line));
    }
    return true;
}

static int compile_as_image(struct catalog *c, struct module *m, const char *dir)
{
    struct resolution *r = closure(c, m);
    if (!r)
        return EXIT_USAGE;
    int failed = 0;
    for (size_t i = 0; i < c->arch_names.n; i++) {
        const char *arch = c->arch_names.v[i];
        struct platform *p = platform_for(c, m, arch);
        if (!p) {
            printf("note %s: no %s platform runs it (module.yaml platforms:); not compiled for %s\n", m->name,
                   arch, arch);
            continue;
        }
        size_t n = 0, nsym = 0;
        struct strlist stray = {0};
        fflush(stdout);
        int errs0 = diag_errors;
        bool ok = compile_for(c, m, r, p, dir, &n, &nsym, &stray);
        if (ok)
            printf("ok   %s: compiles for an image on %s (%s flags, %zu sources, -Werror)\n", m->name, arch, p->name,
                   n);
        else
            printf("FAIL %s: does not compile for an image on %s (%s flags, -Werror)%s\n", m->name, arch, p->name,
                   diag_errors > errs0 ? "" : ": see the compiler's messages above");
        failed += !ok;
        if (!ok)
            continue;
        struct buf want = {0}, bad = {0};
        for (size_t k = 0; k < m->prefixes.n; k++)
            buf_printf(&want, "%s%s", k ? ", " : "", m->prefixes.v[k]);
        for (size_t k = 0; k < stray.n && k < 12; k++)
            buf_printf(&bad, "%s%s", k ? ", " : "", stray.v[k]);
        if (stray.n > 12)
            buf_printf(&bad, " and %zu more", stray.n - 12);
        if (!stray.n)
            printf("ok   %s: its global symbols on %s start with %s (%zu)\n", m->name, arch, buf_cstr(&want), nsym);
        else
            printf("FAIL %s: %zu global symbols on %s do not start with %s (module.yaml prefix:; make them "
                   "static or rename them): %s\n",
                   m->name, stray.n, arch, buf_cstr(&want), buf_cstr(&bad));
        failed += stray.n > 0;
    }
    return failed ? EXIT_FAIL : EXIT_OK;
}

int cmd_module_tests(int argc, char **argv)
{
    static const struct option opts[] = {
        {"image", required_argument, 0, 'i'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *image = NULL;
    int ch;
    optind = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'i':
            image = optarg;
            break;
        case 'h':
            fputs(module_tests_usage, stdout);
            return EXIT_OK;
        default:
            fputs(module_tests_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fputs(module_tests_usage, stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[optind];
    struct catalog cat;
    catalog_open(&cat, anx_root());
    if (catalog_module_index(&cat, name) < 0) {
        const char *s = did_you_mean(name, (const char *const *)cat.module_names.v, cat.module_names.n);
        diag_error(NULL, "unknown module '%s'%s%s%s", name, s ? " (did you mean '" : " (see `anx modules`)",
                   s ? s : "", s ? "'?)" : "");
        return EXIT_USAGE;
    }
    struct module *m = catalog_module(&cat, name);
    if (!m)
        return EXIT_USAGE;
    return image ? compile_as_image(&cat, m, path_abs(image)) : describe(&cat, m);
}
