/*
 * The manifest (v1): one YAML file naming a workload, its platform, its
 * modules with their config, the files to embed, run defaults and test
 * checks. manifest_parse checks what the text alone can tell;
 * manifest_load also checks the module names and the config of the
 * modules it names against the catalog, so that every mistake of the
 * manifest shows in one run. Platforms, dependencies and conflicts are
 * checked in resolve.c.
 */
#include "anx.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_MANIFEST (1 << 20)

static const char *const top_keys[] = {"name", "platform", "memory", "cpus", "debug", "cmdline",
                                       "modules", "files", "display", "run", "test", "credentials", "grants",
                                       "pipelines"};
static const char *const run_keys[] = {"ports", "disk"};
static const char *const disk_keys[] = {"size"};
static const char *const display_keys[] = {"device", "width", "height", "depth", "keymap"};
static const char *const keymaps[] = {"us", "de"};   /* core/keymap.c's layouts */
static const char *const cred_keys[] = {"type", "owner", "modules", "scopes", "required", "doc"};
/* modules/cred/cred.h's types */
static const char *const cred_types[] = {"ssh-host-key", "ssh-authorized-keys", "password", "api-token", "secret", "tls-cert"};
/* The lists above, for the manifest's JSON Schema (schema.c). */
const struct name_list manifest_top_keys = {top_keys, sizeof top_keys / sizeof top_keys[0]};
const struct name_list manifest_keymaps = {keymaps, sizeof keymaps / sizeof keymaps[0]};
const struct name_list manifest_cred_types = {cred_types, sizeof cred_types / sizeof cred_types[0]};

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
const char *image_path_problem(const char *p)
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

/* ---- modules against the catalog ---------------------------------------
 * With a catalog (manifest_load), each module name is looked up and each
 * named module's config is checked against its schema here, so that one
 * run shows every mistake of the manifest: its top-level ones and its
 * modules' together. resolve() repeats the config checks for the modules
 * it adds as dependencies. */

static bool module_has_key(const struct module *mod, const char *key)
{
    for (size_t i = 0; mod && i < mod->nkeys; i++)
        if (!strcmp(mod->keys[i].name, key))
            return true;
    return false;
}

static bool listed_has_key(struct catalog *cat, const char *name, const char *key)
{
    return catalog_module_index(cat, name) >= 0 && module_has_key(catalog_module(cat, name), key);
}

/* The module of this manifest's modules: map that has config key `key`:
 * the nearest one above `at` first (a key indented one level too little
 * follows its module), then any other. NULL when none has it. */
static const char *listed_owner(struct catalog *cat, const struct ynode *mods, size_t at, const char *key)
{
    for (size_t j = at; j-- > 0;)
        if (listed_has_key(cat, mods->pairs[j].key->str, key))
            return mods->pairs[j].key->str;
    for (size_t j = at + 1; j < mods->n; j++)
        if (listed_has_key(cat, mods->pairs[j].key->str, key))
            return mods->pairs[j].key->str;
    return NULL;
}

/* Every module of the catalog with config key `key`, as "'a'" or "'a' or
 * 'b'". Modules the manifest does not name are read quietly: a broken
 * module.yaml matters only to the images that use it. */
static const char *catalog_owners(const struct catalog *cat, const char *key)
{
    struct catalog all;
    catalog_open(&all, cat->root);
    FILE *quiet = fopen("/dev/null", "w"), *saved = diag_out;
    if (!quiet)
        return NULL;
    int errs = diag_errors;
    diag_out = quiet;
    struct buf b = {0};
    for (size_t i = 0; i < all.module_names.n; i++)
        if (module_has_key(catalog_module(&all, all.module_names.v[i]), key))
            buf_printf(&b, "%s'%s'", b.n ? " or " : "", all.module_names.v[i]);
    diag_out = saved;
    diag_errors = errs;
    fclose(quiet);
    return b.n ? buf_cstr(&b) : NULL;
}

/* A name under modules: that is no module. The usual cause is a config key
 * indented one level too little ('port: 80' under modules: instead of
 * under httpd:), so that is looked for first, then a typo. */
static void unknown_module(struct catalog *cat, const struct ynode *mods, size_t at)
{
    const struct ynode *k = mods->pairs[at].key;
    const char *name = yshow(k->str, k->len);
    const char *owner = listed_owner(cat, mods, at, k->str);
    if (owner) {
        diag_error(&k->mark, "'%s' is not a module; it is a config key of module '%s': indent it under '%s:'",
                   name, owner, owner);
        return;
    }
    const char *how = valid_name(k->str) ? xasprintf("unknown module '%s'", name)
                                         : xasprintf("invalid module name '%s': module names use lowercase "
                                                     "letters, digits and '-'",
                                                     name);
    const char *s = did_you_mean(k->str, (const char *const *)cat->module_names.v, cat->module_names.n);
    const char *owners = catalog_owners(cat, k->str);
    if (owners)
        diag_error(&k->mark, "'%s' is not a module; it is a config key of module %s, which this manifest does not "
                             "list: add the module and indent '%s' under it%s%s%s",
                   name, owners, name, s ? " (or did you mean module '" : "", s ? s : "", s ? "'?)" : "");
    else if (s)
        diag_error(&k->mark, "%s (did you mean '%s'?)", how, s);
    else
        diag_error(&k->mark, "%s (see `anx modules` for the list)", how);
}

/* An unknown key in a module's config that belongs elsewhere: a module
 * indented one level too deep, or a key of another listed module. */
static const char *config_key_hint(struct catalog *cat, const struct ynode *mods, size_t at, const char *key)
{
    if (catalog_module_index(cat, key) >= 0)
        return xasprintf("; '%s' is a module: indent it as deep as '%s:'", key, mods->pairs[at].key->str);
    const char *owner = listed_owner(cat, mods, at, key);
    if (owner)
        return xasprintf("; '%s' is a config key of module '%s': move it under '%s:'", key, owner, owner);
    return NULL;
}

/* A list given in its deprecated form, one string split at the key's
 * separators: the warning shows the same value as a list, ready to paste. */
static void list_split_warning(const struct module *mod, const struct config_key *key, const struct ynode *v,
                               const struct cvalue *val)
{
    struct buf b = {0};
    for (size_t i = 0; i < val->list.n; i++) {
        buf_puts(&b, i ? ", \"" : "\"");
        for (const char *c = val->list.v[i]; *c; c++)
            buf_printf(&b, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
        buf_puts(&b, "\"");
    }
    diag_warning(&v->mark, "'%s' of module '%s' as one '%s'-separated string is deprecated; write it as a "
                           "YAML list instead: %s: [%s]",
                 key->name, mod->name, key->split, key->name, buf_cstr(&b));
}

/* The config of module `at` of the modules: map, against its schema. Done
 * here rather than in resolve() so these errors show together with the
 * manifest's others; resolve() then only fills in the values. */
static void check_config(struct catalog *cat, const struct ynode *mods, size_t at, const struct module *mod)
{
    const struct ynode *req = mods->pairs[at].key, *cfg = mods->pairs[at].val;
    if (cfg->kind == Y_MAP) {
        const char **keys = xcalloc(mod->nkeys + 1, sizeof *keys);
        for (size_t k = 0; k < mod->nkeys; k++)
            keys[k] = mod->keys[k].name;
        for (size_t i = 0; i < cfg->n; i++) {
            const struct ynode *key = cfg->pairs[i].key;
            if (module_has_key(mod, key->str))
                continue;
            const char *hint = config_key_hint(cat, mods, at, key->str);
            if (mod->nkeys == 0)
                diag_error(&key->mark, "unknown key '%s': module '%s' has no config keys%s", yshow(key->str, key->len),
                           mod->name, hint ? hint : "");
            else
                diag_error(&key->mark, "unknown key '%s' in config of module '%s'%s", yshow(key->str, key->len),
                           mod->name, hint ? hint : suggest(key->str, keys, mod->nkeys));
        }
    }
    for (size_t k = 0; k < mod->nkeys; k++) {
        const struct config_key *key = &mod->keys[k];
        const struct ynode *v = ymap_get(cfg, key->name);
        struct cvalue val;
        if (v && v->kind != Y_NULL) {
            if (config_value_parse(key, v, mod->name, &val) == 0 && key->type == CT_LIST) {
                if (val.split)
                    list_split_warning(mod, key, v, &val);
                config_items_check(mod->name, key, &val);
            }
        } else if (!key->has_default)
            diag_error(&req->mark, "module '%s' needs a value for '%s' (%s, no default)%s%s", mod->name, key->name,
                       ctype_names[key->type], key->doc ? ": " : "", key->doc ? key->doc : "");
    }
}

static void parse_modules(struct manifest *m, const struct ynode *n, struct catalog *cat)
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
        if (cat && (!valid_name(k->str) || catalog_module_index(cat, k->str) < 0)) {
            unknown_module(cat, n, i);
            continue;
        }
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
        struct module *mod = cat ? catalog_module(cat, k->str) : NULL;
        if (mod)
            check_config(cat, n, i, mod);
    }
}

/* Top-level keys; with a catalog, a module or a module's config key that
 * lost its indentation is named as such. */
static void check_top_keys(const struct ynode *root, struct catalog *cat)
{
    size_t ntop = sizeof top_keys / sizeof top_keys[0];
    const struct ynode *mods = ymap_get(root, "modules");
    for (size_t i = 0; i < root->n; i++) {
        const struct ynode *k = root->pairs[i].key;
        bool ok = false;
        for (size_t j = 0; j < ntop && !ok; j++)
            ok = !strcmp(k->str, top_keys[j]);
        if (ok)
            continue;
        const char *name = yshow(k->str, k->len), *owner = NULL;
        if (cat && mods && mods->kind == Y_MAP)
            owner = listed_owner(cat, mods, mods->n, k->str);
        if (cat && catalog_module_index(cat, k->str) >= 0)
            diag_error(&k->mark, "unknown key '%s': it is a module; indent it under 'modules:'", name);
        else if (owner)
            diag_error(&k->mark, "unknown key '%s': it is a config key of module '%s'; indent it under '%s:'", name,
                       owner, owner);
        else
            diag_error(&k->mark, "unknown key '%s'%s", name, suggest(k->str, top_keys, ntop));
    }
}

/* Appends one entry to m->files, growing it. */
static void add_file(struct manifest *m, size_t *cap, char *image, char *host, char *abs, struct mark mk)
{
    if (m->nfiles == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        m->files = xrealloc(m->files, *cap * sizeof *m->files);
    }
    m->files[m->nfiles++] = (struct file_entry){image, host, abs, mk, NULL};
}

/* A folder entry: every file below it, at image path prefix/PATH ("" for
 * the image's root). Errors for names the image cannot hold name the file. */
static void add_folder(struct manifest *m, size_t *cap, const struct ynode *k, const struct ynode *v,
                       const char *prefix, const char *host, const char *abs)
{
    char *shown = xstrdup(host);
    for (size_t l = strlen(shown); l > 1 && shown[l - 1] == '/'; l--)
        shown[l - 1] = 0;
    struct strlist rel = {0};
    int errs = files_list_folder(abs, shown, &v->mark, &rel);
    if (rel.n == 0 && !errs) {
        diag_error(&v->mark, "folder '%s' holds no files to embed; put files in it or remove the entry",
                   yshow(shown, strlen(shown)));
        return;
    }
    for (size_t i = 0; i < rel.n; i++) {
        char *image = xasprintf("%s/%s", prefix, rel.v[i]);
        char *file = xasprintf("%s/%s", shown, rel.v[i]);
        const char *why = image_path_problem(image);
        if (why) {
            diag_error(&v->mark, "'%s' cannot be embedded as '%s': an image path %s; rename it",
                       yshow(file, strlen(file)), yshow(image, strlen(image)), why);
            continue;
        }
        add_file(m, cap, image, file, path_join(abs, rel.v[i]), k->mark);
    }
}

/* Two entries clash: reported once per pair of manifest entries (two
 * folders can clash on many paths), for at most ten pairs. An entry is
 * known by its key's position, which all files of a folder share. */
struct clashes {
    int pairs[10][4];
    size_t n;
};

static bool clash_new(struct clashes *c, const struct mark *a, const struct mark *b)
{
    int p[4] = {a->line, a->col, b->line, b->col};
    for (size_t i = 0; i < c->n; i++)
        if (!memcmp(c->pairs[i], p, sizeof p))
            return false;
    if (c->n == 10)
        return false;
    memcpy(c->pairs[c->n++], p, sizeof p);
    return true;
}

static const struct mark *later(const struct file_entry *a, const struct file_entry *b)
{
    return a->mark.line > b->mark.line ? &a->mark : &b->mark;
}

static int cmp_image_path(const void *key, const void *elem)
{
    return strcmp(key, ((const struct file_entry *)elem)->image_path);
}

/* Sorted entries must name each image path once, and a path cannot be a
 * file and a folder at once. */
static void check_file_clashes(const struct manifest *m)
{
    struct clashes seen = {0};
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct file_entry *f = &m->files[i];
        if (i > 0 && !strcmp(m->files[i - 1].image_path, f->image_path)) {
            const struct file_entry *a = &m->files[i - 1], *b = f;
            if (a->mark.line > b->mark.line) {
                a = f;
                b = &m->files[i - 1];
            }
            if (clash_new(&seen, &a->mark, &b->mark))
                diag_error(&b->mark, "image path '%s' comes from two entries: '%s' (line %d) and '%s'; keep one",
                           f->image_path, a->host_path, a->mark.line, b->host_path);
            continue;
        }
        /* Each folder above f must not be a file itself. */
        char *p = xstrdup(f->image_path);
        for (char *slash = strrchr(p, '/'); slash && slash != p; slash = strrchr(p, '/')) {
            *slash = 0;
            const struct file_entry *g = bsearch(p, m->files, m->nfiles, sizeof *m->files, cmp_image_path);
            if (!g)
                continue;
            if (clash_new(&seen, &g->mark, &f->mark))
                diag_error(later(f, g),
                           "image path '%s' is a file (from '%s', line %d) and also the folder of '%s' (from '%s', "
                           "line %d); rename one",
                           g->image_path, g->host_path, g->mark.line, f->image_path, f->host_path, f->mark.line);
            break;
        }
    }
}

/* files: image path -> host file, or image folder -> host folder (every
 * file below it; /site: site and /site/: site/ are the same). */
static void parse_files(struct manifest *m, const struct ynode *n)
{
    if (n->kind == Y_NULL)
        return;
    if (ymap_expect(n, "'files' (image path: host file or folder)"))
        return;
    size_t cap = 0;
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
        /* A trailing '/' says "folder"; the root "/" can only be one. */
        size_t kl = strlen(k->str);
        bool slash = kl > 1 && k->str[kl - 1] == '/';
        char *image = slash ? xstrndup(k->str, kl - 1) : k->str;
        bool root = !strcmp(k->str, "/");
        const char *why = root ? NULL : image_path_problem(image);
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
            add_folder(m, &cap, k, v, root ? "" : image, host, abs);
            continue;
        }
        struct stat st;
        if (stat(abs, &st)) {
            diag_error(&v->mark, "file '%s' not found (host paths are relative to the manifest's folder)",
                       yshow(host, strlen(host)));
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            diag_error(&v->mark, "'%s' is not a regular file; only files and folders can be embedded",
                       yshow(host, strlen(host)));
            continue;
        }
        if (root || slash) {
            const char *base = strrchr(host, '/') ? strrchr(host, '/') + 1 : host;
            diag_error(&k->mark, "'%s' names a folder of the image, but '%s' is a file: write its image path, "
                                 "like '%s%s'",
                       yshow(k->str, k->len), yshow(host, strlen(host)), root ? "/" : k->str, base);
            continue;
        }
        add_file(m, &cap, image, host, abs, k->mark);
    }
    if (m->nfiles)
        qsort(m->files, m->nfiles, sizeof *m->files, cmp_files);
    check_file_clashes(m);
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
        if (size && yget_size(size, "'size'", &sz) == 0) {
            if (!size_has_unit(size->str) && sz < (1ULL << 20))
                diag_error(&size->mark, "disk size: %s has no unit (a bare number means bytes); write %sM for %s MiB",
                           size->str, size->str, size->str);
            else if (sz < (1ULL << 20) || sz > (1ULL << 40) || sz % 512)
                diag_error(&size->mark, "disk 'size' must be between 1M and 1T and a multiple of 512 bytes, found %s",
                           ykind_name(size));
        }
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

/* display: the image's screen: its driver module (checked against the
 * platform's qemu: display: map in resolve, which knows the platform), the
 * mode the core sets when the driver registers, and the keyboard layout.
 * config.h carries it as CONFIG_DISPLAY_* (config_h.c). */
static void parse_display(struct manifest *m, const struct ynode *n)
{
    struct display_conf *d = &m->display;
    if (n->kind == Y_NULL) {
        diag_error(&n->mark, "'display' is empty: give at least its device (like 'display: {device: virtio-gpu}')");
        return;
    }
    if (ymap_expect(n, "'display' (like {device: virtio-gpu, width: 1280, height: 800})"))
        return;
    ymap_check_keys(n, display_keys, sizeof display_keys / sizeof display_keys[0], "in 'display'");
    *d = (struct display_conf){.present = true, .width = 1024, .height = 768, .depth = 32, .keymap = "us",
                               .mark = n->mark};
    const struct ynode *v;
    int64_t x;
    if (!(v = ymap_get(n, "device")) || v->kind == Y_NULL) {
        diag_error(v ? &v->mark : &n->mark, "'display' is missing 'device' (its driver module, like 'device: "
                                            "virtio-gpu'; the platform.yaml's qemu: display: lists them)");
    } else if (yget_string(v, "display 'device'", &d->device) == 0) {
        d->device_mark = v->mark;
        if (!valid_name(d->device)) {
            diag_error(&v->mark, "invalid display device '%s' (a module name: lowercase letters, digits and '-')",
                       yshow(d->device, strlen(d->device)));
            d->device = NULL;
        }
    }
    if ((v = ymap_get(n, "width")) && yget_int(v, "display 'width'", 320, 8192, &x) == 0)
        d->width = (int)x;
    if ((v = ymap_get(n, "height")) && yget_int(v, "display 'height'", 320, 8192, &x) == 0)
        d->height = (int)x;
    if ((v = ymap_get(n, "depth")) && yget_int(v, "display 'depth'", INT64_MIN, INT64_MAX, &x) == 0) {
        if (x == 16 || x == 32)
            d->depth = (int)x;
        else
            diag_error(&v->mark, "display 'depth' must be 32 (XRGB8888) or 16 (RGB565) bits per pixel, found %s",
                       ykind_name(v));
    }
    char *km;
    if ((v = ymap_get(n, "keymap")) && yget_string(v, "display 'keymap'", &km) == 0) {
        size_t nk = sizeof keymaps / sizeof keymaps[0];
        bool ok = false;
        for (size_t i = 0; i < nk && !ok; i++)
            ok = !strcmp(km, keymaps[i]);
        if (ok)
            d->keymap = km;
        else
            diag_error(&v->mark, "unknown keymap %s in 'display' (expected us or de)%s", ykind_name(v),
                       suggest(km, keymaps, nk));
    }
}

/* ---- credentials: ---------------------------------------------------------
 * What the image expects at run time (docs/credentials.md): each
 * credential's type, the modules granted it (the owner first) and scopes.
 * Values never appear here: `anx run --secret NAME=FILE` gives them. The
 * cred module is added to an image that declares any. */

bool valid_cred_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CRED_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("-_.", s[i])))
            return false;
    return true;
}

/* A scope: 1-40 of lowercase letters, digits and : _ . - (objects:read). */
static bool scope_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr(":_.-", s[i])))
            return false;
    return true;
}

/* modules: of one credential: module names, known to the catalog, once each. */
static void cred_modules(struct cred_conf *c, const struct ynode *v, struct catalog *cat)
{
    struct strlist l = {0};
    struct mark *marks = NULL;
    if (yget_strlist(v, xasprintf("'modules' of credential '%s'", c->name), &l, &marks))
        return;
    for (size_t i = 0; i < l.n; i++) {
        const char *mod = l.v[i];
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= !strcmp(l.v[j], mod);
        if (dup) {
            diag_error(&marks[i], "module '%s' is listed twice in 'modules' of credential '%s'", yshow(mod, strlen(mod)),
                       c->name);
        } else if (!valid_name(mod)) {
            diag_error(&marks[i], "invalid module name '%s' in 'modules' of credential '%s' (lowercase letters, digits "
                                  "and '-')", yshow(mod, strlen(mod)), c->name);
        } else if (cat && catalog_module_index(cat, mod) < 0) {
            const char *s = did_you_mean(mod, (const char *const *)cat->module_names.v, cat->module_names.n);
            diag_error(&marks[i], "unknown module '%s' in 'modules' of credential '%s'%s%s%s", mod, c->name,
                       s ? " (did you mean '" : " (see `anx modules`)", s ? s : "", s ? "'?)" : "");
        } else {
            strlist_push(&c->modules, mod);
        }
    }
    if (v->kind == Y_SEQ && v->n == 0)
        diag_error(&v->mark, "'modules' of credential '%s' is empty: name the modules that may use it (like "
                             "'modules: [ssh]')", c->name);
}

static void cred_scopes(struct cred_conf *c, const struct ynode *v)
{
    struct strlist l = {0};
    struct mark *marks = NULL;
    if (yget_strlist(v, xasprintf("'scopes' of credential '%s'", c->name), &l, &marks))
        return;
    for (size_t i = 0; i < l.n; i++) {
        if (!scope_ok(l.v[i]))
            diag_error(&marks[i], "invalid scope '%s' of credential '%s' (1-40 lowercase letters, digits and : _ . -, "
                                  "like 'objects:read')", yshow(l.v[i], strlen(l.v[i])), c->name);
        else
            strlist_push(&c->scopes, l.v[i]);
    }
}

/* One NAME: {type, modules, owner, scopes, required, doc}; 0 when usable. */
static int parse_cred(struct cred_conf *c, const struct ynode *k, const struct ynode *n, struct catalog *cat)
{
    int errs0 = diag_errors;
    const char *shown = yshow(k->str, k->len);
    if (!valid_cred_name(k->str)) {
        diag_error(&k->mark, "invalid credential name '%s' (1-%d lowercase letters, digits, '-', '_' and '.': it "
                             "becomes the fw_cfg file opt/anunix/secret/NAME)", shown, CRED_NAME_MAX);
        return -1;
    }
    *c = (struct cred_conf){.name = k->str, .mark = k->mark};
    if (n->kind != Y_MAP) {
        diag_error(&n->mark, "expected a mapping for credential '%s' (like '{type: password, modules: [ssh]}'), "
                             "found %s", shown, ykind_name(n));
        return -1;
    }
    /* a value written into the manifest would be baked into the image */
    static const char *const value_keys[] = {"value", "secret", "file", "password", "token", "key"};
    for (size_t i = 0; i < sizeof value_keys / sizeof value_keys[0]; i++) {
        const struct ypair *vp = ymap_pair(n, value_keys[i]);
        if (vp) {
            diag_error(&vp->key->mark, "credential '%s': '%s' is not a key of credentials: a value never goes in the "
                                       "manifest (it would be built into the image); give it at run time with `anx run "
                                       "--secret %s=FILE`", shown, value_keys[i], shown);
            return -1;
        }
    }
    ymap_check_keys(n, cred_keys, sizeof cred_keys / sizeof cred_keys[0], xasprintf("in credential '%s'", shown));
    const struct ynode *v;
    size_t nt = sizeof cred_types / sizeof cred_types[0];
    if (!(v = ymap_get(n, "type")) || v->kind == Y_NULL) {
        diag_error(v ? &v->mark : &k->mark, "credential '%s' is missing 'type' (one of ssh-host-key, "
                                            "ssh-authorized-keys, password, api-token, secret, tls-cert)", shown);
    } else if (yget_string(v, xasprintf("'type' of credential '%s'", shown), &c->type) == 0) {
        bool ok = false;
        for (size_t i = 0; i < nt && !ok; i++)
            ok = !strcmp(c->type, cred_types[i]);
        if (!ok)
            diag_error(&v->mark, "unknown credential type %s for '%s' (expected ssh-host-key, ssh-authorized-keys, "
                                 "password, api-token, secret or tls-cert)%s", ykind_name(v), shown, suggest(c->type, cred_types, nt));
    }
    if (!(v = ymap_get(n, "modules")) || v->kind == Y_NULL)
        diag_error(v ? &v->mark : &k->mark, "credential '%s' is missing 'modules' (the modules that may use it, like "
                                            "'modules: [ssh]')", shown);
    else
        cred_modules(c, v, cat);
    if ((v = ymap_get(n, "owner")) && yget_string(v, xasprintf("'owner' of credential '%s'", shown), &c->owner) == 0) {
        bool listed = false;
        for (size_t i = 0; i < c->modules.n && !listed; i++)
            listed = !strcmp(c->modules.v[i], c->owner);
        if (!listed && diag_errors == errs0)
            diag_error(&v->mark, "owner '%s' of credential '%s' is not one of its 'modules': add it there",
                       yshow(c->owner, strlen(c->owner)), shown);
    }
    if (!c->owner && c->modules.n)
        c->owner = c->modules.v[0];
    if ((v = ymap_get(n, "scopes")))
        cred_scopes(c, v);
    if ((v = ymap_get(n, "required")))
        yget_bool(v, xasprintf("'required' of credential '%s'", shown), &c->required);
    char *doc;
    if ((v = ymap_get(n, "doc")) && v->kind != Y_NULL)
        yget_string(v, xasprintf("'doc' of credential '%s'", shown), &doc);
    return diag_errors == errs0 ? 0 : -1;
}

static void parse_credentials(struct manifest *m, const struct ynode *n, struct catalog *cat)
{
    if (n->kind == Y_NULL)
        return;
    if (ymap_expect(n, "'credentials' (NAME: {type: ..., modules: [...]})"))
        return;
    m->creds = xcalloc(n->n ? n->n : 1, sizeof *m->creds);
    for (size_t i = 0; i < n->n; i++)
        if (parse_cred(&m->creds[m->ncreds], n->pairs[i].key, n->pairs[i].val, cat) == 0)
            m->ncreds++;
    if (!m->ncreds)
        return;
    /* the store that enforces them comes with them */
    for (size_t i = 0; i < m->nmods; i++)
        if (!strcmp(m->mods[i].name, "cred"))
            return;
    m->mods = xrealloc(m->mods, (m->nmods + 1) * sizeof *m->mods);
    m->mods[m->nmods++] = (struct mod_req){"cred", NULL, n->mark};
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

/* The manifest; with cat, its modules are also checked against it. */
static int parse(const char *path, const char *data, size_t len, struct manifest *m, struct catalog *cat)
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
    check_top_keys(root, cat);

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
            if (!size_has_unit(v->str) && mem < (2ULL << 20))
                diag_error(&v->mark, "memory: %s has no unit (a bare number means bytes); write %sM for %s MiB",
                           v->str, v->str, v->str);
            else if (mem < (2ULL << 20) || mem > (1ULL << 40))
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
    if ((v = ymap_get(root, "debug")))
        yget_bool(v, "'debug'", &m->debug);
    if ((v = ymap_get(root, "cmdline")) && v->kind != Y_NULL) {
        if (yget_string(v, "'cmdline'", &m->cmdline) == 0 && strlen(m->cmdline) > 2048)
            diag_error(&v->mark, "'cmdline' is longer than 2048 characters");
    }
    if ((v = ymap_get(root, "modules")))
        parse_modules(m, v, cat);
    if ((v = ymap_get(root, "files")))
        parse_files(m, v);
    if ((v = ymap_get(root, "display")))
        parse_display(m, v);
    if ((v = ymap_get(root, "run")))
        parse_run(m, v);
    if ((v = ymap_get(root, "test")))
        parse_tests(m, v);
    if ((v = ymap_get(root, "credentials")))
        parse_credentials(m, v, cat);
    if ((v = ymap_get(root, "grants")))
        manifest_grants_parse(m, v, cat);
    if ((v = ymap_get(root, "pipelines")))
        manifest_pipelines_parse(m, v);
    return diag_errors - errs0;
}

int manifest_parse(const char *path, const char *data, size_t len, struct manifest *m)
{
    return parse(path, data, len, m, NULL);
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
    struct catalog cat;
    catalog_open(&cat, anx_root());
    return parse(path, data, len, m, &cat);
}

/* ---- after the platform is known (resolve.c) ----------------------------- */

int manifest_display_device(struct catalog *c, struct manifest *m, const struct platform *p)
{
    const struct display_conf *d = &m->display;
    if (!d->present || !d->device)
        return 0;
    const char **names = xcalloc(p->ndisplays + 1, sizeof *names);
    struct buf b = {0};
    bool known = false;
    for (size_t i = 0; i < p->ndisplays; i++) {
        names[i] = p->displays[i].module;
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
        known |= !strcmp(names[i], d->device);
    }
    const char *dev = yshow(d->device, strlen(d->device));
    if (!known && !p->ndisplays) {
        diag_error(&d->device_mark, "platform '%s' has no display devices (no qemu: display: in its platform.yaml); "
                                    "remove 'display:' or pick another platform", p->name);
        return 1;
    }
    if (!known) {
        diag_error(&d->device_mark, "display device '%s' is not one of platform '%s' (its display devices: %s)%s",
                   dev, p->name, buf_cstr(&b), suggest(d->device, names, p->ndisplays));
        return 1;
    }
    if (catalog_module_index(c, d->device) < 0) {
        diag_error(&d->device_mark, "display device '%s' of platform '%s' has no module (modules/%s/module.yaml)",
                   dev, p->name, d->device);
        return 1;
    }
    for (size_t i = 0; i < m->nmods; i++)
        if (!strcmp(m->mods[i].name, d->device))
            return 0;   /* listed under modules: too, maybe with config */
    m->mods = xrealloc(m->mods, (m->nmods + 1) * sizeof *m->mods);
    m->mods[m->nmods++] = (struct mod_req){d->device, NULL, d->device_mark};
    return 0;
}

/* The image path among the first n (sorted) entries, or NULL. */
static const struct file_entry *find_file(const struct file_entry *f, size_t n, const char *image)
{
    return n ? bsearch(image, f, n, sizeof *f, cmp_image_path) : NULL;
}

/* One files: entry of a module: NULL when the manifest (or an earlier
 * module) already gives its image path, else its problem, if any. */
static void add_module_file(struct manifest *m, size_t *cap, size_t own, const struct file_entry *mf)
{
    if (find_file(m->files, own, mf->image_path))
        return;   /* the manifest's entry wins */
    for (size_t i = own; i < m->nfiles; i++)
        if (!strcmp(m->files[i].image_path, mf->image_path)) {
            diag_error(&mf->mark, "image path '%s' comes from modules '%s' and '%s'; give it in the manifest's "
                                  "files: to choose", mf->image_path, m->files[i].module, mf->module);
            return;
        }
    struct stat st;
    if (stat(mf->abs_path, &st)) {
        diag_error(&mf->mark, "module '%s': file '%s' (image path %s) not found; run scripts/setup.sh, which "
                              "installs what the modules need",
                   mf->module, yshow(mf->abs_path, strlen(mf->abs_path)), mf->image_path);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_error(&mf->mark, "module '%s': '%s' (image path %s) is not a regular file", mf->module,
                   yshow(mf->abs_path, strlen(mf->abs_path)), mf->image_path);
        return;
    }
    add_file(m, cap, mf->image_path, mf->host_path, mf->abs_path, mf->mark);
    m->files[m->nfiles - 1].module = mf->module;
}

int manifest_module_files(struct manifest *m, const struct resolution *r)
{
    int errs0 = diag_errors;
    size_t own = 0;
    for (size_t i = 0; i < m->nfiles; i++)   /* undo an earlier merge; stays sorted */
        if (!m->files[i].module)
            m->files[own++] = m->files[i];
    m->nfiles = own;
    size_t cap = own;   /* add_file grows it past what is there */
    for (size_t i = 0; i < r->n; i++) {
        const struct module *mod = r->mods[i].mod;
        for (size_t k = 0; k < mod->nfiles; k++)
            add_module_file(m, &cap, own, &mod->files[k]);
    }
    if (m->nfiles > own) {
        qsort(m->files, m->nfiles, sizeof *m->files, cmp_files);
        check_file_clashes(m);
    }
    return diag_errors - errs0;
}
