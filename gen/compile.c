/*
 * Compilation with an object cache. An object's key hashes everything that
 * can change it: the compiler's identity, every flag, the source path (it
 * lands in the object's symbol table) and bytes, and every header the
 * include path can reach (a superset of what the source includes, which
 * costs a few extra rebuilds but can never serve a stale object). Of an
 * image's config.h only the CONFIG_ macros those files name count (see
 * "config.h" below), so images of different manifests share objects.
 * Objects live in build/.cache/KEY.o and are shared by every image and
 * platform.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void inputs_add(struct inputs *in, const char *root, const char *path, const char *sha, uint64_t size)
{
    const char *p = path_rel(root, path);
    /* Third-party trees are listed as third_party/NAME/..., wherever the cache is. */
    size_t tl = strlen(third_party_root());
    if (!strncmp(path, third_party_root(), tl) && path[tl] == '/')
        p = xasprintf("third_party%s", path + tl);
    for (size_t i = 0; i < in->n; i++)
        if (!strcmp(in->v[i].path, p))
            return;
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 64;
        in->v = xrealloc(in->v, in->cap * sizeof *in->v);
    }
    struct input_file *f = &in->v[in->n++];
    f->path = xstrdup(p);
    memcpy(f->sha, sha, 65);
    f->size = size;
}

int run_argv(char *const *argv, const char *cwd, struct buf *output)
{
    int fds[2] = {-1, -1};
    if (output && pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (cwd && chdir(cwd) < 0)
            _exit(127);
        if (output) {
            dup2(fds[1], 1);
            dup2(fds[1], 2);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "anx: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (output) {
        close(fds[1]);
        char b[4096];
        ssize_t r;
        while ((r = read(fds[0], b, sizeof b)) != 0) {
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                break;
            buf_add(output, b, (size_t)r);
        }
        close(fds[0]);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + WTERMSIG(st);
}

/* The compiler's identity: its version text, target and the binary's size
 * and mtime (a rebuilt gcc with the same version string changes those). */
int toolchain_init(struct toolchain *t, const char *cross)
{
    t->cc = xasprintf("%sgcc", cross);
    t->ld = xasprintf("%sld", cross);
    t->objcopy = xasprintf("%sobjcopy", cross);
    t->nm = xasprintf("%snm", cross);
    struct buf out = {0};
    char *argv[] = {t->cc, "--version", NULL};
    if (run_argv(argv, NULL, &out) != 0) {
        diag_error(NULL, "cannot run the compiler '%s' (is it installed?)", t->cc);
        return -1;
    }
    char *argv2[] = {t->cc, "-dumpmachine", NULL};
    run_argv(argv2, NULL, &out);
    struct buf inc = {0};
    char *argv3[] = {t->cc, "-print-file-name=include", NULL};
    if (run_argv(argv3, NULL, &inc) != 0 || !inc.n) {
        diag_error(NULL, "'%s -print-file-name=include' failed", t->cc);
        return -1;
    }
    while (inc.n && (inc.p[inc.n - 1] == '\n' || inc.p[inc.n - 1] == ' '))
        inc.p[--inc.n] = 0;
    t->include = xstrdup(inc.p);
    buf_puts(&out, t->include);
    const char *path = getenv("PATH");
    char *dirs = xstrdup(path ? path : "/usr/bin:/bin");
    for (char *d = strtok(dirs, ":"); d; d = strtok(NULL, ":")) {
        struct stat st;
        if (stat(path_join(d, t->cc), &st) == 0) {
            buf_printf(&out, "%lld %lld", (long long)st.st_size, (long long)st.st_mtime);
            break;
        }
    }
    sha256_buf(out.p, out.n, t->id);
    return 0;
}

/* ---- header hashing ---------------------------------------------------- */

struct dirhash {
    char *dir;
    char sha[65];
    struct strlist names;   /* the CONFIG_ names its headers mention */
};
static struct dirhash *dirhashes;
static size_t ndirhashes;

static bool is_header(const char *name)
{
    size_t n = strlen(name);
    return (n > 2 && !strcmp(name + n - 2, ".h")) || (n > 4 && !strcmp(name + n - 4, ".inc"));
}

/* name into names unless it is there. */
static void add_name(struct strlist *names, const char *name)
{
    if (!strlist_has(names, name))
        strlist_push(names, name);
}

static void add_names(struct strlist *names, const struct strlist *more)
{
    for (size_t k = 0; k < more->n; k++)
        add_name(names, more->v[k]);
}

/* Every CONFIG_NAME written in text (comments too: a superset is safe)
 * into names, once each. */
static void config_names(const char *text, size_t len, struct strlist *names)
{
    for (const char *p = text, *end = text + len; (p = memmem(p, (size_t)(end - p), "CONFIG_", 7)); p += 7) {
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            continue;
        const char *e = p + 7;
        while (e < end && (isalnum((unsigned char)*e) || *e == '_'))
            e++;
        char name[128];
        if ((size_t)(e - p) >= sizeof name)
            continue;
        memcpy(name, p, (size_t)(e - p));
        name[e - p] = 0;
        add_name(names, name);
    }
}

/* Collects the headers below dir (sorted, recursive, skipping build output
 * and hidden folders) into the running hash, and the CONFIG_ names they
 * mention into config. */
static void hash_headers(const char *root, const char *dir, int depth, struct anx_sha256 *s, struct inputs *in,
                         struct strlist *config)
{
    if (depth > 16)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct strlist names = {0};
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            strlist_push(&names, e->d_name);
    closedir(d);
    strlist_sort(&names);
    for (size_t i = 0; i < names.n; i++) {
        char *p = path_join(dir, names.v[i]);
        struct stat st;
        if (stat(p, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(names.v[i], "build") && strcmp(names.v[i], "tests"))
                hash_headers(root, p, depth + 1, s, in, config);
        } else if (S_ISREG(st.st_mode) && is_header(names.v[i])) {
            char sha[65], *text;
            size_t size;
            if (read_file(p, &text, &size, (size_t)1 << 30) == 0) {
                sha256_buf(text, size, sha);
                anx_sha256_update(s, names.v[i], strlen(names.v[i]) + 1);
                anx_sha256_update(s, sha, 64);
                inputs_add(in, root, p, sha, size);
                config_names(text, size, config);
            }
        }
    }
}

static const struct dirhash *dir_hash(const char *root, const char *dir, struct inputs *in)
{
    char *abs = path_abs(path_join(root, dir));
    for (size_t i = 0; i < ndirhashes; i++)
        if (!strcmp(dirhashes[i].dir, abs))
            return &dirhashes[i];
    struct anx_sha256 s;
    uint8_t d[32];
    struct strlist names = {0};
    anx_sha256_init(&s);
    hash_headers(root, abs, 0, &s, in, &names);
    anx_sha256_final(&s, d);
    dirhashes = xrealloc(dirhashes, (ndirhashes + 1) * sizeof *dirhashes);
    struct dirhash *h = &dirhashes[ndirhashes++];
    h->dir = abs;
    h->names = names;
    anx_sha256_hex(d, h->sha);
    return h;
}

static void add_include_dirs(const char *root, const struct strlist *flags, struct anx_sha256 *s, struct inputs *in,
                             struct strlist *names)
{
    for (size_t i = 0; i < flags->n; i++) {
        const char *f = flags->v[i], *dir = NULL;
        if (!strncmp(f, "-I", 2) || !strncmp(f, "-iquote", 7)) {
            dir = f[1] == 'I' ? f + 2 : f + 7;
            if (!*dir && i + 1 < flags->n)
                dir = flags->v[++i];
        }
        if (dir && *dir) {
            const struct dirhash *h = dir_hash(root, dir, in);
            anx_sha256_update(s, dir, strlen(dir) + 1);
            anx_sha256_update(s, h->sha, 64);
            add_names(names, &h->names);
        }
    }
}

/* ---- config.h ------------------------------------------------------------
 * An object of the project's own code depends on its image's config.h only
 * through the CONFIG_ macros it can name: those its source and the headers
 * on its include path mention. Its key hashes the definitions of exactly
 * those (and "undefined" for absent ones), so an image's name, its memory
 * or another module's port do not recompile code that never reads them.
 * Like Linux's fixdep this relies on every CONFIG_ name being written out
 * whole, never pasted together with ## (tests/gen checks the tree). */

struct config_file {
    char *path;
    struct strlist names, values;   /* "#define NAME VALUE": NAME and VALUE */
};
static struct config_file *configs;
static size_t nconfigs;

static const struct config_file *config_read(const char *root, const char *path, struct inputs *in)
{
    for (size_t i = 0; i < nconfigs; i++)
        if (!strcmp(configs[i].path, path))
            return &configs[i];
    char *abs = path_join(root, path), *text, sha[65];
    size_t len;
    configs = xrealloc(configs, (nconfigs + 1) * sizeof *configs);
    struct config_file *c = &configs[nconfigs++];
    memset(c, 0, sizeof *c);
    c->path = xstrdup(path);
    if (read_file(abs, &text, &len, (size_t)1 << 24))
        return c;   /* the compile reports the missing file */
    sha256_buf(text, len, sha);
    inputs_add(in, root, abs, sha, len);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "#define CONFIG_", 15))
            continue;
        char *name = line + 8, *sp = strchr(name, ' ');
        if (sp)
            *sp = 0;
        strlist_push(&c->names, name);
        strlist_push(&c->values, sp ? sp + 1 : "");
    }
    return c;
}

/* The definition of name in config, or NULL when it has none. */
static const char *config_value(const struct config_file *config, const char *name)
{
    for (size_t k = 0; k < config->names.n; k++)
        if (!strcmp(config->names.v[k], name))
            return config->values.v[k];
    return NULL;
}

/* Hashes the definitions of names in config (and of the CONFIG_ names
 * their values use, which names grows by). */
static void hash_config(const struct config_file *config, struct strlist *names, struct anx_sha256 *s)
{
    for (size_t i = 0; i < names->n; i++) {
        const char *v = config_value(config, names->v[i]);
        if (v)
            config_names(v, strlen(v), names);
    }
    strlist_sort(names);
    anx_sha256_update(s, "config", 7);
    for (size_t i = 0; i < names->n; i++) {
        const char *v = config_value(config, names->v[i]);
        if (!v)
            v = "\x01undefined";
        anx_sha256_update(s, names->v[i], strlen(names->v[i]) + 1);
        anx_sha256_update(s, v, strlen(v) + 1);
    }
}

static int unit_key(const char *root, const struct toolchain *t, const struct strlist *flags, struct cunit *u,
                    struct inputs *in)
{
    struct anx_sha256 s;
    uint8_t d[32];
    char sha[65], *text;
    size_t size;
    if (read_file(u->src_abs, &text, &size, (size_t)1 << 30)) {
        diag_error(NULL, "cannot read source '%s'", path_display(u->src_abs));
        return -1;
    }
    sha256_buf(text, size, sha);
    inputs_add(in, root, u->src_abs, sha, size);
    struct strlist names = {0};
    config_names(text, size, &names);
    anx_sha256_init(&s);
    anx_sha256_update(&s, "anx-object-v2", 14);
    anx_sha256_update(&s, t->id, 64);
    for (size_t i = 0; i < flags->n; i++)
        anx_sha256_update(&s, flags->v[i], strlen(flags->v[i]) + 1);
    for (size_t i = 0; i < u->flags.n; i++)
        anx_sha256_update(&s, u->flags.v[i], strlen(u->flags.v[i]) + 1);
    anx_sha256_update(&s, u->src, strlen(u->src) + 1);
    anx_sha256_update(&s, sha, 64);
    add_include_dirs(root, flags, &s, in, &names);
    add_include_dirs(root, &u->flags, &s, in, &names);
    /* "file.h" is looked up next to the source first. */
    char *dir = path_dirname(u->src_abs);
    const struct dirhash *h = dir_hash(root, dir, in);
    anx_sha256_update(&s, h->sha, 64);
    add_names(&names, &h->names);
    if (u->config)
        hash_config(config_read(root, u->config, in), &names, &s);
    anx_sha256_final(&s, d);
    anx_sha256_hex(d, u->key);
    return 0;
}

static pid_t spawn_cc(const char *root, const struct toolchain *t, const struct strlist *flags,
                      const struct cunit *u, const char *tmp)
{
    struct strlist argv = {0};
    strlist_push(&argv, t->cc);
    for (size_t i = 0; i < flags->n; i++)
        strlist_push(&argv, flags->v[i]);
    for (size_t i = 0; i < u->flags.n; i++)
        strlist_push(&argv, u->flags.v[i]);
    if (u->config) {
        strlist_push(&argv, "-include");
        strlist_push(&argv, u->config);
    }
    strlist_push(&argv, "-c");
    strlist_push(&argv, u->src);
    strlist_push(&argv, "-o");
    strlist_push(&argv, tmp);
    strlist_push(&argv, "");
    argv.v[argv.n - 1] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(root) < 0)
            _exit(127);
        execvp(argv.v[0], argv.v);
        fprintf(stderr, "anx: cannot run %s: %s\n", argv.v[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

int compile_all(const char *root, const char *cache, const struct toolchain *t, const struct strlist *flags,
                struct cunit *u, size_t n, int jobs, struct inputs *in, int *hits)
{
    if (mkdir_p(cache)) {
        diag_error(NULL, "cannot create the cache folder %s", path_display(cache));
        return 1;
    }
    *hits = 0;
    size_t *todo = xcalloc(n + 1, sizeof *todo);
    size_t ntodo = 0;
    for (size_t i = 0; i < n; i++) {
        if (unit_key(root, t, flags, &u[i], in))
            return 1;
        u[i].obj = path_join(cache, xasprintf("%s.o", u[i].key));
        if (file_exists(u[i].obj))
            (*hits)++;
        else
            todo[ntodo++] = i;
    }
    if (jobs < 1)
        jobs = 1;
    pid_t *pids = xcalloc((size_t)jobs, sizeof *pids);
    size_t *slot_unit = xcalloc((size_t)jobs, sizeof *slot_unit);
    char **tmps = xcalloc(n + 1, sizeof *tmps);
    size_t next = 0, running = 0;
    int failed = 0;
    while (next < ntodo || running) {
        while (!failed && next < ntodo && running < (size_t)jobs) {
            size_t i = todo[next++];
            tmps[i] = xasprintf("%s.tmp%d", u[i].obj, (int)getpid());
            int s = 0;
            while (pids[s])
                s++;
            pids[s] = spawn_cc(root, t, flags, &u[i], tmps[i]);
            if (pids[s] < 0) {
                pids[s] = 0;
                failed = 1;
                break;
            }
            slot_unit[s] = i;
            running++;
        }
        if (!running)
            break;
        int st;
        pid_t pid = wait(&st);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int s = 0; s < jobs; s++) {
            if (pids[s] != pid)
                continue;
            pids[s] = 0;
            running--;
            size_t i = slot_unit[s];
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
                if (rename(tmps[i], u[i].obj) < 0)
                    failed = 1;
            } else {
                unlink(tmps[i]);
                fprintf(diag_out ? diag_out : stderr, "anx: error: compiling %s failed\n", u[i].src);
                failed = 1;
            }
        }
    }
    return failed;
}
