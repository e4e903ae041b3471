/*
 * Memory: does the manifest's `memory:` hold the image and what runs in
 * it? Too little used to show only at boot (a triple fault with no output,
 * an "out of memory" from one module, a server answering 503), so the
 * generator adds it up:
 *
 *   the image        its loaded size, code and files (exact after the
 *                    link; before it, check counts the files only)
 *   the platform     RAM the kernel cannot hand out (below)
 *   the core         what it allocates before any module
 *   each module      module.yaml `memory:` with this image's config
 *   the model        added by validate.c from the model's header
 *
 * and compares the total, rounded up to whole MiB, with `memory:`.
 * docs/modules.md says how the module figures were measured.
 */
#include "anx.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KiB 1024ULL
#define MiB (1024ULL * 1024)
#define PAGE 4096ULL

/* Where the image sits in RAM and what RAM the kernel never hands out,
 * per architecture, measured with the shell's `mem` (pages managed
 * against RAM) at 64M:
 * x86_64: loaded at 1 MiB; nothing below it is used (legacy area and
 *         firmware), and the 64-page page-table pool follows the image
 *         (arch/x86_64/paging.c);
 * arm64:  loaded at the RAM base + 2 MiB; QEMU's virt board puts a 1 MiB
 *         device tree at the base, the MiB before the image is free RAM.
 * An unknown architecture counts nothing, so it is never refused. */
static const struct {
    const char *arch;
    uint64_t load;              /* RAM below the load address */
    uint64_t lost;              /* RAM the kernel does not hand out */
} platforms[] = {
    {"x86_64", 1 * MiB, 1 * MiB + 256 * KiB},
    {"arm64", 2 * MiB, 1 * MiB},
};

/* The guest refuses to boot unless its RAM reaches ANX_BOOT_RESERVE past
 * the image's end (core/include/anx/bootram.h, checked by the arch entry
 * code). Read from the header, so the figure is written once; a tree
 * without it (the tests' fake core) has no such floor. */
static uint64_t boot_reserve(const char *root)
{
    char *text;
    size_t len;
    if (read_file(path_join(root, "core/include/anx/bootram.h"), &text, &len, 1 << 16))
        return 0;
    const char *d = strstr(text, "#define ANX_BOOT_RESERVE");
    if (!d)
        return 0;
    d += strlen("#define ANX_BOOT_RESERVE");
    uint64_t v = 1;
    bool any = false;
    while (*d && *d != '\n') {   /* a product of numbers: (512 * 1024) */
        if (*d >= '0' && *d <= '9') {
            char *end;
            v *= strtoull(d, &end, 10);
            any = true;
            d = end;
        } else {
            d++;
        }
    }
    return any ? v : 0;
}

/* What the core allocates before the first module's init (device and
 * thread records, the first heap pages): 3 pages, measured on both
 * architectures. */
#define CORE_NEED (12 * KiB)

/* A module at or above this need is named in the message; the others
 * are summed as "other modules". */
#define NAMED_MODULE (256 * KiB)

/* core/heap.c's size classes: a block of n bytes takes the smallest class
 * that holds n plus its 24 bytes of header and canary; more than the
 * largest class takes whole pages. Mirrored here (a kernel detail in the
 * generator) because a model's vocabulary is thousands of small blocks and
 * rounding each up decides whether it fits. */
uint64_t heap_cost(uint64_t n)
{
    static const uint64_t cls[] = {32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048};
    uint64_t need = n + 24;
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++)
        if (need <= cls[i])
            return cls[i];
    return (need + PAGE - 1) / PAGE * PAGE;
}

void memory_need_add(struct mem_need *need, const char *what, uint64_t bytes)
{
    if (!bytes)
        return;
    need->items = xrealloc(need->items, (need->n + 1) * sizeof *need->items);
    need->items[need->n++] = (struct mem_item){what, bytes};
}

static bool term_applies(const struct module *mod, const struct resolved_mod *rm, const struct memory_term *t)
{
    for (size_t w = 0; w < t->when_keys.n; w++)
        for (size_t k = 0; k < mod->nkeys; k++)
            if (!strcmp(mod->keys[k].name, t->when_keys.v[w]) &&
                strcmp(config_value_text(&mod->keys[k], &rm->values[k]), t->when_values.v[w]))
                return false;
    return true;
}

uint64_t module_memory(const struct resolved_mod *rm)
{
    const struct module *mod = rm->mod;
    uint64_t sum = mod->mem_base;
    for (size_t i = 0; i < mod->nmem_terms; i++) {
        const struct memory_term *t = &mod->mem_terms[i];
        if (!term_applies(mod, rm, t))
            continue;
        const struct cvalue *v = &rm->values[t->key];
        if (mod->keys[t->key].type == CT_SIZE)
            sum += v->u;
        else if (v->i > 0)
            sum += (uint64_t)v->i * t->each;
    }
    return sum;
}

void memory_need_init(struct mem_need *need, const char *root, const struct manifest *m,
                      const struct resolution *r)
{
    memset(need, 0, sizeof *need);
    for (size_t i = 0; i < m->nfiles; i++) {
        struct stat st;
        if (stat(m->files[i].abs_path, &st) == 0)
            need->files += (uint64_t)st.st_size;
    }
    uint64_t plat = 0;
    for (size_t i = 0; i < sizeof platforms / sizeof platforms[0]; i++)
        if (r->plat->arch && !strcmp(r->plat->arch, platforms[i].arch)) {
            need->load = platforms[i].load;
            need->boot_reserve = boot_reserve(root);
            /* and pmem's bitmap: one bit per page, in whole pages */
            plat = platforms[i].lost + (m->memory / PAGE / 8 + PAGE - 1) / PAGE * PAGE;
        }
    memory_need_add(need, "platform", plat);
    memory_need_add(need, "core", CORE_NEED);
    uint64_t others = 0;
    for (size_t i = 0; i < r->n; i++) {
        uint64_t b = module_memory(&r->mods[i]);
        if (b >= NAMED_MODULE)
            memory_need_add(need, r->mods[i].mod->name, b);
        else
            others += b;
    }
    memory_need_add(need, "other modules", others);
}

/* 4.6 MiB, 58 MiB, 300 KiB: at most one decimal, rounded up, so the
 * parts never look smaller than they are. */
static const char *human(uint64_t b)
{
    if (b >= MiB) {
        uint64_t tenths = (b * 10 + MiB - 1) / MiB;
        if (tenths % 10 == 0)
            return xasprintf("%llu MiB", (unsigned long long)(tenths / 10));
        return xasprintf("%llu.%llu MiB", (unsigned long long)(tenths / 10), (unsigned long long)(tenths % 10));
    }
    return xasprintf("%llu KiB", (unsigned long long)((b + KiB - 1) / KiB));
}

int memory_check(const struct manifest *m, const struct mem_need *need, uint64_t image, bool exact)
{
    if (!exact)
        image = need->files;   /* the image's code is known only once it is linked */
    uint64_t total = image;
    for (size_t i = 0; i < need->n; i++)
        total += need->items[i].bytes;
    /* The parts add up, except that the guest also wants its RAM to reach
     * boot_reserve past the image's end, wherever the image sits. */
    uint64_t floor = need->boot_reserve ? need->load + image + need->boot_reserve : 0;
    uint64_t mib = ((total > floor ? total : floor) + MiB - 1) / MiB;
    if (mib < 2)
        mib = 2;   /* the smallest memory: a manifest accepts */
    if (m->memory >= mib * MiB)
        return 0;
    struct buf parts = {0};
    const char *img = exact ? "image" : "image files";
    if (floor > total) {
        buf_printf(&parts, "%s %s at %s into RAM, plus the %s past its end that the core needs to boot", img,
                   human(image), human(need->load), human(need->boot_reserve));
    } else {
        buf_printf(&parts, "%s %s", img, human(image));
        for (size_t i = 0; i < need->n; i++)
            buf_printf(&parts, ", %s %s", need->items[i].what, human(need->items[i].bytes));
    }
    if (!exact)
        buf_puts(&parts, "; anx build adds the image's code");
    const struct ynode *v = m->root && m->root->kind == Y_MAP ? ymap_get(m->root, "memory") : NULL;
    char have[32];
    format_size(m->memory, have, sizeof have);
    if (v) {
        diag_error(&v->mark, "memory: %s is too small for this image: needs at least %llu MiB (%s); write memory: %lluM",
                   have, (unsigned long long)mib, buf_cstr(&parts), (unsigned long long)mib);
    } else {
        struct mark top = {path_display(m->path), 1, 1};
        diag_error(&top, "the default memory of %s is too small for this image: needs at least %llu MiB (%s); add "
                         "memory: %lluM",
                   have, (unsigned long long)mib, buf_cstr(&parts), (unsigned long long)mib);
    }
    return 1;
}
