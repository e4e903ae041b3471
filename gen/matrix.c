/*
 * anx matrix: manifests x platforms x boot modes, from the command line or a
 * matrix.yaml, turned into tasks (a build per manifest and platform, a boot
 * test per mode, scripts) that matrix_run.c runs in parallel. This file
 * reads the options and the file and plans the tasks and their locks; a
 * bad file or an unknown platform or mode stops here, before anything runs.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char matrix_usage[] =
    "usage: anx matrix [FILE.yaml | MANIFEST... | SCRIPT.sh...] [-p PLATFORM]... [--boot MODE]...\n"
    "                  [-j N] [--junit FILE] [--json FILE] [--logs DIR] [--list]\n"
    "Builds and boot-tests manifests x platforms x boot modes: each manifest and platform is\n"
    "built once, then `anx test` runs once per boot mode, in parallel up to -j runs. Runs that\n"
    "share a build folder never overlap. One line per run ('ok   LABEL  12.3s', 'FAIL LABEL'\n"
    "with the last 40 lines of its log, 'skip  LABEL: REASON'); on a terminal a live table\n"
    "shows what runs. Ends with a summary and 'N passed, N failed, N skipped'.\n"
    "  FILE.yaml            a matrix file (a YAML mapping with runs:), e.g.:\n"
    "                         runs:\n"
    "                           - manifest: hello.yaml          # relative to FILE's folder\n"
    "                             platforms: [x86_64-pc, arm64-virt]\n"
    "                             boot: [default, uefi]         # optional (default: default)\n"
    "                             needs: data/model.bin         # optional: skipped when absent\n"
    "                             timeout: 5m                   # optional (default --timeout)\n"
    "                           - script: persist.sh            # bash persist.sh PLATFORM [MODE]:\n"
    "                             platforms: [x86_64-pc]        # exit 0 passes, 77 with a\n"
    "                                                           # 'skip  NAME: REASON' line skips\n"
    "                       With a file, -p and --boot keep only the runs they name.\n"
    "  MANIFEST, SCRIPT.sh  what to run instead of a file (a manifest's platform: when no -p)\n"
    "  -p, --platform NAME  a platform (repeatable)\n"
    "  --boot MODE          a boot mode; 'default' is the platform's first (repeatable)\n"
    "  -j, --jobs N         runs at the same time (default: the number of online CPUs)\n"
    "  --timeout DURATION   a run or build still going after it is stopped (SIGTERM, then\n"
    "                       SIGKILL 5 s later) and fails 'timed out' (default 20m; 0: never)\n"
    "  --junit FILE         write a JUnit XML report (one testsuite per platform)\n"
    "  --json FILE          write the results as JSON\n"
    "  -n, --list           check the file, print the runs and their locks, run nothing\n"
    "  --logs DIR           one log per run (default: build/matrix in a repository,\n"
    "                       $ANX_BUILD/matrix with ANX_BUILD set, else build/matrix beside FILE)\n"
    "Exit: 0 all passed or skipped, 1 a run failed, 2 a usage or matrix file error.\n"
    "docs/anx.md, 'anx matrix', describes the file.\n";

/* A run or build still going after this long is stopped and fails: one
 * that hangs (a guest that never powers off, a script waiting on a port)
 * must not hold CI until its own limit. The slowest run of the project's
 * matrix takes about 3 minutes under TCG. */
#define MATRIX_DEFAULT_TIMEOUT_NS (20ull * 60 * 1000000000)

/* One entry of runs: (or the command line's manifests). */
struct mentry {
    bool script;
    char *path;                 /* absolute */
    struct mark mark;
    struct strlist platforms;   /* empty: the manifest's platform: */
    struct mark *plat_marks;
    struct strlist boots;       /* empty: default only */
    struct mark *boot_marks;
    struct strlist needs;       /* absolute */
    struct strlist needs_shown;
    uint64_t timeout_ns;        /* timeout: (0: the command line's) */
};

struct plan {
    struct mentry *e;
    size_t n;
    struct catalog cat;
    struct strlist only_plat, only_boot;   /* -p / --boot with a file: filters */
};

/* ---- the matrix file ------------------------------------------------------- */

/* A string or a list of strings, as a list. */
static int str_or_list(const struct ynode *n, const char *what, struct strlist *out, struct mark **marks)
{
    if (n->kind == Y_SCALAR) {
        char *s;
        if (yget_string(n, what, &s))
            return -1;
        strlist_push(out, s);
        if (marks) {
            *marks = xcalloc(1, sizeof **marks);
            (*marks)[0] = n->mark;
        }
        return 0;
    }
    return yget_strlist(n, what, out, marks);
}

static int parse_entry(const struct ynode *it, const char *dir, struct mentry *e)
{
    static const char *const keys[] = {"manifest", "script", "platforms", "boot", "needs", "timeout"};
    memset(e, 0, sizeof *e);
    if (ymap_expect(it, "an item of runs:"))
        return 1;
    int errs = ymap_check_keys(it, keys, sizeof keys / sizeof keys[0], "in an item of runs:");
    const struct ynode *man = ymap_get(it, "manifest"), *scr = ymap_get(it, "script");
    if (!man == !scr) {
        diag_error(&it->mark, "an item of runs: needs one of 'manifest: FILE' or 'script: FILE.sh'%s",
                   man ? ", not both" : "");
        return errs + 1;
    }
    const struct ynode *what = man ? man : scr;
    char *p;
    if (yget_string(what, man ? "'manifest'" : "'script'", &p))
        return errs + 1;
    e->script = scr != NULL;
    e->mark = what->mark;
    e->path = path_abs(p[0] == '/' ? p : path_join(dir, p));
    if (!file_exists(e->path)) {
        diag_error(&what->mark, "'%s' not found (paths are relative to the matrix file's folder, %s)", yshow(p, strlen(p)),
                   path_display(dir));
        errs++;
    }
    const struct ynode *v;
    if ((v = ymap_get(it, "platforms")) && str_or_list(v, "'platforms'", &e->platforms, &e->plat_marks))
        errs++;
    if (e->script && !e->platforms.n) {
        diag_error(&it->mark, "a script needs 'platforms: [NAME, ...]' (it is run as bash SCRIPT PLATFORM [MODE])");
        errs++;
    }
    if ((v = ymap_get(it, "boot")) && str_or_list(v, "'boot'", &e->boots, &e->boot_marks))
        errs++;
    struct strlist needs = {0};
    if ((v = ymap_get(it, "needs")) && str_or_list(v, "'needs'", &needs, NULL))
        errs++;
    char *tmo;
    if ((v = ymap_get(it, "timeout")) && yget_string(v, "'timeout'", &tmo) == 0 &&
        (parse_duration(tmo, &e->timeout_ns) || !e->timeout_ns)) {
        diag_error(&v->mark, "timeout '%s' is not a duration (90s, 5m, 1h)", yshow(tmo, strlen(tmo)));
        errs++;
    }
    for (size_t i = 0; i < needs.n; i++) {
        const char *s = needs.v[i];
        strlist_push(&e->needs, path_abs(s[0] == '/' ? s : path_join(dir, s)));
        strlist_push(&e->needs_shown, path_display(e->needs.v[e->needs.n - 1]));
    }
    return errs;
}

/* The runs: of a matrix file; 0, or the number of errors printed. */
static int load_file(const char *path, const struct ynode *root, struct plan *pl)
{
    static const char *const keys[] = {"runs"};
    char *dir = path_dirname(path_abs(path));
    if (root->kind != Y_MAP) {
        struct mark mk = {path_display(path), 1, 1};
        diag_error(&mk, "a matrix file is a mapping with 'runs:' (a list of manifest: or script: items)");
        return 1;
    }
    int errs = ymap_check_keys(root, keys, 1, "in a matrix file");
    const struct ynode *runs = ymap_get(root, "runs");
    if (!runs || runs->kind != Y_SEQ || runs->n == 0) {
        diag_error(runs ? &runs->mark : &root->mark,
                   "'runs:' must be a list of items with 'manifest:' or 'script:' (see anx matrix --help)");
        return errs + 1;
    }
    pl->e = xcalloc(runs->n, sizeof *pl->e);
    for (size_t i = 0; i < runs->n; i++)
        errs += parse_entry(runs->items[i], dir, &pl->e[pl->n++]);
    return errs;
}

/* The YAML tree of path when it is a matrix file (a mapping with runs:),
 * else NULL. A file that does not parse is a manifest's problem to report. */
static struct ynode *matrix_file(const char *path, int *errs)
{
    char *data;
    size_t len;
    size_t n = strlen(path);
    if (!(n > 5 && !strcmp(path + n - 5, ".yaml")) && !(n > 4 && !strcmp(path + n - 4, ".yml")))
        return NULL;
    if (read_file(path, &data, &len, 1 << 20))
        return NULL;
    /* quietly first: a manifest's own errors are anx test's to report */
    FILE *saved = diag_out;
    int before = diag_errors;
    diag_out = fopen("/dev/null", "w");
    struct ynode *root = yaml_load(path_display(path), data, len);
    if (diag_out)
        fclose(diag_out);
    diag_out = saved;
    bool broken = diag_errors != before;
    diag_errors = before;
    if (root && root->kind == Y_MAP && ymap_get(root, "runs")) {
        if (broken)   /* duplicate keys: say where */
            root = yaml_load(path_display(path), data, len);
        *errs = diag_errors - before;
        return root;
    }
    if (!root && strstr(data, "runs:")) {
        /* a matrix file with a syntax error: now say where */
        yaml_load(path_display(path), data, len);
        *errs = diag_errors - before;
    }
    return NULL;
}

/* ---- platforms and modes --------------------------------------------------- */

static const char *list_of(const struct strlist *l)
{
    struct buf b = {0};
    for (size_t i = 0; i < l->n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
    return buf_cstr(&b);
}

static int check_platform(struct plan *pl, const char *name, const struct mark *mk)
{
    if (catalog_platform_index(&pl->cat, name) >= 0 && catalog_platform(&pl->cat, name))
        return 0;
    diag_error(mk, "unknown platform '%s'%s; the platforms are: %s", yshow(name, strlen(name)),
               suggest(name, (const char *const *)pl->cat.platform_names.v, pl->cat.platform_names.n),
               list_of(&pl->cat.platform_names));
    return 1;
}

static int check_mode(struct plan *pl, const char *plat, const char *mode, const struct mark *mk)
{
    const struct platform *p = catalog_platform(&pl->cat, plat);
    if (!p || !strcmp(mode, "default"))
        return 0;
    struct strlist names = {0};
    for (size_t i = 0; i < p->nboot; i++) {
        if (!strcmp(p->boot[i].name, mode))
            return 0;
        strlist_push(&names, p->boot[i].name);
    }
    diag_error(mk, "platform '%s' has no boot mode '%s'%s; its modes are: default, %s", plat,
               yshow(mode, strlen(mode)), suggest(mode, (const char *const *)names.v, names.n), list_of(&names));
    return 1;
}

/* The manifest's name: and platform: (a manifest that does not parse gets
 * neither: anx test reports it in the run's log). */
static void peek_manifest(const char *path, char **name, char **platform)
{
    char *data;
    size_t len;
    struct manifest m = {0};
    *name = *platform = NULL;
    if (read_file(path, &data, &len, 1 << 20))
        return;
    FILE *saved = diag_out;
    int errors = diag_errors;
    diag_out = fopen("/dev/null", "w");
    manifest_parse(path, data, len, &m);
    if (diag_out)
        fclose(diag_out);
    diag_out = saved;
    diag_errors = errors;
    *name = m.name;
    *platform = m.platform;
}

/* The build folder anx build and anx test use for path on plat without -o. */
static char *build_folder(struct plan *pl, const char *path, const char *plat)
{
    char *name, *mplat;
    peek_manifest(path, &name, &mplat);
    if (!name)
        return xasprintf("manifest:%s:%s", path, plat);
    struct manifest m = {0};
    m.name = name;
    m.dir = path_dirname(path);
    struct resolution r = {0};
    r.plat = catalog_platform(&pl->cat, plat);
    return default_outdir(&m, &r);
}

/* A script may build any manifest it names: it holds the build folders of
 * every existing *.yaml its text names (relative to the current folder or
 * its own), so it never overlaps a run using one of them. Copies made with
 * port_manifest keep the original's name:, hence its build folder. */
static void script_locks(struct plan *pl, const char *script, const char *plat, struct strlist *locks)
{
    char *data;
    size_t len;
    strlist_push(locks, xasprintf("script:%s:%s", script, plat));
    if (read_file(script, &data, &len, 1 << 20))
        return;
    char *dir = path_dirname(script);
    for (char *p = data; (p = strstr(p, ".yaml")); p += 5) {
        char *s = p;
        while (s > data && (isalnum((unsigned char)s[-1]) || strchr("._/-", s[-1])))
            s--;
        char *word = xstrndup(s, (size_t)(p + 5 - s));
        if (!*word || *word == '.')
            continue;
        char *cands[2] = {path_abs(word), path_abs(path_join(dir, word))};
        for (int i = 0; i < 2; i++) {
            if (!file_exists(cands[i]) || is_dir(cands[i]))
                continue;
            char *f = build_folder(pl, cands[i], plat);
            if (!strlist_has(locks, f))
                strlist_push(locks, f);
            break;
        }
    }
}

/* ---- tasks -------------------------------------------------------------- */

static struct mtask *add_task(struct matrix *mx, enum mtask_kind kind, const char *path, const char *plat,
                              const char *boot)
{
    if (mx->n == mx->cap) {
        mx->cap = mx->cap ? mx->cap * 2 : 64;
        mx->t = xrealloc(mx->t, mx->cap * sizeof *mx->t);
    }
    struct mtask *t = &mx->t[mx->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->path = xstrdup(path);
    t->platform = xstrdup(plat);
    t->boot = boot ? xstrdup(boot) : NULL;
    t->build = -1;
    t->label = boot ? xasprintf("%s %s --boot %s", path_display(path), plat, boot)
                    : xasprintf("%s %s", path_display(path), plat);
    const char *shown = t->label;
    while (!strncmp(shown, "../", 3))
        shown += 3;
    char *name = xasprintf("%s%s", kind == MT_BUILD ? "build " : "", shown);
    for (char *c = name; *c; c++)
        if (*c == ' ' || *c == '/')
            *c = '_';
    t->log = path_join(mx->logdir, xasprintf("%s.log", name));
    return t;
}

/* The build task of (path, plat), made on first use. */
static long build_task(struct matrix *mx, struct plan *pl, const char *path, const char *plat)
{
    for (size_t i = 0; i < mx->n; i++)
        if (mx->t[i].kind == MT_BUILD && !strcmp(mx->t[i].path, path) && !strcmp(mx->t[i].platform, plat))
            return (long)i;
    struct mtask *t = add_task(mx, MT_BUILD, path, plat, NULL);
    strlist_push(&t->locks, build_folder(pl, path, plat));
    return (long)(t - mx->t);
}

static bool wanted(const struct strlist *only, const char *s)
{
    return only->n == 0 || strlist_has(only, s);
}

/* Every run of entry e; returns the errors (unknown platforms, modes). */
static int plan_entry(struct matrix *mx, struct plan *pl, const struct mentry *e)
{
    int errs = 0;
    struct strlist plats = e->platforms;
    struct mark *pmarks = e->plat_marks;
    struct mark none = {0};
    if (!plats.n) {
        char *name, *mplat;
        peek_manifest(e->path, &name, &mplat);
        if (!mplat) {
            diag_error(e->mark.line ? &e->mark : NULL,
                       "%s has no platform: give the platforms to run it on (-p NAME, or platforms: [NAME])",
                       path_display(e->path));
            return 1;
        }
        strlist_push(&plats, mplat);
        pmarks = NULL;
    }
    const char *missing = NULL;
    for (size_t i = 0; i < e->needs.n && !missing; i++)
        if (access(e->needs.v[i], F_OK) != 0)
            missing = e->needs_shown.v[i];
    for (size_t i = 0; i < plats.n; i++) {
        const struct mark *pm = pmarks && pmarks[i].line ? &pmarks[i] : &none;
        if (check_platform(pl, plats.v[i], pm->line ? pm : NULL)) {
            errs++;
            continue;
        }
        if (!wanted(&pl->only_plat, plats.v[i]))
            continue;
        size_t nb = e->boots.n ? e->boots.n : 1;
        for (size_t b = 0; b < nb; b++) {
            const char *mode = e->boots.n ? e->boots.v[b] : "default";
            const struct mark *bm = e->boots.n && e->boot_marks ? &e->boot_marks[b] : NULL;
            if (check_mode(pl, plats.v[i], mode, bm)) {
                errs++;
                continue;
            }
            if (!wanted(&pl->only_boot, mode) || errs)
                continue;
            const char *boot = strcmp(mode, "default") ? mode : NULL;
            struct mtask *t;
            if (e->script) {
                t = add_task(mx, MT_SCRIPT, e->path, plats.v[i], boot);
                script_locks(pl, e->path, plats.v[i], &t->locks);
            } else {
                long bi = missing ? -1 : build_task(mx, pl, e->path, plats.v[i]);
                t = add_task(mx, MT_TEST, e->path, plats.v[i], boot);
                t->build = bi;
                if (bi >= 0)
                    strlist_push(&t->locks, mx->t[bi].locks.v[0]);
            }
            if (e->timeout_ns)
                t->timeout_ms = (double)e->timeout_ns / 1e6;
            if (missing) {
                t->state = MS_SKIP;
                t->reason = xasprintf("%s is absent", missing);
            }
        }
    }
    return errs;
}

/* --list: what would run, with what it holds alone (build folders). */
static int list_tasks(const struct matrix *mx)
{
    size_t runs = 0, builds = 0;
    for (size_t i = 0; i < mx->n; i++) {
        const struct mtask *t = &mx->t[i];
        builds += t->kind == MT_BUILD;
        if (t->kind == MT_BUILD)
            continue;
        runs++;
        if (t->state == MS_SKIP) {
            printf("skip  %s: %s\n", t->label, t->reason);
            continue;
        }
        printf("%-6s %s\n", t->kind == MT_SCRIPT ? "script" : "test", t->label);
        for (size_t k = 0; k < t->locks.n; k++)
            if (strncmp(t->locks.v[k], "script:", 7))
                printf("         uses %s\n", path_display(t->locks.v[k]));
    }
    printf("%zu runs, %zu builds (-j %d)\n", runs, builds, mx->jobs);
    return EXIT_OK;
}

/* Where logs go without --logs: matrix/ beside the build folders. */
static const char *default_logdir(const char *file)
{
    const char *env = getenv("ANX_BUILD");
    if (env && *env)
        return path_join(path_abs(env), "matrix");
    if (!anx_installed())
        return path_join(anx_root(), "build/matrix");
    return path_join(file ? path_dirname(path_abs(file)) : path_abs("."), "build/matrix");
}

static int parse_jobs(const char *s, int *jobs)
{
    int64_t j;
    if (parse_int(s, &j) || j < 1 || j > 256) {
        diag_error(NULL, "--jobs expects a number from 1 to 256, found '%s'", s);
        return -1;
    }
    *jobs = (int)j;
    return 0;
}

int cmd_matrix(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"boot", required_argument, 0, 'b'},
        {"jobs", required_argument, 0, 'j'},     {"junit", required_argument, 0, 'U'},
        {"json", required_argument, 0, 'J'},     {"logs", required_argument, 0, 'L'},
        {"list", no_argument, 0, 'n'},           {"help", no_argument, 0, 'h'},
        {"timeout", required_argument, 0, 'T'},
        {0, 0, 0, 0},
    };
    bool list = false;
    struct plan pl = {0};
    struct strlist plats = {0}, boots = {0};
    const char *junit = NULL, *json = NULL, *logs = NULL;
    struct matrix mx = {0};
    uint64_t timeout_ns = MATRIX_DEFAULT_TIMEOUT_NS;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    mx.jobs = ncpu > 0 ? (int)ncpu : 1;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "p:j:nh", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            strlist_push(&plats, optarg);
            break;
        case 'b':
            strlist_push(&boots, optarg);
            break;
        case 'j':
            if (parse_jobs(optarg, &mx.jobs))
                return EXIT_USAGE;
            break;
        case 'U':
            junit = optarg;
            break;
        case 'J':
            json = optarg;
            break;
        case 'L':
            logs = optarg;
            break;
        case 'T':
            timeout_ns = 0;
            if (strcmp(optarg, "0") && parse_duration(optarg, &timeout_ns)) {
                diag_error(NULL, "--timeout '%s' is not a duration (90s, 20m, 0 for none)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'n':
            list = true;
            break;
        case 'h':
            fputs(matrix_usage, stdout);
            return EXIT_OK;
        default:
            fputs(matrix_usage, stderr);
            return EXIT_USAGE;
        }
    }
    int nargs = argc - optind;
    if (nargs < 1) {
        diag_error(NULL, "anx matrix needs a matrix file or manifests (see anx matrix --help)");
        return EXIT_USAGE;
    }
    catalog_open(&pl.cat, anx_root());
    int errs = 0;
    const char *file = NULL;
    struct ynode *root = matrix_file(argv[optind], &errs);
    if (errs)
        return EXIT_USAGE;
    if (root) {
        file = argv[optind];
        if (nargs > 1) {
            diag_error(NULL, "a matrix file runs alone: '%s' after %s (name manifests in its runs:)",
                       argv[optind + 1], path_display(file));
            return EXIT_USAGE;
        }
        errs += load_file(file, root, &pl);
        pl.only_plat = plats;
        pl.only_boot = boots;
        /* the filters must name platforms and modes that exist */
        for (size_t i = 0; i < plats.n; i++)
            errs += check_platform(&pl, plats.v[i], NULL);
    } else {
        pl.e = xcalloc((size_t)nargs, sizeof *pl.e);
        for (int i = optind; i < argc; i++) {
            struct mentry *e = &pl.e[pl.n++];
            size_t n = strlen(argv[i]);
            e->script = n > 3 && !strcmp(argv[i] + n - 3, ".sh");
            e->path = path_abs(argv[i]);
            if (!file_exists(e->path)) {
                diag_error(NULL, "'%s' not found", argv[i]);
                errs++;
            }
            e->platforms = plats;
            e->boots = boots;
            if (e->script && !plats.n) {
                diag_error(NULL, "the script %s needs -p PLATFORM (it is run as bash SCRIPT PLATFORM [MODE])",
                           argv[i]);
                errs++;
            }
        }
    }
    if (errs)
        return EXIT_USAGE;
    mx.logdir = logs ? path_abs(logs) : default_logdir(file);
    for (size_t i = 0; i < pl.n; i++)
        errs += plan_entry(&mx, &pl, &pl.e[i]);
    if (errs)
        return EXIT_USAGE;
    for (size_t i = 0; i < mx.n; i++)   /* what no timeout: of its own covers */
        if (!mx.t[i].timeout_ms)
            mx.t[i].timeout_ms = (double)timeout_ns / 1e6;
    if (mx.n == 0) {
        diag_error(NULL, "no run matches -p %s --boot %s in %s", plats.n ? list_of(&plats) : "(any)",
                   boots.n ? list_of(&boots) : "(any)", path_display(file));
        return EXIT_USAGE;
    }
    if (list)
        return list_tasks(&mx);
    int e = mkdir_p(mx.logdir);
    if (e) {
        diag_error(NULL, "cannot create %s: %s (--logs DIR puts the logs elsewhere)", path_display(mx.logdir),
                   strerror(-e));
        return EXIT_USAGE;
    }
    const char *term = getenv("TERM");
    mx.tty = isatty(STDOUT_FILENO) && term && strcmp(term, "dumb");
    matrix_execute(&mx);
    matrix_summary(&mx);
    int rc = EXIT_OK;
    if (junit && matrix_junit(&mx, junit))
        rc = EXIT_FAIL;
    if (json && matrix_json(&mx, json))
        rc = EXIT_FAIL;
    for (size_t i = 0; i < mx.n; i++)
        if (mx.t[i].kind != MT_BUILD && mx.t[i].state == MS_FAIL)
            rc = EXIT_FAIL;
    return rc;
}
