/* Memory needs: the guest heap's block costs, module.yaml `memory:` terms
 * with their conditions, and the memory check's verdict and message. */
#define _GNU_SOURCE
#include "anx.h"
#include "unit.h"

#include <stdlib.h>

static struct module *parse(const char *text)
{
    return module_parse("m", "/nonexistent/modules/m/module.yaml", text, strlen(text));
}

/* The module resolved with its defaults, then key = value for each pair. */
static struct resolved_mod resolved(struct module *mod, const char *key, const char *value)
{
    struct resolved_mod rm = {mod, true, xcalloc(mod->nkeys + 1, sizeof(struct cvalue))};
    for (size_t i = 0; i < mod->nkeys; i++) {
        rm.values[i] = mod->keys[i].def;
        if (key && !strcmp(mod->keys[i].name, key)) {
            struct ynode n = {.kind = Y_SCALAR, .str = (char *)value, .len = strlen(value)};
            CHECK(config_value_parse(&mod->keys[i], &n, "m", &rm.values[i]) == 0);
        }
    }
    return rm;
}

int main(void)
{
    /* core/heap.c: classes 32..2048 with 24 bytes of header and canary,
     * then whole pages */
    CHECK(heap_cost(0) == 32);
    CHECK(heap_cost(8) == 32);
    CHECK(heap_cost(9) == 48);
    CHECK(heap_cost(2024) == 2048);
    CHECK(heap_cost(2025) == 4096);
    CHECK(heap_cost(4072) == 4096);
    CHECK(heap_cost(4073) == 8192);

    diag_out = fopen("/dev/null", "w");
    /* a fixed need */
    struct module *m = parse("summary: s\nmemory: 40K\n");
    CHECK(m && m->mem_base == 40 * 1024 && m->nmem_terms == 0);
    /* base + a size key when an enum has a value + an int key times each */
    m = parse("summary: s\n"
              "memory:\n  base: 64K\n  add:\n"
              "    - {key: size, when: {backend: ram, fast: true}}\n"
              "    - {key: n, each: 2K}\n"
              "config:\n"
              "  backend: {type: enum, values: [ram, disk], default: ram}\n"
              "  fast: {type: bool, default: true}\n"
              "  size: {type: size, default: 8M}\n"
              "  n: {type: int, default: 128}\n");
    CHECK(m && m->nmem_terms == 2);
    if (m) {
        struct resolved_mod rm = resolved(m, NULL, NULL);
        CHECK(module_memory(&rm) == 64 * 1024 + (8 << 20) + 128 * 2048);
        rm = resolved(m, "backend", "disk");
        CHECK(module_memory(&rm) == 64 * 1024 + 128 * 2048);
        rm = resolved(m, "fast", "false");
        CHECK(module_memory(&rm) == 64 * 1024 + 128 * 2048);
        rm = resolved(m, "n", "0");
        CHECK(module_memory(&rm) == 64 * 1024 + (8 << 20));
    }
    /* what a term may not be */
    int e0 = diag_errors;
    CHECK(!parse("summary: s\nmemory: {base: 1K, add: [{key: x}]}\n"));
    CHECK(!parse("summary: s\nmemory: {add: []}\n"));
    CHECK(!parse("summary: s\nmemory: {base: 1K, add: [{key: n}]}\nconfig: {n: {type: int, default: 1}}\n"));
    CHECK(!parse("summary: s\nmemory: {base: 1K, add: [{key: s, each: 1K}]}\nconfig: {s: {type: size, default: 1K}}\n"));
    CHECK(!parse("summary: s\nmemory: {base: 1K, add: [{key: s}]}\nconfig: {s: {type: string, default: x}}\n"));
    CHECK(!parse("summary: s\nmemory: {base: 1K, add: [{key: s, when: {e: c}}]}\n"
                 "config: {s: {type: size, default: 1K}, e: {type: enum, values: [a, b], default: a}}\n"));
    CHECK(diag_errors - e0 == 6);

    /* the check: total rounded up to whole MiB against memory: */
    struct manifest man = {.path = "x.yaml", .memory = 3 << 20};
    struct mem_need need = {.files = 1 << 20};
    memory_need_add(&need, "platform", 1 << 20);
    memory_need_add(&need, "zero", 0);   /* nothing: not listed */
    CHECK(need.n == 1);
    CHECK(memory_check(&man, &need, 0, false) == 0);
    memory_need_add(&need, "objstore", (1 << 20) + 1);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    diag_out = out;
    CHECK(memory_check(&man, &need, 0, false) == 1);
    fclose(out);
    CHECK_STR(text, "x.yaml:1:1: error: the default memory of 3M is too small for this image: needs at least 4 MiB "
                    "(image files 1 MiB, platform 1 MiB, objstore 1.1 MiB; anx build adds the image's code); add "
                    "memory: 4M\n");
    free(text);
    /* after the link: the image's exact size instead of its files */
    diag_out = fopen("/dev/null", "w");
    CHECK(memory_check(&man, &need, 512 << 10, true) == 0);
    CHECK(memory_check(&man, &need, 600 << 10, true) == 0);
    /* the guest's floor: its RAM must reach boot_reserve past the image,
     * loaded 2 MiB in: 2M + 600K + 512K > 3M, though the parts fit */
    need.load = 2 << 20;
    need.boot_reserve = 512 << 10;
    text = NULL;
    out = open_memstream(&text, &len);
    diag_out = out;
    CHECK(memory_check(&man, &need, 600 << 10, true) == 1);
    fclose(out);
    CHECK_STR(text, "x.yaml:1:1: error: the default memory of 3M is too small for this image: needs at least 4 MiB "
                    "(image 600 KiB at 2 MiB into RAM, plus the 512 KiB past its end that the core needs to boot); "
                    "add memory: 4M\n");
    free(text);
    return UNIT_END();
}
