/*
 * anx — the Anunix host generator. This header holds the few shared types
 * (marks, lists, the YAML node tree, manifest, catalog, resolution) and the
 * functions each file exports. One concept per .c file; see docs/anx.md.
 */
#ifndef ANX_H
#define ANX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define ANX_VERSION "0.1.0"

/* Exit codes of every command. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* ---- util.c: memory, lists, buffers, files, paths, time --------------- */

/* Every allocation of the process goes through a tracked list so the fuzz
 * harness can drop a whole parse at once (xfree_all) without leaks, while
 * ASan still sees each block separately. Allocation failure aborts. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* v as n little-endian bytes at p (disk and archive formats). */
void put_le(uint8_t *p, uint64_t v, int n);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xfree_all(void);
/* Blocks and bytes allocated since the last xfree_all (the fuzz harness
 * bounds them per input: a parse must not allocate far more than its
 * input's size). */
size_t xalloc_blocks(void);
size_t xalloc_bytes(void);

struct strlist {
    char **v;
    size_t n, cap;
};
void strlist_push(struct strlist *l, const char *s);   /* stores a copy */
bool strlist_has(const struct strlist *l, const char *s);
void strlist_sort(struct strlist *l);

struct buf {
    char *p;
    size_t n, cap;
};
void buf_add(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *buf_cstr(struct buf *b);   /* NUL-terminates, returns p */

/* Reads a whole file (at most max bytes; larger is an error -EFBIG). */
int read_file(const char *path, char **data, size_t *len, size_t max);
/* Writes through a temporary file and rename, so readers never see half a
 * file; skips the write when the content is already identical. */
int write_file(const char *path, const void *data, size_t len);
int copy_file(const char *from, const char *to);
int mkdir_p(const char *path);
int rm_rf(const char *path);
bool file_exists(const char *path);
bool is_dir(const char *path);
char *path_join(const char *a, const char *b);
char *path_dirname(const char *p);
char *path_abs(const char *p);   /* absolute, normalized, without resolving links */
/* A path for messages: relative to the current directory when below it. */
const char *path_display(const char *p);
/* Relative to root when below it, else the absolute path. */
const char *path_rel(const char *root, const char *p);
double now_ms(void);
/* Sorted names of the subdirectories of dir that contain file. */
void list_subdirs_with(const char *dir, const char *file, struct strlist *out);

/* ---- diag.c: gcc-style messages ----------------------------------------- */

struct mark {
    const char *file;   /* as displayed */
    int line, col;      /* 1-based; 0 when unknown */
};
extern FILE *diag_out;      /* stderr, or /dev/null in the fuzzer */
extern int diag_errors;     /* errors printed so far */
void diag_error(const struct mark *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(const struct mark *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(const struct mark *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <anx/sha256.h>

/* ---- sha256.c ----------------------------------------------------------- */

/* The algorithm and its hex form: anx_sha256_init/update/final and
 * anx_sha256_hex from the core's core/lib/sha256.c; below, the generator's
 * helpers for buffers and files. */
void sha256_buf(const void *data, size_t n, char out[65]);
int sha256_file(const char *path, char out[65], uint64_t *size);

/* ---- units.c: numbers with units --------------------------------------- */

int parse_int(const char *s, int64_t *out);        /* 0 ok, -1 syntax, -2 range */
/* 64M, 1G, 512K, 4096; also 64MB, 64MiB, 64 mb: K/M/G/T with optional B or
 * iB, any case, always binary (MB = MiB). */
int parse_size(const char *s, uint64_t *out);
bool size_has_unit(const char *s);                 /* false for a bare number: bytes */
int parse_duration(const char *s, uint64_t *ns);   /* 5s, 100ms, 2m ... */
int parse_bool(const char *s, bool *out);
void format_size(uint64_t bytes, char *out, size_t n);
void format_duration(uint64_t ns, char *out, size_t n);

/* ---- regex_size.c ------------------------------------------------------- */

/* The estimated size (atoms after expanding repetitions) of a POSIX
 * extended regex's compiled form, or -1 with *why for a pattern glibc
 * would expand without bound (stacked quantifiers). */
double regex_size(const char *re, const char **why);
#define REGEX_SIZE_MAX 20000.0

/* ---- editdist.c --------------------------------------------------------- */

int edit_distance(const char *a, const char *b);
/* The closest candidate when close enough to be a likely typo, else NULL. */
const char *did_you_mean(const char *word, const char *const *cands, size_t n);
/* " (did you mean 'x'?)" or "" — for appending to messages. */
const char *suggest(const char *word, const char *const *cands, size_t n);

/* ---- yaml_util.c: YAML into a small tree with positions ----------------- */

enum ykind { Y_NULL, Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode;
struct ypair {
    struct ynode *key, *val;
};
struct ynode {
    enum ykind kind;
    struct mark mark;
    char *str;            /* scalar text (NUL-terminated copy) */
    size_t len;           /* scalar length; may hide an embedded NUL */
    bool quoted;
    struct ypair *pairs;  /* Y_MAP */
    struct ynode **items; /* Y_SEQ */
    size_t n;
};

/* Parses one YAML document. Returns NULL after printing an error it cannot
 * go past (syntax, aliases, nesting deeper than 64); duplicate and
 * non-scalar keys are printed and their pairs dropped, and the tree is
 * returned so callers report more: they count diag_errors. An empty
 * document gives a Y_NULL node. */
struct ynode *yaml_load(const char *file, const char *data, size_t len);
const char *ykind_name(const struct ynode *n);
struct ynode *ymap_get(const struct ynode *map, const char *key);
struct ypair *ymap_pair(const struct ynode *map, const char *key);
/* Reports each key of map not in allowed[] (with did-you-mean); returns
 * the number of errors. */
int ymap_check_keys(const struct ynode *map, const char *const *allowed, size_t n, const char *what);
/* Typed accessors: print "expected ..." at the node and return -1 on error. */
int ymap_expect(const struct ynode *n, const char *what);
int yget_string(const struct ynode *n, const char *what, char **out);
int yget_int(const struct ynode *n, const char *what, int64_t lo, int64_t hi, int64_t *out);
int yget_size(const struct ynode *n, const char *what, uint64_t *out);
int yget_duration(const struct ynode *n, const char *what, uint64_t *out);
int yget_bool(const struct ynode *n, const char *what, bool *out);
/* A list of strings (null = empty). marks receives one mark per item if not NULL. */
int yget_strlist(const struct ynode *n, const char *what, struct strlist *out, struct mark **marks);

/* A short printable rendering of user text for messages. */
const char *yshow(const char *s, size_t len);
/* The same with at most max bytes shown (\n, \r, \t and control bytes escaped). */
const char *yshow_n(const char *s, size_t len, size_t max);

/* ---- manifest.c ----------------------------------------------------------- */

struct check;
struct check_type;
struct screen_check;   /* screen.c: the screen and input check kinds */

struct port_fwd {
    int host, guest;
    struct mark mark;
};
struct file_entry {
    char *image_path;   /* /etc/motd */
    char *host_path;    /* as written, relative to the manifest */
    char *abs_path;
    struct mark mark;
    const char *module; /* NULL: the manifest's files:; else the module whose
                         * module.yaml files: gave it (host_path relative to
                         * that module's folder, or absolute) */
};
struct mod_req {
    char *name;
    struct ynode *config;   /* NULL or Y_NULL for defaults, else a map */
    struct mark mark;
};
/* display: (docs/manifest.md): the screen of the image. */
struct display_conf {
    bool present;           /* the manifest has a display: section */
    char *device;           /* a display driver module, a key of qemu: display: */
    int width, height, depth;
    char *keymap;           /* us, de */
    struct mark mark, device_mark;
};
struct check {
    const struct check_type *type;
    char *label;            /* for the one line per check */
    char *arg;              /* serial regex, shell command, http path */
    char *expect;           /* regex expected (shell, http) */
    char *method, *body;    /* http */
    struct strlist headers; /* http: "Name: value" lines */
    int64_t port;           /* http: guest port (0 = the first run.ports forward) */
    int64_t status;         /* exit status, http status (-1 = any) */
    uint64_t timeout_ns;
    struct mark mark;
    struct screen_check *screen;   /* screen, screenshot, pixels, key, type, click */
};
/* credentials: (docs/credentials.md): a credential the image expects at
 * run time (its value never is in the manifest or the image). */
struct cred_conf {
    char *name;             /* the --secret NAME, fw_cfg opt/anunix/secret/NAME */
    char *type;             /* ssh-host-key, ssh-authorized-keys, password, api-token */
    char *owner;            /* a module of modules (default: the first) */
    struct strlist modules; /* the modules granted it, the owner first */
    struct strlist scopes;
    bool required;
    struct mark mark;
};
#define CRED_NAME_MAX 37    /* fw_cfg names hold 55 bytes, 18 are opt/anunix/secret/ */
bool valid_cred_name(const char *s);
/* One module's entry of the manifest's `grants:` (grants.c): the lists it
 * gives replace the module's own objects: defaults. */
struct grant_conf {
    const char *module;
    struct mark mark;
    bool has_read, has_write;
    struct strlist read, write;
};
/* pipelines: (docs/pipelines.md, gen/pipelines.c): task graphs the
 * pipelines module runs; each step calls a route or an engine. */
struct step_conf {
    char *name;             /* NULL after an error */
    char *method, *path;    /* call: "METHOD PATH" */
    char *engine;           /* NULL: dispatched as a route */
    char *input;            /* the body's template */
    char *content_type;
    uint32_t after;         /* bit j: runs after step j (after: and references) */
    uint64_t timeout_ns;
    unsigned retries;
    struct mark mark, call_mark, engine_mark;
};
struct pipeline_conf {
    char *name;
    char *result;           /* the object its output is stored as */
    char *output;           /* the output's template */
    struct step_conf *steps;
    size_t nsteps;
    struct mark mark;
};
struct manifest {
    char *path;     /* as given */
    char *abs_path;
    char *dir;      /* absolute folder of the manifest */
    char sha[65];
    struct ynode *root;
    char *name;
    struct mark name_mark;
    char *platform;             /* NULL when absent */
    struct mark platform_mark;
    uint64_t memory;
    int cpus;
    bool debug;                 /* debug: checks that cost time (lock order) */
    char *cmdline;
    struct mod_req *mods;
    size_t nmods;
    struct file_entry *files;   /* sorted by image path */
    size_t nfiles;
    struct port_fwd *ports;
    size_t nports;
    uint64_t disk_size;         /* run: disk: size; 0 = the manifest declares no disk */
    struct display_conf display;
    struct check *checks;
    size_t nchecks;
    struct cred_conf *creds;    /* credentials:, in manifest order */
    size_t ncreds;
    struct grant_conf *grants;  /* grants:, in manifest order */
    size_t ngrants;
    struct pipeline_conf *pipelines;   /* pipelines:, in manifest order */
    size_t npipelines;
};
/* Both return the number of errors (0 = usable manifest). manifest_load
 * also checks module names (did-you-mean; a module's config key indented
 * one level off is named as such) and the config of each module named,
 * against the catalog at anx_root(); manifest_parse only what the text
 * tells. A folder in files: becomes one entry per file. */
int manifest_load(const char *path, struct manifest *m);
int manifest_parse(const char *path, const char *data, size_t len, struct manifest *m);
int parse_port(const char *s, int *host, int *guest);
bool valid_name(const char *s);
bool valid_platform_name(const char *s);
/* Why p cannot be an image path ("must start with '/'" ...), or NULL. */
const char *image_path_problem(const char *p);
struct catalog;
struct platform;
struct resolution;
/* resolve() calls these. The display device against the platform's qemu:
 * display: map, then added to m->mods (as if listed with {}) when the
 * manifest does not list it; returns the number of errors. */
int manifest_display_device(struct catalog *c, struct manifest *m, const struct platform *p);
/* The files: of each module of the image (module.yaml) merged into
 * m->files, a manifest entry of the same image path winning; again on
 * each call (the previous merge is undone first). Returns the errors. */
int manifest_module_files(struct manifest *m, const struct resolution *r);

/* ---- checks.c: the table of test check kinds ---------------------------- */

struct test_session;
struct check_type {
    const char *key;              /* the key that selects this kind */
    const char *const *keys;      /* every key a check of this kind may hold */
    size_t nkeys;
    int (*parse)(const struct ynode *map, struct check *c);
    /* 0 pass, else fail with a reason in why */
    int (*run)(struct test_session *t, const struct check *c, char *why, size_t whylen);
    bool qmp;                     /* needs QEMU's QMP socket (screen and input checks) */
};
extern const struct check_type check_types[];
extern const size_t check_type_count;
int check_parse(const struct ynode *n, struct check *c);

/* ---- catalog.c: module.yaml and platform.yaml ---------------------------- */

enum ctype { CT_BOOL, CT_INT, CT_SIZE, CT_DURATION, CT_STRING, CT_ENUM, CT_LIST };
extern const char *const ctype_names[];

struct cvalue {
    int64_t i;      /* bool, int */
    uint64_t u;     /* size (bytes), duration (ns) */
    char *s;        /* string, enum */
    struct strlist list;    /* list: the items */
    struct mark *marks;     /* list: where each item is written */
    bool split;             /* list: given as one string split at the key's
                             * `split:` separators (the deprecated form) */
};
struct config_key {
    char *name;
    enum ctype type;
    bool has_default;
    struct cvalue def;
    char *def_text;          /* the default as written, for listings */
    bool has_range;
    int64_t lo, hi;          /* int */
    uint64_t ulo, uhi;       /* size, duration */
    struct strlist values;   /* enum */
    char *split;             /* list: separators of the deprecated string form, or NULL */
    char *doc;
    struct mark mark;
};
struct arch_sources {
    char *arch;
    struct strlist list;
};
/* A module's third_party: entry: sources and include folders inside the
 * unpacked tree $ANX_THIRD_PARTY/NAME (scripts/third_party.sh fetches it). */
struct third_party {
    char *name;             /* the entry's name in module.yaml */
    char *tree;             /* the cache folder it compiles from (`tree:`, default: name) */
    char *license;          /* SPDX expression of the tree's code (`license:`) */
    /* sources and exclude may hold glob patterns (third_party_sources) */
    struct strlist sources, exclude, include, private_include, cflags;
    struct mark mark;
};
/* One config-dependent part of a module's memory need (module.yaml
 * `memory: add:`): the value of a size key, or an int key's value times
 * `each` bytes, counted only when every `when` key has the value given. */
struct memory_term {
    size_t key;                     /* index into the module's keys */
    uint64_t each;                  /* int keys: bytes per unit */
    struct strlist when_keys;       /* config key names */
    struct strlist when_values;     /* their values, as config_value_text prints them */
    struct mark mark;
};
struct module {
    char *name;
    char *dir;          /* absolute */
    char *yaml_path;    /* absolute */
    char *summary;
    char *license;      /* SPDX expression of the module's own code (`license:`, default MIT) */
    struct strlist depends, conflicts, platforms, sources;
    struct mark *depends_marks, *conflicts_marks;
    struct arch_sources *arch_sources;
    size_t narch;
    struct config_key *keys;
    size_t nkeys;
    struct third_party *tp;
    size_t ntp;
    /* module.yaml `memory:`: what the module allocates at run time (heap,
     * thread stacks, buffers) beyond its code and data in the image */
    uint64_t mem_base;
    struct memory_term *mem_terms;
    size_t nmem_terms;
    /* module.yaml `tests:` (module_tests.c) */
    struct module_test *tests;
    size_t ntests;
    /* module.yaml `prefix:`: what every global symbol of the module's own
     * sources starts with (default: the name with '-' as '_', then '_') */
    struct strlist prefixes;
    /* module.yaml `files:`: image path -> host file put into the files
     * archive of every image holding the module (abs_path resolved;
     * existence is checked when an image uses it) */
    struct file_entry *files;
    size_t nfiles;
    /* module.yaml `routes:`: the HTTP routes it serves, in the router's
     * syntax (checked by the router's own parser), and where each is */
    struct strlist routes;
    struct mark *route_marks;
    /* module.yaml `objects:`: the object names it may read and write unless
     * the manifest's grants: says otherwise (grants.c; {KEY} placeholders
     * not yet replaced) */
    struct strlist obj_read, obj_write;
    /* module.yaml `optimize: speed`: its code (own and third-party) is
     * compiled -O2 instead of the image's default -Os (hot code) */
    bool speed;
    struct mark mark;
};
/* Where third-party trees live: ANX_THIRD_PARTY, else
 * ${XDG_CACHE_HOME:-$HOME/.cache}/anunix. */
const char *third_party_root(void);
int third_party_sources(const struct third_party *tp, const char *tree, struct strlist *out);
enum exit_mode { EXIT_DEBUG_EXIT, EXIT_DIRECT };
struct boot_mode {
    char *name;
    struct strlist args;
};
/* arch/ARCH/arch.yaml: what every platform of one CPU architecture shares,
 * written once. Paths in the file are relative to arch/ARCH; here they are
 * relative to the repository root, as a platform's are. */
struct arch_desc {
    char *name;
    char *yaml_path;                    /* absolute */
    char *cross_compile;                /* NULL when not given */
    char *linker_script;                /* NULL when not given */
    struct strlist cflags, ldflags, sources;
};
struct platform {
    char *name;
    char *dir;
    char *yaml_path;
    char *summary;
    char *arch;
    struct mark arch_mark;
    /* After catalog_platform: the arch's cflags and ldflags come first;
     * cross_compile and linker_script are the platform's own when it gives
     * them, else the arch's. sources are the board's only: the arch's are
     * in archd->sources and compile first. */
    const struct arch_desc *archd;
    char *cross_compile;
    struct strlist cflags, ldflags, sources, images;
    struct mark *source_marks;
    char *linker_script;
    const char *linker_script_from;     /* the file that names it */
    enum exit_mode exit_mode;
    char *qemu_binary;
    struct strlist qemu_machine, qemu_common;
    /* qemu: nic: one argument list per NIC driver module; used only when
     * the image contains that module (the first one, in file order) */
    struct nic_args {
        char *module;
        struct strlist args;
    } *nics;
    size_t nnics;
    /* qemu: disk: the same per disk driver module; {disk} is the file */
    struct nic_args *disks;
    size_t ndisks;
    /* qemu: display: and input: the same per display and input driver
     * module; every one the image holds adds its arguments */
    struct nic_args *displays, *inputs;
    size_t ndisplays, ninputs;
    /* qemu: devices: the same for any other driver module (virtio-rng) */
    struct nic_args *devices;
    size_t ndevices;
    struct boot_mode *boot;
    size_t nboot;
};
struct catalog {
    char *root;
    struct strlist module_names, platform_names;
    struct module **mods;       /* parallel to module_names, loaded lazily */
    bool *mod_tried;
    struct platform **plats;
    bool *plat_tried;
    struct strlist arch_names;  /* the folders arch/NAME holding an arch.yaml */
    struct arch_desc **arches;
    bool *arch_tried;
};
void catalog_open(struct catalog *c, const char *root);
int catalog_module_index(const struct catalog *c, const char *name);
int catalog_platform_index(const struct catalog *c, const char *name);
struct module *catalog_module(struct catalog *c, const char *name);     /* NULL: unknown or broken */
struct platform *catalog_platform(struct catalog *c, const char *name);
struct module *module_parse(const char *name, const char *yaml_path, const char *data, size_t len);
struct platform *platform_parse(const char *name, const char *yaml_path, const char *data, size_t len);
struct arch_desc *arch_parse(const char *name, const char *yaml_path, const char *root, const char *data,
                             size_t len);
/* Parses one config value against its key; prints errors at n. */
int config_value_parse(const struct config_key *k, const struct ynode *n, const char *modname, struct cvalue *out);
void config_value_format(const struct config_key *k, const struct cvalue *v, char *out, size_t n);
/* The value as plain text, for comparisons: true/false, 42, the string. */
const char *config_value_text(const struct config_key *k, const struct cvalue *v);

/* ---- resolve.c ----------------------------------------------------------- */

struct resolved_mod {
    struct module *mod;
    bool requested;
    struct cvalue *values;   /* one per mod->keys */
};
struct mem_need;
struct resolution {
    struct platform *plat;
    struct resolved_mod *mods;   /* in init order */
    size_t n;
    struct mem_need *need;       /* what it needs in RAM (validate.c), or NULL */
};
/* Order names so every module follows its depends; ties by name. Returns 0,
 * or -1 with the cycle written to cycle (a -> b -> a). deps[i] lists the
 * indices i depends on. Exported for the unit tests. */
int toposort(size_t n, const char *const *names, const size_t *const *deps, const size_t *ndeps,
             size_t *order, char *cycle, size_t cyclen);
/* Appends to mods[0..n) every module they depend on, directly or not (mods
 * has room for every module of the catalog); from[k] is the index of the
 * module that pulled mods[k] in. Unknown dependencies are errors at the
 * module.yaml. Returns the new count. */
size_t modules_closure(struct catalog *c, struct module **mods, size_t n, size_t *from);
/* toposort() of mods by their depends (those among mods): the init order. */
int modules_order(struct module *const *mods, size_t n, size_t *order, char *cycle, size_t cyclen);
int resolve(struct catalog *c, struct manifest *m, const char *platform, struct resolution *r);
/* The value of a module's config key in the image, or NULL when the image
 * lacks the module (or the module the key). */
const struct cvalue *resolved_value(const struct resolution *r, const char *mod, const char *key);
const char *resolved_string(const struct resolution *r, const char *mod, const char *key);
/* The resolved module of that name, or NULL when the image lacks it. */
const struct resolved_mod *resolved_find(const struct resolution *r, const char *mod);

/* ---- validate.c, model_check.c, memory_check.c: the image as a whole ---- */

/* Checks across modules once they are resolved (resolve() calls it, so
 * check, build, run and test all do): drivers the config needs, test
 * checks that cannot work, infer's model and tokenizer files, and memory
 * against the image's files (its code is known only after the link).
 * Fills r->need; returns the number of errors (warnings do not count). */
int validate(const struct manifest *m, struct resolution *r);
/* After the link: memory against the exact size of the image (elf).
 * Returns the number of errors. */
int validate_linked(const struct manifest *m, const struct resolution *r, const char *elf);

/* What a model file holds and what loading it allocates in the guest. */
struct model_facts {
    char format[16];            /* llama2c, gguf */
    int dim, hidden_dim, n_layers, vocab_size, seq_len, kv_dim;
    uint64_t file_bytes, tok_bytes;
    uint64_t heap;              /* left allocated by loading: tokenizer, tables, f32 copies */
    uint64_t transient;         /* held only while loading */
};
/* Checks a model file (and its tokenizer, when tok is not NULL) with
 * infer's own loaders, plus the exact size of a checkpoint, a tokenizer
 * given as the model (or the reverse) and non-finite weights. tok_elsewhere:
 * a tokenizer is given but cannot be seen (an object on a disk). Errors
 * are printed at mm / tm. Returns 0 with mf filled, or -1. */
int model_check(const char *model, const struct mark *mm, const char *tok, const struct mark *tm,
                bool tok_elsewhere, struct model_facts *mf);
/* One generation session of ctx positions (0 = the model's context): its
 * KV cache and its other buffers, as the guest's heap serves them. */
void model_session(const struct model_facts *mf, int ctx, uint64_t *kv, uint64_t *scratch);

struct mem_item {
    const char *what;           /* "platform", "objstore", "KV cache" ... */
    uint64_t bytes;
};
struct mem_need {
    uint64_t files;             /* the files archive: the image's known part before the link */
    uint64_t load;              /* RAM below the image's load address */
    uint64_t boot_reserve;      /* what the guest asks past the image to boot (<anx/bootram.h>) */
    struct mem_item *items;     /* everything but the image */
    size_t n;
};
/* What one allocation of n bytes takes from the guest's pages (core/heap.c). */
uint64_t heap_cost(uint64_t n);
/* The platform, the core and each module's module.yaml `memory:` with
 * this config; validate.c adds the model's parts. root: the tree. */
void memory_need_init(struct mem_need *need, const char *root, const struct manifest *m,
                      const struct resolution *r);
void memory_need_add(struct mem_need *need, const char *what, uint64_t bytes);
/* A module's need with its resolved config (module.yaml `memory:`). */
uint64_t module_memory(const struct resolved_mod *rm);
/* Compares manifest memory with image + need. image is the linked image's
 * size (exact) or 0 before the link (the files archive stands in). Prints
 * the error at the memory key; returns the number of errors. */
int memory_check(const struct manifest *m, const struct mem_need *need, uint64_t image, bool exact);

/* ---- config_h.c / modules_c.c / files_archive.c: generated sources ---- */

char *c_string_literal(const char *s);
char *config_h_text(const struct manifest *m, const struct resolution *r);
/* config_host.c: `anx config-h`, the config.h of a host build of the
 * modules named (and their dependencies) at their defaults; NULL after
 * printing errors. */
char *config_h_host_text(struct catalog *c, char *const *names, size_t n);
int cmd_config_h(int argc, char **argv);
/* config_items.c: checks each item of a list value with the parser of the
 * module that reads it at boot (the router's routes: and upstreams:);
 * errors at the items' marks. Returns the number of errors. */
int config_items_check(const char *module, const struct config_key *k, const struct cvalue *v);
/* One item of a module.yaml `routes:` list, by the router's parser: 0, or
 * -1 with what is wrong in err. */
int module_route_check(const char *item, char *err, size_t n);
/* Warns of routes that change something (POST, PUT, PATCH, DELETE, ANY)
 * which anyone reaching httpd may use: every one when the image has no
 * apikey module, else those an `open` rule lets through (issue 16). */
void writable_routes_warn(const struct manifest *m, const struct resolution *r);
/* The generated modules.c: the module table, with each module's routes
 * and object grants. */
char *modules_c_text(const struct manifest *m, const struct resolution *r);

/* pipelines.c: the manifest's pipelines: (parsed with the rest; the
 * pipelines module joins the image when there is one), checked against
 * the image's routes and engines once resolved (validate calls it;
 * returns the number of errors), and written into config.h. */
void manifest_pipelines_parse(struct manifest *m, const struct ynode *n);
int pipelines_validate(const struct manifest *m, const struct resolution *r);
void pipelines_config_h(struct buf *b, const struct manifest *m);

/* grants.c: object grants (module.yaml objects:, the manifest's grants:). */
void module_objects_parse(struct module *m, const struct ynode *v);
void manifest_grants_parse(struct manifest *m, const struct ynode *n, struct catalog *cat);
/* Errors for grants of modules the image does not hold and for defaults
 * whose {KEY} expands to no object name; returns their number. */
int grants_validate(const struct manifest *m, const struct resolution *r);
/* What module rm may read (or write) in this image, expanded. */
void grants_of(const struct manifest *m, const struct resolved_mod *rm, bool write, struct strlist *out);
/* Builds the archive; returns 0 or -1 (message printed). */
int files_archive_build(const struct manifest *m, struct buf *out);
/* The files below folder dir (absolute), as paths relative to it, for a
 * folder entry of files:. Links to files count as files; links to folders,
 * dangling links and special files are errors at mk, named shown/PATH.
 * Appends to out in walk order (not sorted by full path); returns the
 * number of errors. */
int files_list_folder(const char *dir, const char *shown, const struct mark *mk, struct strlist *out);
/* Files and folders one folder entry may hold (65536); the fuzz harness
 * lowers it, as its manifests may name any folder of the host. */
extern int files_folder_limit;
/* Reads an archive back (tests, report); returns entry count or -1. */
int files_archive_check(const uint8_t *data, size_t len);

/* ---- compile.c: parallel compilation with an object cache ------------ */

struct cunit {
    char *src;          /* path as passed to the compiler (root-relative when possible) */
    char *src_abs;
    char *owner;        /* "core", "platform", "generated" or a module name */
    struct strlist flags;   /* extra flags (-Imodules/NAME) */
    char *config;       /* the image's config.h, root-relative (NULL: third-party code) */
    char key[65];
    char *obj;          /* the cached object */
    uint64_t size;      /* .text+.data+.rodata+.bss kept after the link */
    uint64_t text, rodata, data, bss;   /* the same by kind (.init_array is data) */
};
struct toolchain {
    char *cc, *ld, *objcopy, *nm;
    char *include;      /* the compiler's own include folder (stddef.h ...) */
    char id[65];        /* hash of the compiler identity */
};
struct input_file {
    char *path;         /* display path, root-relative */
    char sha[65];
    uint64_t size;
};
struct inputs {
    struct input_file *v;
    size_t n, cap;
};
void inputs_add(struct inputs *in, const char *root, const char *path, const char *sha, uint64_t size);
int toolchain_init(struct toolchain *t, const char *cross);
/* Computes keys, compiles what the cache misses with jobs processes.
 * Returns 0, or 1 when a compilation failed. */
int compile_all(const char *root, const char *cache, const struct toolchain *t,
                const struct strlist *flags, struct cunit *u, size_t n, int jobs,
                struct inputs *in, int *hits);
int run_argv(char *const *argv, const char *cwd, struct buf *output);   /* exit status or -1 */

/* ---- link.c ------------------------------------------------------------- */

int link_image(const char *root, const struct toolchain *t, const struct platform *p,
               struct cunit *u, size_t n, const char *elf, const char *map);
int map_sizes(const char *map, struct cunit *u, size_t n);
int strip_image(const struct toolchain *t, const char *in, const char *out);

/* ---- image_iso.c ------------------------------------------------------- */

int iso_build(const char *root, const struct platform *p, const char *elf, const char *iso,
              const char *workdir);

/* ---- image_disk.c: raw (GPT, BIOS + UEFI GRUB) and qcow2 disk images ---- */

/* Writes raw, a GPT disk booting elf under BIOS and UEFI; key (64 hex)
 * seeds its GUIDs. Returns 0, or 1 after an error message. */
int disk_build(const struct platform *p, const char *elf, const char *raw, const char *workdir, const char *key);
/* image_env.c: the build's epoch (SOURCE_DATE_EPOCH, else 2024-01-01) and
 * the environment image tools run in (that epoch, TZ=UTC); leave puts the
 * caller's back. */
struct tool_env {
    char *epoch, *tz;
};
time_t build_epoch(void);
time_t tool_env_enter(struct tool_env *saved);
void tool_env_leave(struct tool_env *saved);
/* qemu-img convert of raw into qcow2. Returns 0, or 1 after an error. */
int qcow2_build(const char *raw, const char *qcow2);

/* ---- build.c, report.c -------------------------------------------------- */

struct build_opts {
    const char *platform;
    const char *outdir;
    bool json, quiet;
    int jobs;
    /* The images to write (elf, iso, raw, qcow2); none: the platform's
     * images except raw and qcow2, which are made only when asked here or
     * by the boot mode. */
    struct strlist formats;
    bool boots;         /* anx run/test: the images boot mode `boot` names ({iso}, {raw}, {qcow2}) are made too */
    const char *boot;   /* NULL: the platform's first mode */
};
struct step_time {
    const char *name;
    double ms;
};
struct output_file {
    char *kind;     /* elf-debug, elf, iso, raw, qcow2 */
    char *path;
    uint64_t bytes;
    char sha[65];
};
struct build_result {
    char *outdir;
    char *elf_debug;    /* anunix.elf */
    char *image_elf;    /* image.elf or NULL */
    char *iso;          /* anunix.iso or NULL */
    char *raw;          /* anunix.raw or NULL */
    char *qcow2;        /* anunix.qcow2 or NULL */
    char *main_image;
    struct output_file outputs[8];
    size_t noutputs;
    struct step_time steps[16];
    size_t nsteps;
    struct cunit *units;
    size_t nunits;
    struct inputs inputs;
    int cache_hits;
    bool relinked;
    double total_ms;
};
const char *anx_root(void);
void set_anx_root(const char *root);
const char *anx_cache_dir(void);
/* True when the root is an installed tree (make install), not a repository. */
bool anx_installed(void);
/* ${XDG_CACHE_HOME:-$HOME/.cache}/anunix: objects and host tools of an installed anx. */
const char *anx_user_cache(void);
char *default_outdir(const struct manifest *m, const struct resolution *r);
/* Parse + resolve (for check/run/test). Returns an exit code. */
int load_and_resolve(const char *path, const char *platform, struct catalog *c, struct manifest *m,
                     struct resolution *r);
int build(struct catalog *c, struct manifest *m, struct resolution *r, const struct build_opts *o,
          struct build_result *res);
char *report_json(const struct manifest *m, const struct resolution *r, const struct build_result *res);

/* ---- qemu.c: the QEMU command line and exit statuses -------------------- */

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
/* "auto", "kvm" or "tcg" into *a (run.c): 0, or -1 for any other value. */
int parse_accel(const char *s, enum accel *a);
struct qemu_opts {
    const char *boot;       /* NULL = the platform's first mode */
    enum accel accel;
    const char *display;    /* anx run: NULL = no window (-nographic), else
                             * QEMU's -display value (gtk, vnc=127.0.0.1:N) */
    bool for_test;          /* serial on pipes, no terminal */
    struct port_fwd *ports; /* --port options */
    size_t nports;
    const char *disk;       /* the disk file (attached only with a disk driver module) */
    uint64_t disk_size;     /* --disk-size: for a disk created now (0 = default) */
    const char *tap;        /* anx run --tap NAME: the NIC on this host tap device (no forwards) */
    const char *disk_fault; /* --disk-fault RULES: the disk through QEMU's blkdebug driver,
                             * which injects the I/O errors RULES describes */
    struct secret_arg *secrets;   /* --secret NAME=FILE, passed as fw_cfg files */
    size_t nsecrets;
};
struct secret_arg {
    char *name;             /* a credential of the manifest */
    char *path;             /* absolute; read by QEMU, never by anx */
};
#define SECRET_FILE_MAX (64 * 1024)   /* modules/cred's CRED_VALUE_MAX */
int qemu_argv(const struct manifest *m, const struct resolution *r, const struct build_result *b,
              const struct qemu_opts *o, struct strlist *argv);
bool kvm_usable(void);
/* The platform's disk arguments for the first disk driver module the image
 * has; NULL when it has none (then no disk is attached). */
const struct nic_args *disk_driver(const struct platform *p, const struct resolution *r);
/* The same for the NIC; NULL: no network device, the forwards are ignored. */
const struct nic_args *nic_driver(const struct platform *p, const struct resolution *r);
/* The forwards of a boot: the manifest's run: ports, --port replacing the
 * forward of the same guest port. Returns the count. */
size_t qemu_ports(const struct manifest *m, const struct qemu_opts *o, struct port_fwd **out);
/* Why a forward cannot be set up now (its host port is in use, or given
 * twice), or NULL when all can. */
char *ports_problem(const struct port_fwd *ports, size_t n);
/* The message for QEMU's "Could not set up host forwarding rule" in its
 * stderr, or NULL when it is not there. */
char *hostfwd_failure(const char *qemu_stderr);
/* The host port of that failure: -1 when there is none, 0 when QEMU's
 * message names no port anx can read. */
int hostfwd_failed_port(const char *qemu_stderr);
/* Gives each forward with pick[i] set a host port that is free on
 * 127.0.0.1 now (the kernel's choice), no two alike and none a port that a
 * forward without pick[i] names. Returns 0, or -1 with errno set. */
int pick_free_ports(struct port_fwd *ports, size_t n, const bool *pick);
/* Opens and locks the disk for a QEMU boot (tools/store/disk_lock.c):
 * created sparse with `size` bytes when missing, recreated empty when
 * fresh, refused when another anx, QEMU or anx store uses it or when it is
 * not a raw image. Returns the descriptor holding the lock (keep it open
 * while QEMU runs), or -1 (-2: not raw) after an error message. */
int disk_open(const char *path, uint64_t size, bool fresh);
#define DISK_SIZE_DEFAULT (64ULL << 20)
int parse_disk_size(const char *s, uint64_t *out);
int qemu_option(int c, const char *arg, struct qemu_opts *q);   /* run.c: --port, --disk, --disk-size, --boot, --accel, --secret */
/* The command line as one shell-quoted string, for copying. */
/* Forks QEMU with argv qa (NULL-terminated here) and its stdin, stdout and
 * stderr on in, out and err (-1: inherited); it gets death_signal when anx
 * dies, and with own_group its own process group (no terminal signals).
 * Returns its pid, or -1 when fork failed. */
pid_t qemu_spawn(struct strlist *qa, int in, int out, int err, int death_signal, bool own_group);
char *argv_text(const struct strlist *argv);
/* QEMU's own error line ("qemu-system-x86_64: -drive ...: Failed to get
 * \"write\" lock") when it exited 1 after printing one, else NULL: with
 * isa-debug-exit, exit code 1 otherwise reads as "the guest returned 0". */
char *qemu_error(const char *binary, int wstatus, const char *err);
/* "SIGTERM" ... (async-signal-safe). */
const char *signal_name(int sig);
/* Maps a QEMU wait status to the guest status; -1 when there is none. */
int guest_status(const struct platform *p, int wstatus, char *why, size_t whylen);
int check_boot_mode(const struct platform *p, const char *boot);

/* ---- commands: cli.c, list.c, run.c, test_runner.c --------------------- */

int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_modules(int argc, char **argv);
int cmd_platforms(int argc, char **argv);

/* ---- host_tool.c: anx model / anx store run tools/ programs ------------ */

int cmd_model(int argc, char **argv);
int cmd_store(int argc, char **argv);
int anx_main(int argc, char **argv);

/* ---- module_tests.c: the tests: key of module.yaml (docs/modules.md) ---- */

/* One test of a module: a host program built from sources (host code) and
 * link (module code in the host build mode, host/host.mk), a libFuzzer
 * target (fuzz), or a command (run). Paths are as written: relative to the
 * module folder, link items also MODULE/FILE. */
struct module_test {
    char *name;
    struct mark mark;
    struct strlist sources, link, cflags, args, env, needs, run, emulate, corpus;
    struct mark *source_marks, *link_marks, *corpus_marks, *emulate_marks;
    const char *platform;       /* "host", "unit" or "none" */
    bool sanitize;
    char *data;                 /* below ../shared/testdata, or NULL */
    bool run_without_data;
    struct mark data_mark;
    bool fuzz;
    int64_t runs, seconds, max_len;
    char *dict;
    struct mark dict_mark;
};
/* Parses a module.yaml `tests:` value into m->tests (catalog.c calls it);
 * errors at their file:line:col. */
void module_tests_parse(struct module *m, const struct ynode *v);
int cmd_module_tests(int argc, char **argv);
/* build.c, also for module_tests.c: the flags of every image compile and
 * the include folders a module's code sees (its own, its dependencies',
 * their third-party trees'). */
void common_flags(const char *root, const struct toolchain *t, const struct platform *p, struct strlist *f);
void export_includes(const char *root, const struct resolution *r, const struct module *m, struct strlist *seen,
                     struct strlist *flags);

/* The test runner's session, used by the check kinds. */
struct test_session {
    int pid;
    int in_fd, out_fd;
    struct buf console;     /* everything read, NULs replaced for regex */
    size_t pos;             /* where the next search starts */
    size_t shown;           /* console shown after failures up to here */
    size_t err_shown;       /* the same for QEMU's stderr */
    bool exited;
    bool gone_before;       /* QEMU had exited when the current check began */
    int wstatus;
    const char *binary;     /* QEMU, as run */
    const struct platform *plat;
    const char *prompt;
    FILE *log;
    const struct port_fwd *ports;   /* the forwards QEMU was started with (http checks) */
    size_t nports;
    /* screen and input checks (screen.c) */
    struct qmp *qmp;                /* connected on first use; NULL before */
    const char *qmp_path;           /* QEMU's QMP socket; NULL: no check needs it */
    const char *outdir;             /* the build folder: screen-N.png, NAME.png */
    const char *manifest_dir;       /* screen: FILE is relative to it */
    size_t check_no;                /* 1-based number of the running check */
    int screen_w, screen_h;         /* of the last screendump (0: none yet) */
};
/* Reads the console until `until` (ms, now_ms() clock) so QEMU never
 * blocks on a full pipe while a check waits for something else; returns
 * early when QEMU is gone. */
void session_wait(struct test_session *t, double until);
/* True when QEMU has exited; then why says so, naming what was awaited. */
bool session_gone(struct test_session *t, const char *what, char *why, size_t whylen);
int run_serial(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_shell(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_exit(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_http(struct test_session *t, const struct check *c, char *why, size_t whylen);

/* ---- png.c, screen.c, qmp.c: screen and input checks of anx test -------- */

/* An 8-bit RGB image, 3 bytes a pixel, rows top to bottom; px is malloc'd
 * (not a tracked allocation): image_free it. */
struct image {
    int w, h;
    unsigned char *px;
};
int image_alloc(struct image *img, int w, int h);
void image_free(struct image *img);
/* Each returns 0, or -1 with a reason naming the file in why. */
int image_read_png(const char *path, struct image *img, char *why, size_t whylen);
int image_write_png(const char *path, const struct image *img, char *why, size_t whylen);
int image_read_ppm(const char *path, struct image *img, char *why, size_t whylen);
int image_from_ppm(const void *data, size_t len, struct image *img, char *why, size_t whylen);

struct region {
    int x, y, w, h;
    bool set;               /* false: the whole screen */
};
/* One key press: up to 4 qcodes held together (modifiers first). */
struct keypress {
    const char *q[4];
    int n;
};
struct screen_check {
    char *file;             /* screen: reference PNG, as written (relative to the manifest) */
    char *name;             /* screenshot: NAME */
    double tolerance;       /* screen: fraction of the pixels allowed to differ */
    struct region region;   /* screen, pixels */
    unsigned char color[3]; /* pixels: */
    int64_t min, max;       /* pixels: count bounds (max -1: none) */
    struct keypress *keys;  /* key: one, type: one per character */
    size_t nkeys;
    int64_t x, y;           /* click: */
    const char *button;     /* click: left, right or middle */
};
/* A pixel differs when one of its channels differs by more than this
 * (anti-aliasing noise of a renderer or a scaler). */
#define SCREEN_CHANNEL_SLACK 8
/* The region within a w x h screen (the whole screen when not set); -1
 * with a reason when it does not fit. */
int region_resolve(const struct region *r, int w, int h, struct region *out, char *why, size_t whylen);
/* The pixels of rect of a that differ from b (b is rect's size, or a's:
 * then the same rect of b is compared). With diff (rect's size, allocated
 * here) the rect of a dimmed, differing pixels red. */
size_t image_diff(const struct image *a, const struct region *rect, const struct image *b, struct image *diff);
/* The pixels of rect exactly of color rgb. */
size_t image_count_color(const struct image *a, const struct region *rect, const unsigned char rgb[3]);
/* rect of a as a new image. */
void image_crop(const struct image *a, const struct region *rect, struct image *out);
/* The pixels a tolerance allows to differ among n. */
size_t tolerance_allows(double tolerance, size_t n);
/* "0.5%" -> 0.005. -1 when s is not a percentage from 0% to 100%. */
int parse_percent(const char *s, double *out);
/* "ctrl-alt-f2" -> qcodes ctrl, alt, f2. -1 with a reason when a name is
 * unknown (with a did-you-mean), repeated, or there are more than 4. */
int key_chord_parse(const char *s, struct keypress *k, char *why, size_t whylen);
/* The US-layout key press that types ch (shift for capitals and symbols,
 * ret for \n, tab for \t); -1 when no key types it. */
int key_for_char(unsigned char ch, struct keypress *k);
/* An abs axis value (0..0x7fff, QEMU's range) for pixel p of size pixels. */
int abs_axis_value(int64_t p, int size);

struct qmp;
/* Connects to QEMU's QMP socket (retrying until deadline while QEMU starts),
 * reads its greeting and enters command mode. idle(arg) runs at least every
 * 50 ms while a QMP call waits. NULL with a reason on failure. */
struct qmp *qmp_open(const char *path, double deadline, void (*idle)(void *), void *arg, char *why, size_t whylen);
/* Runs one command (args: a JSON object text or NULL) and returns its
 * "return" value as JSON text (malloc'd by jansson: free it), or NULL with
 * why: QEMU's error "desc", a timeout, or the connection closing.
 * Asynchronous events and answers to earlier commands are skipped. */
char *qmp_execute(struct qmp *q, const char *cmd, const char *args, double deadline, char *why, size_t whylen);
void qmp_close(struct qmp *q);
int run_screen(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_screenshot(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_pixels(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_key_chord(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_type(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_click(struct test_session *t, const struct check *c, char *why, size_t whylen);


/* ---- matrix.c, matrix_run.c, matrix_report.c: anx matrix ------------------ */

/* One thing anx matrix runs: the build of a (manifest, platform) pair, one
 * boot test of it in one boot mode, or a script (`bash SCRIPT PLATFORM
 * [MODE]`). Tasks holding a lock in common never run at the same time. */
enum mtask_kind { MT_BUILD, MT_TEST, MT_SCRIPT };
enum mtask_state { MS_WAIT, MS_RUNNING, MS_OK, MS_FAIL, MS_SKIP };
struct mtask {
    enum mtask_kind kind;
    char *label;            /* "manifests/hello.yaml x86_64-pc --boot bios" */
    char *path;             /* the manifest or script, absolute */
    char *platform;
    char *boot;             /* NULL: the platform's default mode */
    long build;             /* MT_TEST: the index of its MT_BUILD task */
    struct strlist locks;   /* build folders (and the script) it uses */
    char *log;              /* its output, absolute */
    char *reason;           /* skip or failure reason, or NULL */
    enum mtask_state state;
    pid_t pid;
    double start, ms;       /* now_ms() when started; how long it ran */
    double timeout_ms;      /* stopped and failed after this long (0: never) */
    double term_sent;       /* now_ms() when the timeout's SIGTERM went (0: not yet) */
    char *tail;             /* the log's last lines (failures), valid UTF-8 */
};
struct matrix {
    struct mtask *t;
    size_t n, cap;
    int jobs;
    const char *logdir;
    bool tty;               /* a live progress table on stdout */
    double t0, wall_ms;     /* now_ms() at the start; the whole run */
};
/* Runs every task within m->jobs, printing results as they end (matrix_run.c). */
void matrix_execute(struct matrix *m);
/* matrix_report.c: one result (plain lines), the progress table, the
 * summary with its closing "N passed, N failed, N skipped" line, and the
 * JUnit XML and JSON reports (0, or -1 after an error). */
void matrix_print_result(const struct matrix *m, const struct mtask *t);
void matrix_progress(const struct matrix *m, bool erase_only);
void matrix_summary(const struct matrix *m);
int matrix_junit(const struct matrix *m, const char *path);
int matrix_json(const struct matrix *m, const char *path);
int cmd_matrix(int argc, char **argv);

/* ---- sbom.c, schema.c: what is inside an image; the manifest's schema ---- */

/* sbom.cdx.json (CycloneDX 1.5) of a built image: modules with their
 * sources' hashes, third-party trees with their pinned Debian sources,
 * the files archive, the compiler. sbom_write puts it beside report.json;
 * 0, or -1 after an error message. */
char *sbom_json(const struct manifest *m, const struct resolution *r, const struct build_result *res);
int sbom_write(const struct manifest *m, const struct resolution *r, const struct build_result *res);
/* anx schema: the manifest's JSON Schema (draft 2020-12) from the module
 * and platform descriptors of the root. */
char *manifest_schema_json(struct catalog *c);
/* manifest.c's own lists, so the schema follows what the parser accepts. */
struct name_list {
    const char *const *v;
    size_t n;
};
extern const struct name_list manifest_top_keys, manifest_keymaps, manifest_cred_types;
/* pipelines.c: the keys of a pipeline and of a step */
extern const struct name_list manifest_pipeline_keys, manifest_step_keys;
int cmd_schema(int argc, char **argv);

/* token.c: anx token mint|attenuate|inspect (capability tokens, modules/apikey/captoken.h). */
int cmd_token(int argc, char **argv);

/* export.c: anx export libvirt (a libvirt domain XML from anx run's QEMU command line). */
int cmd_export(int argc, char **argv);

/* ---- minisign.c, sign.c: anx sign / anx verify (minisign's formats) ----- */

struct mini_pubkey {
    uint8_t id[8];          /* the key ID, as stored (minisign shows it reversed, in hex) */
    uint8_t pk[32];         /* Ed25519 */
};
struct mini_seckey {
    uint8_t id[8];
    uint8_t sk[64];         /* libsodium's Ed25519 secret key: seed || public key */
};
#define MINI_TRUSTED_MAX 8192
struct mini_sig {
    bool prehashed;         /* "ED": over BLAKE2b-512 of the file; "Ed": over the file (minisign -l) */
    uint8_t id[8];
    uint8_t sig[64];
    char *trusted;          /* the trusted comment, without "trusted comment: " */
    uint8_t global[64];     /* over sig || trusted */
};
enum mini_result { MINI_OK, MINI_WRONG_KEY, MINI_BAD_SIG, MINI_BAD_COMMENT };
/* Parsers of untrusted text: 0, or -1 with why and the 1-based line that
 * is wrong in *line (0: the text as a whole). file_form: a .pub file (two
 * lines), else the base64 string of `minisign -P`. */
int mini_pubkey_parse(const char *text, size_t len, bool file_form, struct mini_pubkey *k, int *line, char *why,
                      size_t whylen);
int mini_seckey_parse(const char *text, size_t len, struct mini_seckey *k, int *line, char *why, size_t whylen);
int mini_sig_parse(const char *text, size_t len, struct mini_sig *s, int *line, char *why, size_t whylen);
void mini_seckey_public(const struct mini_seckey *k, struct mini_pubkey *pk);
void mini_key_id_hex(const uint8_t id[8], char out[17]);
char *mini_base64(const uint8_t *data, size_t n);
/* BLAKE2b-512 of a file: 0 or -errno. */
int mini_hash_file(const char *path, uint8_t out[64]);
/* A whole .minisig text: an "ED" signature of hash and the trusted comment (one line). */
char *mini_sign_text(const struct mini_seckey *k, const uint8_t hash[64], const char *trusted);
/* msg: the file's BLAKE2b-512 for a prehashed signature, else the file. */
enum mini_result mini_verify(const struct mini_pubkey *k, const struct mini_sig *s, const uint8_t *msg, size_t len);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
/* anx run --verify KEY: checks the signatures of the image's build folder
 * (out, else the default) as `anx verify` does, without building, and fills
 * res with its images for qemu_argv. KEY is a public key file or its base64
 * string. Returns 0, or an exit code after saying why nothing boots. */
int verified_image(const struct manifest *m, const struct resolution *r, const char *out, const char *key,
                   struct build_result *res);

#endif
