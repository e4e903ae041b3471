/*
 * libFuzzer harness: feeds arbitrary bytes to the manifest, module.yaml,
 * platform.yaml and arch.yaml parsers, and through the config.h and modules.c writers
 * when a module description parses. Nothing may crash, hang or leak.
 *   clang -fsanitize=fuzzer,address,undefined (make -C gen fuzz)
 * replay.c gives a main() that replays a corpus with gcc-built binaries.
 */
#include "anx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!diag_out) {
        diag_out = fopen("/dev/null", "w");
        /* A manifest's files: may name any host folder ("." is wherever
         * the fuzzer runs, "/" the whole disk): walk only a few entries. */
        files_folder_limit = 64;
    }
    const char *text = (const char *)data;
    struct manifest m;
    manifest_parse("fuzz.yaml", text, size, &m);

    struct module *mod = module_parse("fuzz", "/nonexistent/modules/fuzz/module.yaml", text, size);
    if (mod) {
        struct resolved_mod rm = {mod, true, xcalloc(mod->nkeys + 1, sizeof(struct cvalue))};
        for (size_t i = 0; i < mod->nkeys; i++)
            if (mod->keys[i].has_default)
                rm.values[i] = mod->keys[i].def;
        struct platform plat = {.name = "fuzz", .arch = "x86_64"};
        struct resolution r = {&plat, &rm, 1};
        struct manifest dummy = {.name = "fuzz", .cmdline = "", .memory = 1 << 20, .cpus = 1};
        config_h_text(&dummy, &r);
        modules_c_text(&dummy, &r);
    }
    platform_parse("fuzz", "/nonexistent/platforms/fuzz/platform.yaml", text, size);
    arch_parse("fuzz", "/nonexistent/arch/fuzz/arch.yaml", "/nonexistent", text, size);
    /* Work in proportion to the input: a few KiB of YAML that makes a
     * parser allocate without bound is a bug (one such input took 1.3 GB). */
    if (xalloc_blocks() > 20000 + 64 * size || xalloc_bytes() > (64u << 20) + 4096 * size) {
        fprintf(stderr, "fuzz: %zu bytes of input made %zu allocations of %zu bytes\n", size,
                xalloc_blocks(), xalloc_bytes());
        abort();
    }
    xfree_all();
    return 0;
}
