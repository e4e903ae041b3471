/*
 * Linking: one ld run with the platform's linker script and --gc-sections,
 * a map file to attribute the kept bytes to modules, and the stripped copy
 * for booting. --build-id=none and a fixed object order keep the output
 * bit-identical between runs.
 */
#include "anx.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int link_image(const char *root, const struct toolchain *t, const struct platform *p, struct cunit *u, size_t n,
               const char *elf, const char *map)
{
    struct strlist argv = {0};
    char *tmp = xasprintf("%s.tmp", elf);
    strlist_push(&argv, t->ld);
    strlist_push(&argv, "-nostdlib");
    strlist_push(&argv, "-static");
    strlist_push(&argv, "--gc-sections");
    strlist_push(&argv, "--build-id=none");
    strlist_push(&argv, "-T");
    strlist_push(&argv, p->linker_script);
    strlist_push(&argv, xasprintf("-Map=%s", map));
    for (size_t i = 0; i < p->ldflags.n; i++)
        strlist_push(&argv, p->ldflags.v[i]);
    strlist_push(&argv, "-o");
    strlist_push(&argv, tmp);
    for (size_t i = 0; i < n; i++)
        strlist_push(&argv, u[i].obj);
    strlist_push(&argv, "");
    argv.v[argv.n - 1] = NULL;
    struct buf out = {0};
    int rc = run_argv(argv.v, root, &out);
    if (out.n)
        fputs(buf_cstr(&out), diag_out ? diag_out : stderr);
    if (rc != 0) {
        unlink(tmp);
        diag_error(NULL, "linking %s failed", path_display(elf));
        return 1;
    }
    if (rename(tmp, elf) < 0) {
        diag_error(NULL, "cannot write %s", path_display(elf));
        return 1;
    }
    return 0;
}

/* Which of text, rodata, data and bss an input section adds to (0..3), or
 * -1 for one not counted (boot headers, notes: a few dozen bytes). */
static int kind_of(const char *sec)
{
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {{".text", 0},   {".rodata", 1}, {".srodata", 1},    {".data", 2},
                 {".sdata", 2},  {".tdata", 2},  {".init_array", 2}, {".fini_array", 2},
                 {".bss", 3},    {".sbss", 3},   {".tbss", 3},       {"COMMON", 3}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t l = strlen(kinds[i].name);
        if (!strncmp(sec, kinds[i].name, l) && (sec[l] == 0 || sec[l] == '.'))
            return kinds[i].kind;
    }
    return -1;
}

/* Reads the GNU ld map: input sections kept in the image appear under
 * "Linker script and memory map" as " .name addr size file", the name on
 * its own line when long. Discarded sections are listed before that part
 * (and under /DISCARD/), so they are not counted. */
int map_sizes(const char *map, struct cunit *u, size_t n)
{
    char *data;
    size_t len;
    if (read_file(map, &data, &len, (size_t)1 << 30))
        return -1;
    for (size_t i = 0; i < n; i++)
        u[i].size = u[i].text = u[i].rodata = u[i].data = u[i].bss = 0;
    char *s = strstr(data, "\nLinker script and memory map");
    if (!s)
        return -1;
    bool discard = false;
    char pending[256] = "";
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] != ' ') {
            discard = !strncmp(line, "/DISCARD/", 9);
            pending[0] = 0;
            continue;
        }
        char name[256], addr[64], size[64], file[1024];
        int k;
        if (line[1] != ' ' && line[1] != '*') {
            k = sscanf(line, " %255s %63s %63s %1023s", name, addr, size, file);
            if (k == 1) {
                snprintf(pending, sizeof pending, "%s", name);
                continue;
            }
            if (k != 4)
                continue;
        } else if (pending[0]) {
            k = sscanf(line, " %63s %63s %1023s", addr, size, file);
            snprintf(name, sizeof name, "%s", pending);
            pending[0] = 0;
            if (k != 3)
                continue;
        } else {
            continue;
        }
        int kind = kind_of(name);
        if (discard || kind < 0 || strncmp(size, "0x", 2))
            continue;
        unsigned long long sz = strtoull(size, NULL, 16);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(u[i].obj, file)) {
                uint64_t *by_kind[] = {&u[i].text, &u[i].rodata, &u[i].data, &u[i].bss};
                *by_kind[kind] += sz;
                u[i].size += sz;
                break;
            }
    }
    return 0;
}

int strip_image(const struct toolchain *t, const char *in, const char *out)
{
    char *tmp = xasprintf("%s.tmp", out);
    char *argv[] = {t->objcopy, "--strip-all", (char *)in, tmp, NULL};
    struct buf o = {0};
    if (run_argv(argv, NULL, &o) != 0 || rename(tmp, out) < 0) {
        fputs(buf_cstr(&o), diag_out ? diag_out : stderr);
        unlink(tmp);
        diag_error(NULL, "%s --strip-all failed for %s", t->objcopy, path_display(in));
        return 1;
    }
    return 0;
}
