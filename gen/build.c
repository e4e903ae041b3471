/*
 * One build, in the steps of docs/architecture.md: generate config.h,
 * modules.c and the files archive; compile core + platform + modules
 * through the object cache; link; write the images and report.json.
 * Each step is skipped when its inputs are unchanged, which is what makes
 * an unchanged rebuild take milliseconds.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *root_override;

/* `make install` writes this file at the top of PREFIX/share/anunix; its
 * presence is what tells an installed tree from a repository. */
#define INSTALLED_MARK "installed.txt"

void set_anx_root(const char *root)
{
    root_override = path_abs(root);
}

/* The tree anx builds from: --root, ANX_ROOT, else found from the anx
 * executable: PREFIX/bin/anx -> PREFIX/share/anunix when that is an
 * installed tree, otherwise the folder above it (gen/anx -> the
 * repository). Nothing absolute is compiled in, so an installed tree can
 * be moved (DESTDIR staging, a relocated prefix). */
const char *anx_root(void)
{
    static char *cached;
    if (root_override)
        return root_override;
    if (cached)
        return cached;
    const char *env = getenv("ANX_ROOT");
    if (env && *env)
        return cached = path_abs(env);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *above = path_dirname(path_dirname(exe));
        char *share = path_join(above, "share/anunix");
        if (file_exists(path_join(share, INSTALLED_MARK)))
            return cached = share;
        return cached = above;
    }
    return cached = path_abs(".");
}

bool anx_installed(void)
{
    return file_exists(path_join(anx_root(), INSTALLED_MARK));
}

/* ${XDG_CACHE_HOME:-$HOME/.cache}/anunix: the user's own writable place,
 * since an installed tree may be read-only (a root-owned /usr/local). */
const char *anx_user_cache(void)
{
    static char *cached;
    if (cached)
        return cached;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        return cached = path_join(path_abs(xdg), "anunix");
    return cached = path_join(path_abs(home && *home ? home : "."), ".cache/anunix");
}

/* Where builds go: ANX_BUILD, else ROOT/build in a repository; NULL for an
 * installed tree, whose builds go beside each manifest. */
static const char *build_base(void)
{
    const char *env = getenv("ANX_BUILD");
    if (env && *env)
        return path_abs(env);
    if (anx_installed())
        return NULL;
    return path_join(anx_root(), "build");
}

/* Objects: ANX_CACHE; in a repository build/.cache (beside the builds);
 * installed, the user's cache, shared by all their projects and never
 * under the (possibly read-only) install prefix. */
const char *anx_cache_dir(void)
{
    const char *env = getenv("ANX_CACHE");
    if (env && *env)
        return path_abs(env);
    if (anx_installed())
        return path_join(anx_user_cache(), "objects");
    return path_join(build_base(), ".cache");
}

/* BASE/NAME-PLATFORM. Installed, BASE is MANIFEST_DIR/build: a project's
 * images land in that project, whatever the current directory, the way
 * cargo puts target/ beside Cargo.toml. A manifest of the installed tree
 * itself (share/anunix/manifests) builds into the user's cache instead, so
 * trying one never writes under the prefix, even as root. */
char *default_outdir(const struct manifest *m, const struct resolution *r)
{
    const char *base = build_base();
    if (!base) {
        /* Compared as real paths: either may be reached through a symlink. */
        char *root = realpath(anx_root(), NULL), *dir = realpath(m->dir, NULL);
        size_t n = root ? strlen(root) : 0;
        bool in_tree = root && dir && !strncmp(dir, root, n) && (dir[n] == '/' || !dir[n]);
        free(root);
        free(dir);
        base = in_tree ? path_join(anx_user_cache(), "build") : path_join(m->dir, "build");
    }
    return path_join(base, xasprintf("%s-%s", m->name, r->plat->name));
}

int load_and_resolve(const char *path, const char *platform, struct catalog *c, struct manifest *m,
                     struct resolution *r)
{
    if (manifest_load(path, m))
        return EXIT_USAGE;
    catalog_open(c, anx_root());
    if (resolve(c, m, platform, r))
        return EXIT_USAGE;
    return EXIT_OK;
}

static void step_line(const struct build_opts *o, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void step_line(const struct build_opts *o, const char *step, const char *fmt, ...)
{
    if (o->quiet || o->json)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("  %-9s", step);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    fflush(stdout);
}

/* One line when the image combines GPL-licensed code (a module's own code
 * or a third-party tree it compiles, module.yaml `license:`): the project is
 * MIT, but whoever distributes such an image distributes it under the GPL's
 * terms. report.json lists every module's and tree's licence. */
static void gpl_note(const struct build_opts *o, const struct resolution *r)
{
    struct buf b = {0};
    for (size_t i = 0; i < r->n; i++) {
        const struct module *m = r->mods[i].mod;
        if (strstr(m->license, "GPL"))
            buf_printf(&b, "%s%s (%s)", b.n ? ", " : "", m->name, m->license);
        for (size_t t = 0; t < m->ntp; t++)
            if (m->tp[t].license && strstr(m->tp[t].license, "GPL"))
                buf_printf(&b, "%s%s's %s (%s)", b.n ? ", " : "", m->name, m->tp[t].name, m->tp[t].license);
    }
    if (b.n)
        step_line(o, "license", "this image combines GPL code: %s; distribute it under the GPL's terms "
                  "(report.json and sbom.cdx.json list every licence)", b.p);
}

static void add_step(struct build_result *res, const char *name, double ms)
{
    if (res->nsteps < sizeof res->steps / sizeof res->steps[0])
        res->steps[res->nsteps++] = (struct step_time){name, ms};
}

/* Adds one compile unit. gendir, when given, makes the unit see the image's
 * config.h (-include, see compile.c); third-party code never reads CONFIG_
 * macros, so it compiles without it: its objects then do not depend on
 * the manifest at all (NetSurf alone is a minute of compiling). */
static void add_unit(struct cunit **u, size_t *n, const char *root, const char *abs, const char *owner,
                     const char *gendir)
{
    *u = xrealloc(*u, (*n + 1) * sizeof **u);
    struct cunit *c = &(*u)[(*n)++];
    memset(c, 0, sizeof *c);
    c->src_abs = path_abs(abs);
    c->src = xstrdup(path_rel(root, c->src_abs));
    c->owner = xstrdup(owner);
    if (gendir)
        c->config = xstrdup(path_rel(root, path_join(gendir, "config.h")));
}

const char *third_party_root(void)
{
    static char *cached;
    if (cached)
        return cached;
    const char *env = getenv("ANX_THIRD_PARTY");
    if (env && *env)
        return cached = path_abs(env);
    return cached = xstrdup(anx_user_cache());
}

/* How to run the setup script: "scripts/setup.sh" in a repository (run
 * from its root, as the README says); its full path in an installed tree. */
static const char *setup_script(void)
{
    return anx_installed() ? path_display(path_join(anx_root(), "scripts/setup.sh")) : "scripts/setup.sh";
}

static const struct module *resolved_module(const struct resolution *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->mods[i].mod->name, name))
            return r->mods[i].mod;
    return NULL;
}

/* The include folders a module exports: its own folder (its API header,
 * e.g. router.h, or a port configuration such as lwipopts.h) and its
 * third-party trees' include folders. Added for the module and,
 * transitively, every module depending on it, so `#include "router.h"`
 * works in a dependent and the object cache (which hashes the headers of
 * every include folder) rebuilds dependents when the header changes. */
void export_includes(const char *root, const struct resolution *r, const struct module *m,
                     struct strlist *seen, struct strlist *flags)
{
    if (strlist_has(seen, m->name))
        return;
    strlist_push(seen, m->name);
    char *own = xasprintf("-I%s", path_rel(root, m->dir));
    if (!strlist_has(flags, own))
        strlist_push(flags, own);
    for (size_t t = 0; t < m->ntp; t++)
        for (size_t k = 0; k < m->tp[t].include.n; k++)
            strlist_push(flags, xasprintf("-I%s", path_join(path_join(third_party_root(), m->tp[t].tree),
                                                              m->tp[t].include.v[k])));
    for (size_t i = 0; i < m->depends.n; i++) {
        const struct module *d = resolved_module(r, m->depends.v[i]);
        if (d)
            export_includes(root, r, d, seen, flags);
    }
}

/* The .c and .S files of core/ and core/lib/, sorted for a stable link order. */
static void core_sources(const char *root, const char *sub, const char *gendir, struct cunit **u, size_t *n)
{
    char *dir = path_join(root, sub);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct strlist names = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] != '.' && l > 2 && (!strcmp(e->d_name + l - 2, ".c") || !strcmp(e->d_name + l - 2, ".S")))
            strlist_push(&names, e->d_name);
    }
    closedir(d);
    strlist_sort(&names);
    for (size_t i = 0; i < names.n; i++)
        add_unit(u, n, root, path_join(dir, names.v[i]), "core", gendir);
}

/* The files of a third-party entry's `sources:`, relative to its tree: each
 * item a path or a glob pattern (a `*.c` in a folder, expanded in sorted
 * order, so the link order is stable), minus those matching an `exclude:`
 * pattern. A path that does not exist, or a pattern that matches nothing,
 * is an error: upstream moved a file and the list must follow. */
int third_party_sources(const struct third_party *tp, const char *tree, struct strlist *out)
{
    int errs = 0;
    for (size_t k = 0; k < tp->sources.n; k++) {
        const char *pat = tp->sources.v[k];
        bool is_pattern = strpbrk(pat, "*?[") != NULL;
        glob_t g;
        if (glob(path_join(tree, pat), GLOB_ERR, NULL, &g) != 0) {
            diag_error(&tp->mark, "third-party %s '%s' %s in %s (run %s)", is_pattern ? "pattern" : "source", pat,
                       is_pattern ? "matches no file" : "not found", path_display(tree), setup_script());
            errs++;
            continue;
        }
        for (size_t i = 0; i < g.gl_pathc; i++) {
            const char *rel = g.gl_pathv[i] + strlen(tree) + 1;
            bool skip = strlist_has(out, rel);
            for (size_t e = 0; e < tp->exclude.n && !skip; e++)
                skip = fnmatch(tp->exclude.v[e], rel, FNM_PATHNAME) == 0;
            if (!skip)
                strlist_push(out, xstrdup(rel));
        }
        globfree(&g);
    }
    return errs ? -1 : 0;
}

static int collect_units(const char *root, const struct resolution *r, const char *gendir, struct cunit **u,
                         size_t *n)
{
    int errs = 0;
    core_sources(root, "core", gendir, u, n);
    core_sources(root, "core/lib", gendir, u, n);
    const struct platform *p = r->plat;
    /* The arch's sources, then the board's; both see the arch's headers
     * by name (-Iarch/ARCH, `#include "x86.h"`), which modules never do. */
    const struct strlist *lists[] = {&p->archd->sources, &p->sources};
    const char *from[] = {p->archd->yaml_path, p->yaml_path};
    char *arch_inc = xasprintf("-I%s", path_rel(root, path_dirname(p->archd->yaml_path)));
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            char *abs = path_join(root, lists[l]->v[i]);
            if (!file_exists(abs)) {
                struct mark mk = {path_display(from[l]), 0, 0};
                diag_error(&mk, "source '%s' not found (%s)", lists[l]->v[i],
                           l ? "platform sources are relative to the repository root"
                             : "arch sources are relative to the arch folder");
                errs++;
                continue;
            }
            add_unit(u, n, root, abs, "platform", gendir);
            strlist_push(&(*u)[*n - 1].flags, arch_inc);
        }
    for (size_t i = 0; i < r->n; i++) {
        const struct module *m = r->mods[i].mod;
        struct strlist all = {0};
        for (size_t k = 0; k < m->sources.n; k++)
            strlist_push(&all, m->sources.v[k]);
        for (size_t a = 0; a < m->narch; a++)
            if (p->arch && !strcmp(m->arch_sources[a].arch, p->arch))
                for (size_t k = 0; k < m->arch_sources[a].list.n; k++)
                    strlist_push(&all, m->arch_sources[a].list.v[k]);
        for (size_t k = 0; k < all.n; k++) {
            char *abs = path_join(m->dir, all.v[k]);
            if (!file_exists(abs)) {
                struct mark mk = {path_display(m->yaml_path), 0, 0};
                diag_error(&mk, "source '%s' not found (module sources are relative to the module folder)",
                           all.v[k]);
                errs++;
                continue;
            }
            add_unit(u, n, root, abs, m->name, gendir);
            if (m->speed)
                strlist_push(&(*u)[*n - 1].flags, "-O2");
            strlist_push(&(*u)[*n - 1].flags, xasprintf("-I%s", path_rel(root, m->dir)));
            export_includes(root, r, m, &(struct strlist){0}, &(*u)[*n - 1].flags);
        }
        /* Third-party sources: compiled with the module's flags, the entry's
         * private include folders and cflags, warnings off. */
        for (size_t t = 0; t < m->ntp; t++) {
            const struct third_party *tp = &m->tp[t];
            char *tree = path_join(third_party_root(), tp->tree);
            if (!is_dir(tree)) {
                diag_error(&tp->mark, "%s not fetched: run %s (expected the tree in %s)", tp->tree, setup_script(),
                           path_display(tree));
                errs++;
                continue;
            }
            struct strlist srcs = {0};
            if (third_party_sources(tp, tree, &srcs)) {
                errs++;
                continue;
            }
            for (size_t k = 0; k < srcs.n; k++) {
                add_unit(u, n, root, path_join(tree, srcs.v[k]), m->name, NULL);
                struct strlist *f = &(*u)[*n - 1].flags;
                if (m->speed)
                    strlist_push(f, "-O2");
                for (size_t j = 0; j < tp->private_include.n; j++)
                    strlist_push(f, xasprintf("-I%s", path_join(tree, tp->private_include.v[j])));
                strlist_push(f, xasprintf("-I%s", path_rel(root, m->dir)));
                export_includes(root, r, m, &(struct strlist){0}, f);
                strlist_push(f, xasprintf("-ffile-prefix-map=%s=third_party/%s", tree, tp->tree));
                strlist_push(f, "-w");
                for (size_t j = 0; j < tp->cflags.n; j++)
                    strlist_push(f, tp->cflags.v[j]);
            }
        }
    }
    add_unit(u, n, root, path_join(gendir, "modules.c"), "generated", gendir);
    add_unit(u, n, root, path_join(gendir, "files.S"), "generated", gendir);
    return errs;
}

/* -Os: most of an image is cold (boot, drivers, the shell), and smaller
 * code is a smaller trusted base; a hot module says `optimize: speed` in
 * its module.yaml and gets -O2 after these flags (collect_units). */
void common_flags(const char *root, const struct toolchain *t, const struct platform *p, struct strlist *f)
{
    static const char *const base[] = {"-std=c11", "-ffreestanding", "-nostdinc"};
    for (size_t i = 0; i < 3; i++)
        strlist_push(f, base[i]);
    strlist_push(f, "-isystem");
    strlist_push(f, t->include);
    static const char *const more[] = {"-Os", "-fno-omit-frame-pointer", "-fno-stack-protector", "-fno-pic",
                                       "-ffunction-sections", "-fdata-sections", "-Wall", "-Wextra",
                                       "-Werror=implicit-function-declaration"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        strlist_push(f, more[i]);
    strlist_push(f, xasprintf("-ffile-prefix-map=%s=.", root));
    strlist_push(f, "-Icore/include");
    for (size_t i = 0; i < p->cflags.n; i++)
        strlist_push(f, p->cflags.v[i]);
}

static int gen_write(const char *path, const void *data, size_t len)
{
    int e = write_file(path, data, len);
    if (e)
        diag_error(NULL, "cannot write %s: %s", path_display(path), strerror(-e));
    return e;
}

/* Hashing a 20 MB ISO on every unchanged rebuild would cost most of the
 * rebuild's time, so output hashes are remembered in DIR/.hashes by file
 * size and modification time. */
static struct buf hash_memo;

static void add_output(struct build_result *res, const char *kind, const char *path)
{
    struct output_file *o = &res->outputs[res->noutputs];
    o->kind = xstrdup(kind);
    o->path = xstrdup(path);
    struct stat st;
    if (stat(path, &st) < 0)
        return;
    char *id = xasprintf("%s %lld %lld.%09ld ", path, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                         st.st_mtim.tv_nsec);
    const char *line = hash_memo.p ? strstr(hash_memo.p, id) : NULL;
    if (line && (line == hash_memo.p || line[-1] == '\n') && strlen(line + strlen(id)) >= 64) {
        memcpy(o->sha, line + strlen(id), 64);
        o->sha[64] = 0;
        o->bytes = (uint64_t)st.st_size;
    } else if (sha256_file(path, o->sha, &o->bytes) != 0) {
        return;
    }
    res->noutputs++;
}

static void save_hash_memo(struct build_result *res)
{
    struct buf b = {0};
    for (size_t i = 0; i < res->noutputs; i++) {
        struct stat st;
        if (stat(res->outputs[i].path, &st) == 0)
            buf_printf(&b, "%s %lld %lld.%09ld %s\n", res->outputs[i].path, (long long)st.st_size,
                       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, res->outputs[i].sha);
    }
    write_file(path_join(res->outdir, ".hashes"), b.p ? b.p : "", b.n);
}

static bool stamp_matches(const char *stamp, const char *key)
{
    char *data;
    size_t len;
    return read_file(stamp, &data, &len, 256) == 0 && len == 64 && !memcmp(data, key, 64);
}

static void add_input_file(struct build_result *res, const char *root, const char *path)
{
    char sha[65];
    uint64_t size;
    if (sha256_file(path, sha, &size) == 0)
        inputs_add(&res->inputs, root, path, sha, size);
}

static char *images_text(const struct strlist *l)
{
    struct buf b = {0};
    for (size_t i = 0; i < l->n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
    return xstrdup(buf_cstr(&b));
}

/* Whether the platform arguments a boot uses name the placeholder, e.g.
 * "{raw}": the boot then needs that image. */
static bool boot_needs(const struct platform *p, const struct build_opts *o, const char *placeholder)
{
    if (!o->boots)
        return false;
    int mode = check_boot_mode(p, o->boot);
    const struct strlist *lists[] = {&p->qemu_machine, &p->qemu_common,
                                     mode >= 0 && (size_t)mode < p->nboot ? &p->boot[mode].args : NULL};
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; lists[l] && i < lists[l]->n; i++)
            if (strstr(lists[l]->v[i], placeholder))
                return true;
    return false;
}

/* The images this build writes, in the order the report lists them: those
 * --format names, else the platform's images except raw and qcow2 (a disk
 * image is seconds of work and tens of MiB; made only when asked), plus what
 * the boot mode needs. qcow2 is converted from raw, so raw comes first. */
static int wanted_images(const struct platform *p, const struct build_opts *o, struct strlist *want)
{
    static const char *const order[] = {"elf", "iso", "raw", "qcow2"};
    struct strlist asked = {0};
    for (size_t i = 0; i < o->formats.n; i++) {
        if (!strlist_has(&p->images, o->formats.v[i])) {
            diag_error(NULL, "platform '%s' cannot make a %s image (its images: %s); choose one of those with "
                       "--format, or another platform with -p (anx platforms lists them)", p->name,
                       o->formats.v[i], images_text(&p->images));
            return EXIT_USAGE;
        }
        strlist_push(&asked, o->formats.v[i]);
    }
    if (!o->formats.n)
        for (size_t i = 0; i < p->images.n; i++)
            if (strcmp(p->images.v[i], "raw") && strcmp(p->images.v[i], "qcow2"))
                strlist_push(&asked, p->images.v[i]);
    for (size_t k = 1; k < 4; k++) {
        char *ph = xasprintf("{%s}", order[k]);
        if (!strlist_has(&asked, order[k]) && boot_needs(p, o, ph)) {
            if (!strlist_has(&p->images, order[k])) {
                diag_error(NULL, "platform '%s': boot mode '%s' needs the %s image, which its images: list (%s) "
                           "does not name; add %s to images: in %s", p->name, o->boot ? o->boot : p->boot[0].name,
                           order[k], images_text(&p->images), order[k], path_display(p->yaml_path));
                return EXIT_USAGE;
            }
            strlist_push(&asked, order[k]);
        }
    }
    if (strlist_has(&asked, "qcow2") && !strlist_has(&asked, "raw"))
        strlist_push(&asked, "raw");
    for (size_t k = 0; k < 4; k++)
        if (strlist_has(&asked, order[k]))
            strlist_push(want, order[k]);
    return 0;
}

/* A derived image is rebuilt only when its key (the hash of what it is made
 * of) differs from the one stamped beside it by the last build. */
static bool image_fresh(const char *outdir, const char *kind, const char *image, const char *key)
{
    char *stamp = path_join(outdir, xasprintf(".%s-key", kind));
    if (stamp_matches(stamp, key) && file_exists(image))
        return false;
    unlink(stamp);
    return true;
}

static void image_stamp(const char *outdir, const char *kind, const char *key)
{
    write_file(path_join(outdir, xasprintf(".%s-key", kind)), key, 64);
}

/* Writes one image kind (elf is the link's output already), adds it to the
 * outputs and prints its step line. Returns an exit code. */
static int write_image(const char *root, const struct platform *p, const char *kind, const struct build_opts *o,
                       struct build_result *res)
{
    double t = now_ms();
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    char elf_sha[65], cfg_sha[65] = "", key[65];
    char *cfg = path_join(p->dir, "grub.cfg");
    char *path;
    bool fresh = false;
    if (!strcmp(kind, "elf")) {
        path = res->image_elf;
    } else if (!strcmp(kind, "iso") || !strcmp(kind, "raw")) {
        path = path_join(res->outdir, xasprintf("anunix.%s", kind));
        sha256_file(res->image_elf, elf_sha, NULL);
        sha256_file(cfg, cfg_sha, NULL);
        if (file_exists(cfg))
            add_input_file(res, root, cfg);
        char *keytext = xasprintf("anx-%s-v1 %s %s %s", kind, elf_sha, cfg_sha, epoch ? epoch : "");
        sha256_buf(keytext, strlen(keytext), key);
        fresh = image_fresh(res->outdir, kind, path, key);
        if (fresh) {
            if (!strcmp(kind, "iso") ? iso_build(root, p, res->image_elf, path, res->outdir)
                                     : disk_build(p, res->image_elf, path, res->outdir, key))
                return EXIT_FAIL;
            image_stamp(res->outdir, kind, key);
        }
        *(!strcmp(kind, "iso") ? &res->iso : &res->raw) = path;
    } else {   /* qcow2, from the raw image made just before */
        path = path_join(res->outdir, "anunix.qcow2");
        char raw_sha[65];
        sha256_file(res->raw, raw_sha, NULL);
        char *keytext = xasprintf("anx-qcow2-v1 %s", raw_sha);
        sha256_buf(keytext, strlen(keytext), key);
        fresh = image_fresh(res->outdir, kind, path, key);
        if (fresh) {
            if (qcow2_build(res->raw, path))
                return EXIT_FAIL;
            image_stamp(res->outdir, kind, key);
        }
        res->qcow2 = path;
    }
    if (strcmp(kind, "elf"))
        add_step(res, kind, now_ms() - t);
    add_output(res, kind, path);
    step_line(o, "image", "%s %s%s", kind, path_display(path), fresh || !strcmp(kind, "elf") ? "" : " (up to date)");
    if (!res->main_image)
        res->main_image = path;
    return 0;
}

int build(struct catalog *c, struct manifest *m, struct resolution *r, const struct build_opts *o,
          struct build_result *res)
{
    (void)c;
    const char *root = anx_root();
    const struct platform *p = r->plat;
    double t0 = now_ms(), t;
    res->outdir = o->outdir ? path_abs(o->outdir) : default_outdir(m, r);
    char *gendir = path_join(res->outdir, "gen");
    char *memo;
    size_t memolen;
    hash_memo.n = 0;
    if (read_file(path_join(res->outdir, ".hashes"), &memo, &memolen, 1 << 20) == 0)
        buf_add(&hash_memo, memo, memolen);
    int e = mkdir_p(gendir);
    if (e) {
        diag_error(NULL, "cannot create %s: %s (-o DIR builds elsewhere)", path_display(gendir), strerror(-e));
        return EXIT_FAIL;
    }

    /* Inputs the report lists besides sources and headers. */
    add_input_file(res, root, m->abs_path);
    for (size_t i = 0; i < m->nfiles; i++)
        add_input_file(res, root, m->files[i].abs_path);
    add_input_file(res, root, p->yaml_path);
    add_input_file(res, root, p->archd->yaml_path);
    for (size_t i = 0; i < r->n; i++)
        add_input_file(res, root, r->mods[i].mod->yaml_path);
    char *script = path_join(root, p->linker_script);
    if (!file_exists(script)) {
        struct mark mk = {path_display(p->linker_script_from), 0, 0};
        diag_error(&mk, "linker script '%s' not found", p->linker_script);
        return EXIT_FAIL;
    }
    add_input_file(res, root, script);

    /* Generate. */
    t = now_ms();
    struct buf files = {0};
    if (files_archive_build(m, &files))
        return EXIT_FAIL;
    char files_sha[65];
    sha256_buf(files.p, files.n, files_sha);
    char *files_bin = path_join(gendir, "files.bin");
    /* The archive's hash is in files.S so the object cache sees content changes. */
    /* .file names the object in the symbol table (arm64's mapping symbols
     * bring one in): without it ld names the cached object, whose key
     * differs between output folders. */
    char *files_s = xasprintf("/* Generated by anx; files.bin sha256 %s */\n"
                              "\t.file \"files.S\"\n"
                              "\t.section .rodata.anx_files,\"a\"\n"
                              "\t.balign 16\n"
                              "\t.global anx_files_start\n"
                              "anx_files_start:\n"
                              "\t.incbin \"%s\"\n"
                              "\t.global anx_files_end\n"
                              "anx_files_end:\n"
                              "\t.section .note.GNU-stack,\"\",%%progbits\n",
                              files_sha, path_rel(root, files_bin));
    char *config = config_h_text(m, r), *modules = modules_c_text(m, r);
    if (gen_write(path_join(gendir, "config.h"), config, strlen(config)) ||
        gen_write(path_join(gendir, "modules.c"), modules, strlen(modules)) ||
        gen_write(files_bin, files.p ? files.p : "", files.n) || gen_write(path_join(gendir, "files.S"), files_s, strlen(files_s)))
        return EXIT_FAIL;
    add_step(res, "generate", now_ms() - t);
    step_line(o, "generate", "%s (config.h, modules.c, files.bin: %zu files, %zu bytes)",
              path_display(gendir), m->nfiles, files.n);

    /* Compile. */
    t = now_ms();
    struct toolchain tc;
    if (toolchain_init(&tc, p->cross_compile))
        return EXIT_FAIL;
    struct strlist flags = {0};
    common_flags(root, &tc, p, &flags);
    struct cunit *u = NULL;
    size_t n = 0;
    if (collect_units(root, r, gendir, &u, &n))
        return EXIT_FAIL;
    res->units = u;
    res->nunits = n;
    int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (compile_all(root, anx_cache_dir(), &tc, &flags, u, n, jobs, &res->inputs, &res->cache_hits))
        return EXIT_FAIL;
    add_step(res, "compile", now_ms() - t);
    step_line(o, "compile", "%zu objects (%d cached, %zu compiled)", n, res->cache_hits, n - (size_t)res->cache_hits);

    /* Link, unless the objects, script and flags are those of the last link. */
    t = now_ms();
    res->elf_debug = path_join(res->outdir, "anunix.elf");
    res->image_elf = path_join(res->outdir, "image.elf");
    char *map = path_join(res->outdir, "anunix.map");
    struct anx_sha256 s;
    uint8_t d[32];
    char link_key[65], script_sha[65];
    sha256_file(script, script_sha, NULL);
    anx_sha256_init(&s);
    anx_sha256_update(&s, "anx-link-v1", 12);
    anx_sha256_update(&s, tc.id, 64);
    anx_sha256_update(&s, script_sha, 64);
    anx_sha256_update(&s, p->linker_script, strlen(p->linker_script) + 1);
    for (size_t i = 0; i < p->ldflags.n; i++)
        anx_sha256_update(&s, p->ldflags.v[i], strlen(p->ldflags.v[i]) + 1);
    for (size_t i = 0; i < n; i++)
        anx_sha256_update(&s, u[i].key, 64);
    anx_sha256_final(&s, d);
    anx_sha256_hex(d, link_key);
    char *stamp = path_join(res->outdir, ".link-key");
    if (stamp_matches(stamp, link_key) && file_exists(res->elf_debug) && file_exists(res->image_elf) &&
        file_exists(map)) {
        res->relinked = false;
    } else {
        unlink(stamp);
        if (link_image(root, &tc, p, u, n, res->elf_debug, map) || strip_image(&tc, res->elf_debug, res->image_elf))
            return EXIT_FAIL;
        write_file(stamp, link_key, 64);
        res->relinked = true;
    }
    map_sizes(map, u, n);
    if (validate_linked(m, r, res->elf_debug))   /* memory against the exact image size */
        return EXIT_FAIL;
    add_step(res, "link", now_ms() - t);
    add_output(res, "elf-debug", res->elf_debug);
    step_line(o, "link", "%s%s", path_display(res->elf_debug), res->relinked ? "" : " (up to date)");
    struct strlist want = {0};
    int rc = wanted_images(p, o, &want);
    if (rc)
        return rc;
    for (size_t i = 0; i < want.n; i++)
        if ((rc = write_image(root, p, want.v[i], o, res)))
            return rc;
    /* "built PATH": the first kind --format named (--format qcow2 makes raw
     * first, but qcow2 is what was asked for). */
    for (size_t i = 0; i < res->noutputs && o->formats.n; i++)
        if (!strcmp(res->outputs[i].kind, o->formats.v[0]))
            res->main_image = res->outputs[i].path;
    if (!res->main_image)
        res->main_image = res->elf_debug;
    gpl_note(o, r);

    save_hash_memo(res);
    res->total_ms = now_ms() - t0;
    for (size_t i = 0; i < res->nsteps; i++)
        if (!strcmp(res->steps[i].name, "parse") || !strcmp(res->steps[i].name, "resolve"))
            res->total_ms += res->steps[i].ms;
    if (sbom_write(m, r, res))
        return EXIT_FAIL;
    char *report = report_json(m, r, res);
    char *report_path = path_join(res->outdir, "report.json");
    if (gen_write(report_path, report, strlen(report)))
        return EXIT_FAIL;
    return EXIT_OK;
}
