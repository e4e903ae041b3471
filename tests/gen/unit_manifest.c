#define _GNU_SOURCE
/* Manifest messages that a bad-manifest test (first line only) cannot
 * show: every mistake of a manifest reported in one run, top-level and
 * module ones together; notes after YAML errors; the same text without a
 * catalog (manifest_parse, as the fuzzer calls it). */
#include "anx.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

/* Everything printed since the last call (diag_out is a temporary file). */
static char *diags(void)
{
    static long from;
    fflush(diag_out);
    long end = ftell(diag_out);
    char *s = xcalloc((size_t)(end - from) + 1, 1);
    fseek(diag_out, from, SEEK_SET);
    size_t got = fread(s, 1, (size_t)(end - from), diag_out);
    s[got] = 0;
    from = end;
    return s;
}

static int load(const char *dir, const char *yaml, struct manifest *m)
{
    char *mpath = path_join(dir, "m.yaml");
    CHECK(write_file(mpath, yaml, strlen(yaml)) == 0);
    return manifest_load(mpath, m);
}

#define HAS(text, want)                                                            \
    do {                                                                           \
        if (!strstr((text), (want))) {                                             \
            fprintf(stderr, "%s:%d: missing: %s\nin:\n%s", __FILE__, __LINE__, (want), (text)); \
            unit_failures++;                                                       \
        }                                                                          \
    } while (0)

int main(void)
{
    diag_out = tmpfile();
    /* The test modules of tests/gen/tree: run.sh sets ANX_ROOT; alone, the
     * tree is found from gen/ (this binary is gen/asan/unit_manifest). */
    if (!getenv("ANX_ROOT"))
        set_anx_root(path_join(anx_root(), "../tests/gen/tree"));
    char dir[] = "/tmp/anx-unit-manifest-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    struct manifest m;

    /* One run, every mistake: a duplicate key does not stop the parse, and
     * module errors come with the top-level ones. */
    const char *many = "name: x\n"
                       "platform: fake\n"
                       "name: y\n"
                       "memory: 64\n"
                       "memroy: 64M\n"
                       "modules:\n"
                       "  cyc_a: {}\n"
                       "  cfg:\n"
                       "    must: 1\n"
                       "    cuont: 2\n"
                       "  buffer: 8K\n"
                       "  gama: {}\n"
                       "run:\n"
                       "  disk: {size: 64}\n";
    CHECK(load(dir, many, &m) == 8);
    char *d = diags();
    HAS(d, "m.yaml:3:1: error: duplicate key 'name' (first defined at line 1)\n");
    HAS(d, "m.yaml:4:9: error: memory: 64 has no unit (a bare number means bytes); write 64M for 64 MiB\n");
    HAS(d, "m.yaml:5:1: error: unknown key 'memroy' (did you mean 'memory'?)\n");
    HAS(d, "m.yaml:7:3: error: invalid module name 'cyc_a': module names use lowercase letters, digits and '-' "
           "(did you mean 'cyc-a'?)\n");
    HAS(d, "m.yaml:10:5: error: unknown key 'cuont' in config of module 'cfg' (did you mean 'count'?)\n");
    HAS(d, "m.yaml:11:3: error: 'buffer' is not a module; it is a config key of module 'cfg': indent it under "
           "'cfg:'\n");
    HAS(d, "m.yaml:12:3: error: unknown module 'gama' (did you mean 'gamma'?)\n");
    HAS(d, "m.yaml:14:16: error: disk size: 64 has no unit");

    /* Without a catalog only what the text tells: no module lookups. */
    CHECK(manifest_parse("m.yaml", many, strlen(many), &m) == 6);
    d = diags();
    HAS(d, "m.yaml:11:11: error: expected the config of module 'buffer' as a mapping (or {} for defaults), "
           "found '8K'\n");
    HAS(d, "m.yaml:7:3: error: invalid module name 'cyc_a' (expected lowercase letters, digits and '-')\n");
    CHECK(strstr(d, "gama") == NULL && strstr(d, "cuont") == NULL);

    /* The config check of a module goes on past its first bad value. */
    CHECK(load(dir, "name: x\nmodules:\n  cfg: {flag: maybe, count: 9}\n", &m) == 3);
    d = diags();
    HAS(d, "m.yaml:3:15: error: expected true or false for 'flag' of module 'cfg', found 'maybe'\n");
    HAS(d, "m.yaml:3:29: error: 'count' of module 'cfg' must be between 1 and 8, found '9'\n");
    HAS(d, "m.yaml:3:3: error: module 'cfg' needs a value for 'must'");

    /* A module's config key one level off either way, and a module there. */
    CHECK(load(dir, "name: x\nmodules:\n  cfg: {must: 1}\n  zeta: {flag: true}\nmode: fast\n", &m) == 2);
    d = diags();
    HAS(d, "m.yaml:4:10: error: unknown key 'flag': module 'zeta' has no config keys; 'flag' is a config key of "
           "module 'cfg': move it under 'cfg:'\n");
    HAS(d, "m.yaml:5:1: error: unknown key 'mode': it is a config key of module 'cfg'; indent it under 'cfg:'\n");
    /* A key of a module the manifest does not list; broken module.yaml
     * files read along the way stay quiet. */
    CHECK(load(dir, "name: x\nmodules:\n  label: hi\n", &m) == 1);
    d = diags();
    HAS(d, "m.yaml:3:3: error: 'label' is not a module; it is a config key of module 'cfg', which this manifest "
           "does not list");
    CHECK(strstr(d, "module.yaml") == NULL);

    /* YAML: an unterminated quote is reported where it starts, with where
     * the parser gave up in the text and as a note; a tab as a tab. */
    CHECK(load(dir, "name: x\nplatform: fake\nmodules:\n  gamma: {}\ntest:\n  - serial: \"anunix: ready\n", &m) == 1);
    d = diags();
    HAS(d, "m.yaml:6:13: error: invalid YAML: found unexpected end of stream at 7:1, inside the quoted string that "
           "starts here; add the closing quote\n");
    HAS(d, "m.yaml:7:1: note: the parser gave up here\n");
    CHECK(load(dir, "name: x\nmodules:\n  cfg:\n    must: 1\n   flag: true\n", &m) == 1);
    d = diags();
    HAS(d, "m.yaml:5:4: error: invalid YAML: did not find expected key, inside the mapping that starts at 3:3; keys "
           "of one mapping start in the same column: check this line's indentation\n");
    HAS(d, "m.yaml:3:3: note: the mapping starts here\n");
    CHECK(load(dir, "name: x\nmodules:\n  cfg:\n  \tmust: 1\n", &m) == 1);
    HAS(diags(), "m.yaml:4:3: error: invalid YAML: a tab character; YAML indents with spaces");
    CHECK(load(dir, "name: x\ncmdline: \"C:\\d\"\n", &m) == 1);
    HAS(diags(), "m.yaml:2:10: error: invalid YAML: found unknown escape character at 2:13, inside the quoted "
                 "string that starts here; in double quotes write a backslash as \\\\, or use single quotes\n");
    CHECK(load(dir, "name: x\ncmdline: [a, b\nplatform: fake\n", &m) == 1);
    HAS(diags(), "m.yaml:2:10: error: invalid YAML: did not find expected ',' or ']' at 3:9, inside the [ ] list that "
                 "starts here; close it with ']' and separate its items with ','\n");

    /* Sizes: MB means MiB. */
    CHECK(load(dir, "name: x\nmemory: 16MB\nrun:\n  disk: {size: 1 GiB}\n", &m) == 0);
    CHECK(m.memory == 16ULL << 20 && m.disk_size == 1ULL << 30);

    rm_rf(dir);
    return UNIT_END();
}
