/*
 * sbom.cdx.json: what is inside an image, as a CycloneDX 1.5 software bill
 * of materials (docs/anx.md, "SBOM"). The image is the BOM's subject; its
 * components are the modules (with the SHA-256 of each of their own
 * sources), the third-party source trees they compile (the Debian source
 * package, version and sha256 pinned in scripts/third_party/TREE.sha256)
 * and the files archive's entries; the dependencies say which module needs
 * which module and tree; the tools are anx and the cross compiler.
 *
 * CycloneDX rather than SPDX 2.3: its official JSON schema is published in
 * a package registry (npm's @cyclonedx/cyclonedx-library), so the test
 * validates against the real thing (tests/gen/sbom.sh).
 *
 * Deterministic like the images: no wall-clock time (SOURCE_DATE_EPOCH or
 * the ISO's fixed epoch), no absolute path, the serial number derived from
 * the outputs' hashes, everything in a fixed order.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>


/* ---- small JSON helpers ---------------------------------------------------- */

static void prop(json_t *props, const char *name, const char *value)
{
    json_t *p = json_object();
    json_object_set_new(p, "name", json_string(name));
    json_object_set_new(p, "value", json_string(value));
    json_array_append_new(props, p);
}

static json_t *sha256_hashes(const char *sha)
{
    json_t *h = json_object(), *a = json_array();
    json_object_set_new(h, "alg", json_string("SHA-256"));
    json_object_set_new(h, "content", json_string(sha));
    json_array_append_new(a, h);
    return a;
}

static json_t *license_expr(const char *expr)
{
    json_t *a = json_array(), *l = json_object();
    json_object_set_new(l, "expression", json_string(expr));
    json_array_append_new(a, l);
    return a;
}

/* Adds expr to the distinct licence expressions in l. */
static void license_add(struct strlist *l, const char *expr)
{
    if (expr && *expr && !strlist_has(l, expr))
        strlist_push(l, expr);
}

/* The conjunction of several SPDX expressions: each one holding an OR is
 * put in parentheses, since AND binds tighter. */
static char *license_and(const struct strlist *l)
{
    struct buf b = {0};
    for (size_t i = 0; i < l->n; i++) {
        bool paren = l->n > 1 && strstr(l->v[i], " OR ");
        buf_printf(&b, "%s%s%s%s", i ? " AND " : "", paren ? "(" : "", l->v[i], paren ? ")" : "");
    }
    return xstrdup(b.n ? buf_cstr(&b) : "NOASSERTION");
}

/* ---- inputs ----------------------------------------------------------------- */

/* The SHA-256 of a file the build hashed already (report.json's inputs, the
 * path shown as inputs_add shows it), else hashed now. */
static const char *file_sha(const struct build_result *res, const char *abs, char out[65])
{
    const char *root = anx_root(), *p = path_rel(root, abs);
    size_t tl = strlen(third_party_root());
    if (!strncmp(abs, third_party_root(), tl) && abs[tl] == '/')
        p = xasprintf("third_party%s", abs + tl);
    for (size_t i = 0; i < res->inputs.n; i++)
        if (!strcmp(res->inputs.v[i].path, p))
            return memcpy(out, res->inputs.v[i].sha, 65);
    if (sha256_file(abs, out, NULL))
        return NULL;
    return out;
}

/* What scripts/third_party/TREE.sha256 pins: the Debian source package and
 * version ("# source: PKG=VERSION"), the suite when not the system's, and
 * each fetched file with its sha256. */
struct pin {
    char *package, *version, *suite;
    struct strlist files, shas;
};

static bool read_pin(const char *tree, struct pin *p)
{
    memset(p, 0, sizeof *p);
    char *data;
    size_t len;
    char *path = path_join(anx_root(), xasprintf("scripts/third_party/%s.sha256", tree));
    if (read_file(path, &data, &len, 1 << 20))
        return false;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "# source:", 9)) {
            char *v = line + 9 + strspn(line + 9, " "), *eq = strchr(v, '=');
            if (eq) {
                p->package = xstrndup(v, (size_t)(eq - v));
                p->version = xstrdup(eq + 1);
            }
        } else if (!strncmp(line, "# suite:", 8)) {
            p->suite = xstrdup(line + 8 + strspn(line + 8, " "));
        } else if (line[0] != '#' && strlen(line) > 66 && line[64] == ' ') {
            strlist_push(&p->shas, xstrndup(line, 64));
            strlist_push(&p->files, line + 64 + strspn(line + 64, " "));
        }
    }
    return p->package && p->version;
}

/* A purl (package URL) version: '+' and ':' are percent-encoded. */
static char *purl_escape(const char *s)
{
    struct buf b = {0};
    for (; *s; s++)
        buf_printf(&b, *s == '+' || *s == ':' || *s == '%' ? "%%%02X" : "%c", (unsigned char)*s);
    return xstrdup(buf_cstr(&b));
}

/* The first line of `CC --version`: which compiler made the objects.
 * Remembered in DIR/.sbom-cc by the compiler's path, size and mtime (as
 * the object cache knows it), so an unchanged rebuild runs no compiler. */
static char *compiler_line(const struct platform *p, const char *outdir)
{
    char *cc = xasprintf("%sgcc", p->cross_compile ? p->cross_compile : "");
    const char *path = getenv("PATH");
    char *dirs = xstrdup(path ? path : "/usr/bin:/bin"), *key = NULL;
    for (char *d = strtok(dirs, ":"); d && !key; d = strtok(NULL, ":")) {
        struct stat st;
        char *f = path_join(d, cc);
        if (stat(f, &st) == 0)
            key = xasprintf("%s %lld %lld.%09ld\n", f, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                            st.st_mtim.tv_nsec);
    }
    char *memo = path_join(outdir, ".sbom-cc"), *data;
    size_t len;
    if (key && read_file(memo, &data, &len, 4096) == 0 && len > strlen(key) && !strncmp(data, key, strlen(key)))
        return xstrndup(data + strlen(key), strcspn(data + strlen(key), "\n"));
    struct buf out = {0};
    char *argv[] = {cc, "--version", NULL};
    if (run_argv(argv, NULL, &out) != 0 || !out.n)
        return cc;
    const char *text = buf_cstr(&out);
    char *line = xstrndup(text, strcspn(text, "\n"));
    if (key)
        write_file(memo, xasprintf("%s%s\n", key, line), strlen(key) + strlen(line) + 1);
    return line;
}

/* ---- the parts -------------------------------------------------------------- */

/* A module: its licence, summary, whether the manifest asked for it, and
 * each of its own sources compiled for this image with its SHA-256. */
static json_t *module_component(const struct resolved_mod *rm, const struct build_result *res)
{
    const struct module *mod = rm->mod;
    json_t *c = json_object();
    json_object_set_new(c, "type", json_string("library"));
    json_object_set_new(c, "bom-ref", json_string(xasprintf("module:%s", mod->name)));
    json_object_set_new(c, "name", json_string(mod->name));
    json_object_set_new(c, "version", json_string(ANX_VERSION));
    if (mod->summary)
        json_object_set_new(c, "description", json_string(mod->summary));
    json_object_set_new(c, "licenses", license_expr(mod->license));
    json_t *props = json_array();
    prop(props, "anunix:requested", rm->requested ? "true" : "false");
    prop(props, "anunix:folder", path_rel(anx_root(), mod->dir));
    json_object_set_new(c, "properties", props);
    json_t *files = json_array();
    for (size_t i = 0; i < res->nunits; i++) {
        const struct cunit *u = &res->units[i];
        char sha[65];
        /* third-party units have no config.h: their tree is its own component */
        if (strcmp(u->owner, mod->name) || !u->config || !file_sha(res, u->src_abs, sha))
            continue;
        json_t *f = json_object();
        json_object_set_new(f, "type", json_string("file"));
        json_object_set_new(f, "bom-ref", json_string(xasprintf("source:%s", u->src)));
        json_object_set_new(f, "name", json_string(u->src));
        json_object_set_new(f, "hashes", sha256_hashes(sha));
        json_array_append_new(files, f);
    }
    json_object_set_new(c, "components", files);
    return c;
}

/* A third-party tree: the entries of the image's modules that compile from
 * it, their licences, and the Debian source package it was unpacked from. */
static json_t *tree_component(const char *tree, const struct resolution *r, struct strlist *all_licenses)
{
    struct strlist entries = {0}, licenses = {0};
    for (size_t i = 0; i < r->n; i++) {
        const struct module *mod = r->mods[i].mod;
        for (size_t t = 0; t < mod->ntp; t++)
            if (!strcmp(mod->tp[t].tree, tree)) {
                strlist_push(&entries, xasprintf("%s:%s", mod->name, mod->tp[t].name));
                license_add(&licenses, mod->tp[t].license);
                license_add(all_licenses, mod->tp[t].license);
            }
    }
    json_t *c = json_object(), *props = json_array();
    struct pin pin;
    bool pinned = read_pin(tree, &pin);
    json_object_set_new(c, "type", json_string("library"));
    json_object_set_new(c, "bom-ref", json_string(xasprintf("third-party:%s", tree)));
    json_object_set_new(c, "name", json_string(pinned ? pin.package : tree));
    if (pinned)
        json_object_set_new(c, "version", json_string(pin.version));
    json_object_set_new(c, "description", json_string(xasprintf("third-party source tree %s (%s)", tree,
                                                                pinned ? "a Debian source package" : "not pinned")));
    json_object_set_new(c, "licenses", license_expr(license_and(&licenses)));
    if (pinned) {
        /* the .dsc names and hashes the others; without one, the tarball */
        size_t main = 0;
        for (size_t i = 0; i < pin.files.n; i++)
            if (strstr(pin.files.v[i], ".dsc"))
                main = i;
        if (pin.files.n)
            json_object_set_new(c, "hashes", sha256_hashes(pin.shas.v[main]));
        json_object_set_new(c, "purl", json_string(xasprintf("pkg:deb/debian/%s@%s?arch=source", pin.package,
                                                              purl_escape(pin.version))));
        if (pin.suite)
            prop(props, "anunix:debian-suite", pin.suite);
        for (size_t i = 0; i < pin.files.n; i++)
            prop(props, xasprintf("anunix:pinned:%s", pin.files.v[i]), pin.shas.v[i]);
    }
    prop(props, "anunix:tree", tree);
    for (size_t i = 0; i < entries.n; i++)
        prop(props, "anunix:entry", entries.v[i]);
    json_object_set_new(c, "properties", props);
    return c;
}

/* An entry of the files archive, at its image path. */
static json_t *file_component(const struct file_entry *f, const struct build_result *res)
{
    char sha[65];
    json_t *c = json_object();
    json_object_set_new(c, "type", json_string("file"));
    json_object_set_new(c, "bom-ref", json_string(xasprintf("file:%s", f->image_path)));
    json_object_set_new(c, "name", json_string(f->image_path));
    if (file_sha(res, f->abs_path, sha))
        json_object_set_new(c, "hashes", sha256_hashes(sha));
    json_t *props = json_array();
    prop(props, "anunix:from", f->module ? xasprintf("module %s", f->module) : "manifest");
    json_object_set_new(c, "properties", props);
    return c;
}

static json_t *dependency(const char *ref, const struct strlist *on)
{
    json_t *d = json_object(), *a = json_array();
    json_object_set_new(d, "ref", json_string(ref));
    for (size_t i = 0; i < on->n; i++)
        json_array_append_new(a, json_string(on->v[i]));
    json_object_set_new(d, "dependsOn", a);
    return d;
}

static json_t *tool(const char *name, const char *version, const char *description)
{
    json_t *t = json_object();
    json_object_set_new(t, "type", json_string("application"));
    json_object_set_new(t, "name", json_string(name));
    if (version)
        json_object_set_new(t, "version", json_string(version));
    if (description)
        json_object_set_new(t, "description", json_string(description));
    return t;
}

/* The build's epoch (image_env.c), as ISO 8601. */
static char *sbom_time(void)
{
    time_t tt = build_epoch();
    struct tm tm;
    gmtime_r(&tt, &tm);
    char s[32];
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(s);
}

/* urn:uuid: from the outputs' hashes (RFC 9562 version 8: name-based with
 * SHA-256), so the same image always gets the same serial number and a
 * different one a different number. */
static char *serial_number(const struct build_result *res)
{
    struct anx_sha256 s;
    uint8_t d[32];
    anx_sha256_init(&s);
    anx_sha256_update(&s, "anx-sbom-v1", 11);
    for (size_t i = 0; i < res->noutputs; i++) {
        anx_sha256_update(&s, res->outputs[i].kind, strlen(res->outputs[i].kind) + 1);
        anx_sha256_update(&s, res->outputs[i].sha, 64);
    }
    anx_sha256_final(&s, d);
    d[6] = (uint8_t)((d[6] & 0x0f) | 0x80);
    d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
    struct buf b = {0};
    buf_puts(&b, "urn:uuid:");
    for (int i = 0; i < 16; i++)
        buf_printf(&b, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", d[i]);
    return xstrdup(buf_cstr(&b));
}

static const char *main_sha(const struct build_result *res)
{
    for (size_t i = 0; i < res->noutputs; i++)
        if (res->main_image && !strcmp(res->outputs[i].path, res->main_image))
            return res->outputs[i].sha;
    return res->noutputs ? res->outputs[0].sha : NULL;
}

/* The image itself: the BOM's subject. */
static json_t *image_component(const struct manifest *m, const struct resolution *r, const struct build_result *res,
                               const char *license)
{
    json_t *c = json_object(), *props = json_array();
    json_object_set_new(c, "type", json_string("operating-system"));
    json_object_set_new(c, "bom-ref", json_string("image"));
    json_object_set_new(c, "name", json_string(m->name));
    json_object_set_new(c, "version", json_string(ANX_VERSION));
    json_object_set_new(c, "description",
                        json_string(xasprintf("Anunix image %s for platform %s", m->name, r->plat->name)));
    json_object_set_new(c, "licenses", license_expr(license));
    const char *sha = main_sha(res);
    if (sha)
        json_object_set_new(c, "hashes", sha256_hashes(sha));
    prop(props, "anunix:platform", r->plat->name);
    prop(props, "anunix:arch", r->plat->arch);
    prop(props, "anunix:manifest", xasprintf("%s sha256:%s", strrchr(m->abs_path, '/') + 1, m->sha));
    for (size_t i = 0; i < res->noutputs; i++)
        prop(props, xasprintf("anunix:output:%s", res->outputs[i].kind),
             xasprintf("%s sha256:%s", strrchr(res->outputs[i].path, '/') + 1, res->outputs[i].sha));
    json_object_set_new(c, "properties", props);
    return c;
}

char *sbom_json(const struct manifest *m, const struct resolution *r, const struct build_result *res)
{
    /* The trees in first-use order: modules are in init order. */
    struct strlist trees = {0}, licenses = {0};
    for (size_t i = 0; i < r->n; i++) {
        const struct module *mod = r->mods[i].mod;
        license_add(&licenses, mod->license);
        for (size_t t = 0; t < mod->ntp; t++)
            if (!strlist_has(&trees, mod->tp[t].tree))
                strlist_push(&trees, mod->tp[t].tree);
    }
    json_t *comps = json_array(), *deps = json_array();
    struct strlist image_deps = {0};
    for (size_t i = 0; i < r->n; i++) {
        json_array_append_new(comps, module_component(&r->mods[i], res));
        strlist_push(&image_deps, xasprintf("module:%s", r->mods[i].mod->name));
    }
    for (size_t i = 0; i < trees.n; i++)
        json_array_append_new(comps, tree_component(trees.v[i], r, &licenses));
    for (size_t i = 0; i < m->nfiles; i++) {
        json_array_append_new(comps, file_component(&m->files[i], res));
        strlist_push(&image_deps, xasprintf("file:%s", m->files[i].image_path));
    }
    json_array_append_new(deps, dependency("image", &image_deps));
    for (size_t i = 0; i < r->n; i++) {
        const struct module *mod = r->mods[i].mod;
        struct strlist on = {0};
        for (size_t d = 0; d < mod->depends.n; d++)
            if (resolved_find(r, mod->depends.v[d]))
                strlist_push(&on, xasprintf("module:%s", mod->depends.v[d]));
        for (size_t t = 0; t < mod->ntp; t++) {
            char *ref = xasprintf("third-party:%s", mod->tp[t].tree);
            if (!strlist_has(&on, ref))
                strlist_push(&on, ref);
        }
        json_array_append_new(deps, dependency(xasprintf("module:%s", mod->name), &on));
    }
    for (size_t i = 0; i < trees.n; i++)
        json_array_append_new(deps, dependency(xasprintf("third-party:%s", trees.v[i]), &(struct strlist){0}));

    json_t *tools = json_object(), *tcomps = json_array();
    char *cc = compiler_line(r->plat, res->outdir);
    const char *ccver = strrchr(cc, ' ') ? strrchr(cc, ' ') + 1 : NULL;
    json_array_append_new(tcomps, tool("anx", ANX_VERSION, "the Anunix image generator"));
    json_array_append_new(tcomps, tool(xasprintf("%sgcc", r->plat->cross_compile ? r->plat->cross_compile : ""),
                                       ccver, xasprintf("compiler: %s", cc)));
    json_object_set_new(tools, "components", tcomps);
    json_t *meta = json_object(), *lifecycle = json_object(), *lifecycles = json_array();
    json_object_set_new(meta, "timestamp", json_string(sbom_time()));
    json_object_set_new(lifecycle, "phase", json_string("build"));
    json_array_append_new(lifecycles, lifecycle);
    json_object_set_new(meta, "lifecycles", lifecycles);
    json_object_set_new(meta, "tools", tools);
    json_object_set_new(meta, "component", image_component(m, r, res, license_and(&licenses)));

    json_t *j = json_object();
    json_object_set_new(j, "$schema", json_string("http://cyclonedx.org/schema/bom-1.5.schema.json"));
    json_object_set_new(j, "bomFormat", json_string("CycloneDX"));
    json_object_set_new(j, "specVersion", json_string("1.5"));
    json_object_set_new(j, "serialNumber", json_string(serial_number(res)));
    json_object_set_new(j, "version", json_integer(1));
    json_object_set_new(j, "metadata", meta);
    json_object_set_new(j, "components", comps);
    json_object_set_new(j, "dependencies", deps);
    char *s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    char *out = xasprintf("%s\n", s ? s : "{}");
    free(s);
    return out;
}

int sbom_write(const struct manifest *m, const struct resolution *r, const struct build_result *res)
{
    char *text = sbom_json(m, r, res), *path = path_join(res->outdir, "sbom.cdx.json");
    int e = write_file(path, text, strlen(text));
    if (e)
        diag_error(NULL, "cannot write %s: %s", path_display(path), strerror(-e));
    return e ? -1 : 0;
}
