/*
 * The image as a whole, once its modules are resolved: what one module's
 * config needs from another (a disk driver, a NIC), test checks that
 * cannot work, infer's model and tokenizer files, and memory. These used
 * to show only at boot, as a guest message that does not say how to fix
 * them. resolve() calls validate(), so check, build, run and test all
 * stop here before anything is compiled; build() calls validate_linked()
 * once the image's exact size is known.
 */
#include "anx.h"

#include <elf.h>
#include <string.h>

/* The manifest's node for `modules: MOD: KEY:`, or NULL when the value is
 * the default. */
static const struct ynode *config_node(const struct manifest *m, const char *mod, const char *key)
{
    for (size_t i = 0; i < m->nmods; i++)
        if (!strcmp(m->mods[i].name, mod) && m->mods[i].config && m->mods[i].config->kind == Y_MAP)
            return ymap_get(m->mods[i].config, key);
    return NULL;
}

/* Where to point for a module's config: its value, else the module's
 * line, else the top of the manifest (a module pulled in by another). */
static struct mark config_mark(const struct manifest *m, const char *mod, const char *key)
{
    const struct ynode *v = config_node(m, mod, key);
    if (v)
        return v->mark;
    for (size_t i = 0; i < m->nmods; i++)
        if (!strcmp(m->mods[i].name, mod))
            return m->mods[i].mark;
    return (struct mark){path_display(m->path), 1, 1};
}

/* The key node of `run: KEY:` (for its mark), or NULL. */
static const struct ynode *run_key(const struct manifest *m, const char *key)
{
    const struct ynode *run = m->root && m->root->kind == Y_MAP ? ymap_get(m->root, "run") : NULL;
    const struct ypair *p = run && run->kind == Y_MAP ? ymap_pair(run, key) : NULL;
    return p ? p->key : NULL;
}

/* Whether the image holds one of the driver modules a platform.yaml
 * `qemu: nic:` or `disk:` map names. */
static bool has_driver(const struct resolution *r, const struct nic_args *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (resolved_find(r, list[i].module))
            return true;
    return false;
}

/* "add 'virtio-blk: {}' to modules: (the disk driver of platform P)" */
static const char *add_driver(const struct platform *p, const struct nic_args *list, size_t n, const char *kind)
{
    if (n == 1)
        return xasprintf("add '%s: {}' to modules: (the %s driver of platform %s)", list[0].module, kind, p->name);
    struct buf b = {0};
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", list[i].module);
    return xasprintf("add '%s: {}' to modules: (platform %s's %s drivers: %s)", list[0].module, p->name, kind,
                     buf_cstr(&b));
}

/* A disk store needs a disk driver; forwarded ports need a NIC. */
static void check_drivers(const struct manifest *m, const struct resolution *r)
{
    const struct platform *p = r->plat;
    const char *backend = resolved_string(r, "objstore", "backend");
    if (backend && !strcmp(backend, "disk") && !has_driver(r, p->disks, p->ndisks)) {
        struct mark mk = config_mark(m, "objstore", "backend");
        if (p->ndisks)
            diag_error(&mk, "objstore backend 'disk' needs a disk driver, and this image has none: %s",
                       add_driver(p, p->disks, p->ndisks, "disk"));
        else
            diag_error(&mk, "objstore backend 'disk' needs a disk driver, and platform %s has none: use backend: ram",
                       p->name);
    }
    const struct ynode *k = run_key(m, "ports");
    if (m->nports && !has_driver(r, p->nics, p->nnics)) {
        struct mark mk = k ? k->mark : m->ports[0].mark;
        if (p->nnics)
            diag_error(&mk, "run: ports cannot be forwarded: this image has no NIC driver; %s",
                       add_driver(p, p->nics, p->nnics, "NIC"));
        else
            diag_error(&mk, "run: ports cannot be forwarded: platform %s has no NIC driver", p->name);
    }
    k = run_key(m, "disk");
    if (m->disk_size && k && !has_driver(r, p->disks, p->ndisks) && p->ndisks)
        diag_warning(&k->mark, "run: disk is not attached: this image has no disk driver; %s",
                     add_driver(p, p->disks, p->ndisks, "disk"));
}

/* Checks that can only fail: a shell check without a shell, an http check
 * with no forward to its port. Warnings, since the run itself says why. */
static void check_tests(const struct manifest *m, const struct resolution *r)
{
    bool shell = resolved_find(r, "shell") != NULL, told_shell = false, told_ports = false;
    for (size_t i = 0; i < m->nchecks; i++) {
        const struct check *c = &m->checks[i];
        if (!strcmp(c->type->key, "shell") && !shell && !told_shell) {
            diag_warning(&c->mark, "shell check, but this image has no shell module: no prompt will answer; "
                                   "add 'shell: {}' to modules:");
            told_shell = true;
        }
        if (strcmp(c->type->key, "http"))
            continue;
        if (!m->nports) {
            if (!told_ports)
                diag_warning(&c->mark, "http check, but no host port is forwarded to the guest: add "
                                       "run: ports: [\"8080:8080\"] (HOST:GUEST)");
            told_ports = true;
            continue;
        }
        bool fwd = !c->port;   /* 0: the first forward */
        for (size_t j = 0; j < m->nports && !fwd; j++)
            fwd = m->ports[j].guest == c->port;
        if (!fwd) {
            struct buf b = {0};
            for (size_t j = 0; j < m->nports; j++)
                buf_printf(&b, "%s%d:%d", j ? ", " : "", m->ports[j].host, m->ports[j].guest);
            diag_warning(&c->mark, "http check on guest port %lld, which run: ports does not forward (it "
                                   "forwards %s); add \"%lld:%lld\"",
                         (long long)c->port, buf_cstr(&b), (long long)c->port, (long long)c->port);
        }
    }
}

/* The files: entries, for a message: "/a, /b" or "files: is empty". */
static const char *files_text(const struct manifest *m)
{
    if (!m->nfiles)
        return "files: is empty";
    struct buf b = {0};
    buf_puts(&b, "files: has ");
    for (size_t i = 0; i < m->nfiles && i < 12; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", m->files[i].image_path);
    if (m->nfiles > 12)
        buf_printf(&b, " and %zu more", m->nfiles - 12);
    return buf_cstr(&b);
}

static const struct file_entry *find_file(const struct manifest *m, const char *image_path)
{
    for (size_t i = 0; i < m->nfiles; i++)
        if (!strcmp(m->files[i].image_path, image_path))
            return &m->files[i];
    return NULL;
}

enum source { SRC_ERROR, SRC_FILE, SRC_OBJECT_FILE, SRC_DISK };

/* Where infer will read `name` (infer.model or infer.tokenizer) from: a
 * file of the image (/path), an object of the store's base layer (the
 * same files, copied to the heap when read), or a disk the generator
 * cannot see. Errors say what is there instead. */
static enum source find_source(const struct manifest *m, const struct resolution *r, const char *what,
                               const char *name, const struct mark *mk, const struct file_entry **f)
{
    *f = NULL;
    if (name[0] == '/') {
        if ((*f = find_file(m, name)))
            return SRC_FILE;
        diag_error(mk, "%s '%s' is not among the image's files (%s); add it to files: or correct the path", what,
                   yshow(name, strlen(name)), files_text(m));
        return SRC_ERROR;
    }
    const char *backend = resolved_string(r, "objstore", "backend");
    if (!backend) {
        diag_error(mk, "%s '%s' is an object name: infer loads it from the object store once the boot is "
                       "complete, and this image has no objstore module; add 'objstore: {backend: disk}' to "
                       "modules: (a disk prepared with `anx store put`), or give a /path among the image's files",
                   what, yshow(name, strlen(name)));
        return SRC_ERROR;
    }
    if ((*f = find_file(m, xasprintf("/%s", name))))
        return SRC_OBJECT_FILE;
    if (!strcmp(backend, "ram")) {
        diag_error(mk, "%s '%s' is an object name, but it is not among the image's files (the store's base layer: "
                       "%s) and the RAM store starts empty; add it to files: as /%s, or use objstore backend: disk",
                   what, yshow(name, strlen(name)), files_text(m), name);
        return SRC_ERROR;
    }
    return SRC_DISK;
}

/* infer's model and tokenizer: present, readable the way infer reads
 * them, and what they will need in memory. */
static void check_infer(const struct manifest *m, const struct resolution *r, struct mem_need *need)
{
    const struct resolved_mod *inf = resolved_find(r, "infer");
    if (!inf)
        return;
    const char *model = resolved_string(r, "infer", "model"), *tok = resolved_string(r, "infer", "tokenizer");
    struct mark mm = config_mark(m, "infer", "model"), tm = config_mark(m, "infer", "tokenizer");
    if (!model || !model[0]) {
        if (tok && tok[0])
            diag_warning(&tm, "infer.tokenizer is set but infer.model is empty: nothing is loaded");
        return;
    }
    const struct file_entry *mf, *tf = NULL;
    enum source ms = find_source(m, r, "infer.model", model, &mm, &mf), ts = SRC_DISK;
    if (tok && tok[0])
        ts = find_source(m, r, "infer.tokenizer", tok, &tm, &tf);
    if (ms == SRC_ERROR || ts == SRC_ERROR || ms == SRC_DISK)
        return;
    struct model_facts f;
    bool tok_elsewhere = tok && tok[0] && ts == SRC_DISK;
    if (model_check(mf->abs_path, &mm, tf ? tf->abs_path : NULL, &tm, tok_elsewhere, &f))
        return;
    /* weights are used in place from the files archive; read through the
     * object store they are copied to the heap first (objstore base.c) */
    uint64_t copies = (ms == SRC_OBJECT_FILE ? heap_cost(f.file_bytes) : 0) +
                      (ts == SRC_OBJECT_FILE ? heap_cost(f.tok_bytes) : 0);
    memory_need_add(need, "infer model", f.heap + f.transient + copies);
    const struct cvalue *cv = resolved_value(r, "infer", "context");
    int64_t ctx = cv ? cv->i : 0;   /* infer.context: KV positions per session, 0 = the model's */
    uint64_t kv, scratch;
    model_session(&f, (int)ctx, &kv, &scratch);
    memory_need_add(need, "KV cache", kv);
    memory_need_add(need, "activations", scratch);
    /* openai keeps chat sessions between turns, each a session like the one
     * above, and a response cache of up to cache_bytes (modules/openai) */
    if (resolved_find(r, "openai")) {
        const struct cvalue *sv = resolved_value(r, "openai", "sessions");
        const struct cvalue *ce = resolved_value(r, "openai", "cache_entries");
        const struct cvalue *cb = resolved_value(r, "openai", "cache_bytes");
        if (sv && sv->i > 0)
            memory_need_add(need, "kept sessions", (uint64_t)sv->i * (kv + scratch));
        if (ce && ce->i > 0 && cb && cb->u > 0)
            memory_need_add(need, "response cache", cb->u);
    }
}

/* Retrieval-augmented chat asks a retriever (<anx/retrieve.h>) for the
 * collection: without vecstore every chat completion would fail. */
static void check_rag(const struct manifest *m, const struct resolution *r)
{
    const char *coll = resolved_string(r, "openai", "rag_collection");
    if (coll && coll[0] && !resolved_find(r, "vecstore")) {
        struct mark mk = config_mark(m, "openai", "rag_collection");
        diag_error(&mk, "openai rag_collection '%s' needs the vecstore module, which keeps collections: add "
                        "'vecstore: {collections: [%s/]}' to modules:",
                   coll, coll);
    }
}

int validate(const struct manifest *m, struct resolution *r)
{
    int errs0 = diag_errors;
    check_drivers(m, r);
    check_tests(m, r);
    check_rag(m, r);
    grants_validate(m, r);
    pipelines_validate(m, r);
    struct mem_need *need = xcalloc(1, sizeof *need);
    memory_need_init(need, anx_root(), m, r);
    check_infer(m, r, need);
    r->need = need;
    if (diag_errors == errs0)
        memory_check(m, need, 0, false);
    if (diag_errors == errs0)   /* about an image that would build: not amid its errors */
        writable_routes_warn(m, r);
    return diag_errors - errs0;
}

/* The loaded size of an ELF64 image: from its lowest PT_LOAD segment to
 * the end of the highest (bss and stacks included), in whole pages; 0
 * when the file cannot be read as one. */
static uint64_t image_span(const char *elf)
{
    char *data;
    size_t len;
    if (read_file(elf, &data, &len, 1ULL << 34) || len < sizeof(Elf64_Ehdr) || memcmp(data, ELFMAG, SELFMAG) ||
        data[EI_CLASS] != ELFCLASS64)
        return 0;
    Elf64_Ehdr eh;
    memcpy(&eh, data, sizeof eh);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        uint64_t off = eh.e_phoff + (uint64_t)i * eh.e_phentsize;
        Elf64_Phdr ph;
        if (eh.e_phentsize < sizeof ph || off > len || len - off < sizeof ph)
            return 0;
        memcpy(&ph, data + off, sizeof ph);
        if (ph.p_type != PT_LOAD || !ph.p_memsz)
            continue;
        if (ph.p_vaddr < lo)
            lo = ph.p_vaddr;
        if (ph.p_vaddr + ph.p_memsz > hi)
            hi = ph.p_vaddr + ph.p_memsz;
    }
    if (hi <= lo)
        return 0;
    lo &= ~4095ULL;
    return (hi - lo + 4095) & ~4095ULL;
}

int validate_linked(const struct manifest *m, const struct resolution *r, const char *elf)
{
    uint64_t span = r->need ? image_span(elf) : 0;
    if (!span)
        return 0;
    return memory_check(m, r->need, span, true);
}
