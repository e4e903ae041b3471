/*
 * The manifest (v1): one YAML file naming a workload, its platform, its
 * modules with their config, the files to embed, run defaults and test
 * checks. Parsing only checks what the manifest alone can tell; modules and
 * platforms are checked against the catalog in resolve.c.
 */
#include "anx.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MANIFEST (1 << 20)

static const char *const top_keys[] = {"name", "platform", "memory", "cpus", "cmdline",
                                       "modules", "files", "run", "test"};
static const char *const run_keys[] = {"ports", "disk"};
static const char *const disk_keys[] = {"size"};

/* Names become folder names and C identifiers: keep them boring. Platform
 * names may also hold '_' (x86_64-pc). */
static bool name_ok(const char *s, bool underscore)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              (underscore && s[i] == '_')))
            return false;
    return true;
}

bool valid_name(const char *s)
{
    return name_ok(s, false);
}

bool valid_platform_name(const char *s)
{
    return name_ok(s, true);
}

int parse_port(const char *s, int *host, int *guest)
{
    int64_t h, g;
    const char *colon = strchr(s, ':');
    if (!colon) {
        if (parse_int(s, &h) || h < 1 || h > 65535)
            return -1;
        *host = *guest = (int)h;
        return 0;
    }
    char *a = xstrndup(s, (size_t)(colon - s));
    if (parse_int(a, &h) || parse_int(colon + 1, &g) || h < 1 || h > 65535 || g < 1 || g > 65535)
        return -1;
    *host = (int)h;
    *guest = (int)g;
    return 0;
}

/* Image paths are absolute, without empty, '.' or '..' parts, in a plain
 * character set: the core looks them up byte for byte. */
static const char *image_path_problem(const char *p)
{
    if (p[0] != '/')
        return "must start with '/'";
    if (strlen(p) > 255)
        return "is longer than 255 characters";
    if (!strcmp(p, "/"))
        return "names no file";
    for (const char *s = p; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/._-+@", c)))
            return "may only hold letters, digits and / . _ - + @";
    }
    for (const char *s = p; *s;) {
        const char *e = strchr(s + 1, '/');
        size_t len = e ? (size_t)(e - s - 1) : strlen(s + 1);
        if (len == 0)
            return e ? "has an empty part ('//')" : "ends with '/'";
        if ((len == 1 && s[1] == '.') || (len == 2 && s[1] == '.' && s[2] == '.'))
            return "may not contain '.' or '..' parts";
        if (!e)
            break;
        s = e;
    }
    return NULL;
}

static int cmp_files(const void *a, const void *b)
{
    return strcmp(((const struct file_entry *)a)->image_path, ((const struct file_entry *)b)->image_path);
}

static void parse_modules(struct manifest *m, const struct ynode *n)
{
    if (n->kind == Y_NULL)
        return;
    if (n->kind == Y_SEQ) {
        diag_error(&n->mark, "expected a mapping of module names for 'modules' (like 'console: {}'), found a list");
        return;
    }
    if (ymap_expect(n, "'modules'"))
        return;
    m->mods = xcalloc(n->n ? n->n : 1, sizeof *m->mods);
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
        if (!valid_name(k->str)) {
            diag_error(&k->mark, "invalid module name '%s' (expected lowercase letters, digits and '-')",
                       yshow(k->str, k->len));
            continue;
        }
        if (v->kind != Y_NULL && v->kind != Y_MAP) {
            diag_error(&v->mark, "expected the config of module '%s' as a mapping (or {} for defaults), found %s",
                       k->str, ykind_name(v));
            continue;
        }
        struct mod_req *r = &m->mods[m->nmods++];
        r->name = k->str;
        r->config = (struct ynode *)v;
        r->mark = k->mark;
    }
}

static void parse_files(struct manifest *m, const struct ynode *n)
{
    if (n->kind == Y_NULL)
        return;
    if (ymap_expect(n, "'files' (image path: host file)"))
        return;
    m->files = xcalloc(n->n ? n->n : 1, sizeof *m->files);
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
        const char *why = image_path_problem(k->str);
        if (why) {
            diag_error(&k->mark, "unsafe image path '%s': it %s", yshow(k->str, k->len), why);
            continue;
        }
        char *host;
        if (yget_string(v, xasprintf("the host file of '%s'", k->str), &host))
            continue;
        if (!host[0]) {
            diag_error(&v->mark, "expected a host file name for '%s', found an empty string", k->str);
            continue;
        }
        char *abs = path_abs(path_join(m->dir, host));
        if (is_dir(abs)) {
            diag_error(&v->mark, "'%s' is a folder; list each file to embed", yshow(host, strlen(host)));
            continue;
        }
        if (!file_exists(abs)) {
            diag_error(&v->mark, "file '%s' not found (host paths are relative to the manifest's folder)",
                       yshow(host, strlen(host)));
            continue;
        }
        struct file_entry *f = &m->files[m->nfiles++];
        f->image_path = k->str;
        f->host_path = host;
        f->abs_path = abs;
        f->mark = k->mark;
    }
    qsort(m->files, m->nfiles, sizeof *m->files, cmp_files);
}

static void parse_run(struct manifest *m, const struct ynode *n)
{
    if (n->kind == Y_NULL || ymap_expect(n, "'run'"))
        return;
    ymap_check_keys(n, run_keys, 2, "in 'run'");
    const struct ynode *disk = ymap_get(n, "disk");
    if (disk && disk->kind != Y_NULL && ymap_expect(disk, "'disk' (like {size: 64M})") == 0) {
        ymap_check_keys(disk, disk_keys, 1, "in 'disk'");
        const struct ynode *size = ymap_get(disk, "size");
        uint64_t sz = 64ULL << 20;
        if (size && yget_size(size, "'size'", &sz) == 0 && (sz < (1ULL << 20) || sz > (1ULL << 40) || sz % 512))
            diag_error(&size->mark, "disk 'size' must be between 1M and 1T and a multiple of 512 bytes, found %s",
                       ykind_name(size));
        m->disk_size = sz;
    }
    const struct ynode *ports = ymap_get(n, "ports");
    if (!ports || ports->kind == Y_NULL)
        return;
    if (ports->kind != Y_SEQ) {
        diag_error(&ports->mark, "expected a list of \"HOST:GUEST\" ports for 'ports', found %s", ykind_name(ports));
        return;
    }
    m->ports = xcalloc(ports->n ? ports->n : 1, sizeof *m->ports);
    for (size_t i = 0; i < ports->n; i++) {
        const struct ynode *p = ports->items[i];
        struct port_fwd *f = &m->ports[m->nports];
        if (p->kind != Y_SCALAR || strlen(p->str) != p->len || parse_port(p->str, &f->host, &f->guest)) {
            diag_error(&p->mark, "expected a port forward \"HOST:GUEST\" with ports 1-65535 (like \"8080:80\"), found %s",
                       ykind_name(p));
            continue;
        }
        for (size_t j = 0; j < m->nports; j++)
            if (m->ports[j].guest == f->guest || m->ports[j].host == f->host)
                diag_error(&p->mark, "port %s repeats a port of an earlier forward", ykind_name(p));
        f->mark = p->mark;
        m->nports++;
    }
}

static void parse_tests(struct manifest *m, const struct ynode *n)
{
    if (n->kind == Y_NULL)
        return;
    if (n->kind != Y_SEQ) {
        diag_error(&n->mark, "expected a list of checks for 'test' (lines starting with '- '), found %s",
                   ykind_name(n));
        return;
    }
    m->checks = xcalloc(n->n ? n->n : 1, sizeof *m->checks);
    for (size_t i = 0; i < n->n; i++)
        if (check_parse(n->items[i], &m->checks[m->nchecks]) == 0)
            m->nchecks++;
}

int manifest_parse(const char *path, const char *data, size_t len, struct manifest *m)
{
    int errs0 = diag_errors;
    memset(m, 0, sizeof *m);
    m->path = xstrdup(path);
    m->abs_path = path_abs(path);
    m->dir = path_dirname(m->abs_path);
    sha256_buf(data, len, m->sha);
    m->memory = 64ULL << 20;
    m->cpus = 1;
    m->cmdline = "";
    const char *file = path_display(path);
    struct ynode *root = yaml_load(file, data, len);
    if (!root)
        return diag_errors - errs0;
    m->root = root;
    if (root->kind != Y_MAP) {
        diag_error(&root->mark, "expected a manifest: a mapping with at least 'name:' and 'modules:', found %s",
                   ykind_name(root));
        return diag_errors - errs0;
    }
    ymap_check_keys(root, top_keys, sizeof top_keys / sizeof top_keys[0], NULL);

    struct ynode *v;
    if (!(v = ymap_get(root, "name"))) {
        struct mark mk = {file, root->mark.line, root->mark.col};
        diag_error(&mk, "missing key 'name' (the image name, like 'name: hello')");
    } else if (yget_string(v, "'name'", &m->name) == 0) {
        m->name_mark = v->mark;
        if (!valid_name(m->name)) {
            diag_error(&v->mark, "invalid name '%s' (expected 1-63 lowercase letters, digits and '-', like 'hello')",
                       yshow(m->name, strlen(m->name)));
            m->name = NULL;
        }
    }
    if ((v = ymap_get(root, "platform")) && v->kind != Y_NULL) {
        if (yget_string(v, "'platform'", &m->platform) == 0) {
            m->platform_mark = v->mark;
            if (!valid_platform_name(m->platform)) {
                diag_error(&v->mark, "invalid platform name '%s' (expected lowercase letters, digits, '-' and '_')",
                           yshow(m->platform, strlen(m->platform)));
                m->platform = NULL;
            }
        }
    }
    if ((v = ymap_get(root, "memory"))) {
        uint64_t mem;
        if (yget_size(v, "'memory'", &mem) == 0) {
            if (mem < (2ULL << 20) || mem > (1ULL << 40))
                diag_error(&v->mark, "'memory' must be between 2M and 1T, found %s", ykind_name(v));
            else if (mem % (1ULL << 20))
                diag_error(&v->mark, "'memory' must be a whole number of megabytes (like 64M), found %s",
                           ykind_name(v));
            else
                m->memory = mem;
        }
    }
    if ((v = ymap_get(root, "cpus"))) {
        int64_t c;
        if (yget_int(v, "'cpus'", 1, 64, &c) == 0)
            m->cpus = (int)c;
    }
    if ((v = ymap_get(root, "cmdline")) && v->kind != Y_NULL) {
        if (yget_string(v, "'cmdline'", &m->cmdline) == 0 && strlen(m->cmdline) > 2048)
            diag_error(&v->mark, "'cmdline' is longer than 2048 characters");
    }
    if ((v = ymap_get(root, "modules")))
        parse_modules(m, v);
    if ((v = ymap_get(root, "files")))
        parse_files(m, v);
    if ((v = ymap_get(root, "run")))
        parse_run(m, v);
    if ((v = ymap_get(root, "test")))
        parse_tests(m, v);
    return diag_errors - errs0;
}

int manifest_load(const char *path, struct manifest *m)
{
    char *data;
    size_t len;
    int e = read_file(path, &data, &len, MAX_MANIFEST);
    if (e) {
        struct mark mk = {path, 0, 0};
        memset(m, 0, sizeof *m);
        diag_error(&mk, "cannot read the manifest: %s", e == -27 ? "larger than 1 MiB" : strerror(-e));
        return 1;
    }
    return manifest_parse(path, data, len, m);
}
