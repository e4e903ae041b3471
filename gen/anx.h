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
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xfree_all(void);

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

/* The algorithm: anx_sha256_init/update/final from the core's
 * core/lib/sha256.c; below, the generator's hex helpers. */
void sha256_hex(const uint8_t d[32], char out[65]);
void sha256_buf(const void *data, size_t n, char out[65]);
int sha256_file(const char *path, char out[65], uint64_t *size);

/* ---- units.c: numbers with units --------------------------------------- */

int parse_int(const char *s, int64_t *out);        /* 0 ok, -1 syntax, -2 range */
int parse_size(const char *s, uint64_t *out);      /* 64M, 1G, 512K, 4096 */
int parse_duration(const char *s, uint64_t *ns);   /* 5s, 100ms, 2m ... */
int parse_bool(const char *s, bool *out);
void format_size(uint64_t bytes, char *out, size_t n);
void format_duration(uint64_t ns, char *out, size_t n);

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

/* Parses one YAML document. Returns NULL after printing an error. An empty
 * document gives a Y_NULL node. Rejects aliases, duplicate keys, non-scalar
 * keys and nesting deeper than 64. */
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

/* ---- manifest.c ----------------------------------------------------------- */

struct check;
struct check_type;

struct port_fwd {
    int host, guest;
    struct mark mark;
};
struct file_entry {
    char *image_path;   /* /etc/motd */
    char *host_path;    /* as written, relative to the manifest */
    char *abs_path;
    struct mark mark;
};
struct mod_req {
    char *name;
    struct ynode *config;   /* NULL or Y_NULL for defaults, else a map */
    struct mark mark;
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
    char *cmdline;
    struct mod_req *mods;
    size_t nmods;
    struct file_entry *files;   /* sorted by image path */
    size_t nfiles;
    struct port_fwd *ports;
    size_t nports;
    uint64_t disk_size;         /* run: disk: size; 0 = the manifest declares no disk */
    struct check *checks;
    size_t nchecks;
};
/* Both return the number of errors (0 = usable manifest). */
int manifest_load(const char *path, struct manifest *m);
int manifest_parse(const char *path, const char *data, size_t len, struct manifest *m);
int parse_port(const char *s, int *host, int *guest);
bool valid_name(const char *s);
bool valid_platform_name(const char *s);

/* ---- checks.c: the table of test check kinds ---------------------------- */

struct test_session;
struct check_type {
    const char *key;              /* the key that selects this kind */
    const char *const *keys;      /* every key a check of this kind may hold */
    size_t nkeys;
    int (*parse)(const struct ynode *map, struct check *c);
    /* 0 pass, else fail with a reason in why */
    int (*run)(struct test_session *t, const struct check *c, char *why, size_t whylen);
};
extern const struct check_type check_types[];
extern const size_t check_type_count;
int check_parse(const struct ynode *n, struct check *c);

/* ---- catalog.c: module.yaml and platform.yaml ---------------------------- */

enum ctype { CT_BOOL, CT_INT, CT_SIZE, CT_DURATION, CT_STRING, CT_ENUM };
extern const char *const ctype_names[];

struct cvalue {
    int64_t i;      /* bool, int */
    uint64_t u;     /* size (bytes), duration (ns) */
    char *s;        /* string, enum */
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
    char *name;
    struct strlist sources, include;
    struct mark mark;
};
struct module {
    char *name;
    char *dir;          /* absolute */
    char *yaml_path;    /* absolute */
    char *summary;
    struct strlist depends, conflicts, platforms, sources;
    struct mark *depends_marks, *conflicts_marks;
    struct arch_sources *arch_sources;
    size_t narch;
    struct config_key *keys;
    size_t nkeys;
    struct third_party *tp;
    size_t ntp;
    struct mark mark;
};
/* Where third-party trees live: ANX_THIRD_PARTY, else
 * ${XDG_CACHE_HOME:-$HOME/.cache}/anunix. */
const char *third_party_root(void);
enum exit_mode { EXIT_DEBUG_EXIT, EXIT_DIRECT };
struct boot_mode {
    char *name;
    struct strlist args;
};
struct platform {
    char *name;
    char *dir;
    char *yaml_path;
    char *summary;
    char *arch;
    char *cross_compile;
    struct strlist cflags, ldflags, sources, images;
    char *linker_script;
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
};
void catalog_open(struct catalog *c, const char *root);
int catalog_module_index(const struct catalog *c, const char *name);
int catalog_platform_index(const struct catalog *c, const char *name);
struct module *catalog_module(struct catalog *c, const char *name);     /* NULL: unknown or broken */
struct platform *catalog_platform(struct catalog *c, const char *name);
struct module *module_parse(const char *name, const char *yaml_path, const char *data, size_t len);
struct platform *platform_parse(const char *name, const char *yaml_path, const char *data, size_t len);
/* Parses one config value against its key; prints errors at n. */
int config_value_parse(const struct config_key *k, const struct ynode *n, const char *modname, struct cvalue *out);
void config_value_format(const struct config_key *k, const struct cvalue *v, char *out, size_t n);

/* ---- resolve.c ----------------------------------------------------------- */

struct resolved_mod {
    struct module *mod;
    bool requested;
    struct cvalue *values;   /* one per mod->keys */
};
struct resolution {
    struct platform *plat;
    struct resolved_mod *mods;   /* in init order */
    size_t n;
};
/* Order names so every module follows its depends; ties by name. Returns 0,
 * or -1 with the cycle written to cycle (a -> b -> a). deps[i] lists the
 * indices i depends on. Exported for the unit tests. */
int toposort(size_t n, const char *const *names, const size_t *const *deps, const size_t *ndeps,
             size_t *order, char *cycle, size_t cyclen);
int resolve(struct catalog *c, struct manifest *m, const char *platform, struct resolution *r);
const char *resolved_string(const struct resolution *r, const char *mod, const char *key);

/* ---- config_h.c / modules_c.c / files_archive.c: generated sources ---- */

char *c_string_literal(const char *s);
char *config_h_text(const struct manifest *m, const struct resolution *r);
char *modules_c_text(const struct resolution *r);
/* Builds the archive; returns 0 or -1 (message printed). */
int files_archive_build(const struct manifest *m, struct buf *out);
/* Reads an archive back (tests, report); returns entry count or -1. */
int files_archive_check(const uint8_t *data, size_t len);

/* ---- compile.c: parallel compilation with an object cache ------------ */

struct cunit {
    char *src;          /* path as passed to the compiler (root-relative when possible) */
    char *src_abs;
    char *owner;        /* "core", "platform", "generated" or a module name */
    struct strlist flags;   /* extra flags (-Imodules/NAME) */
    char key[65];
    char *obj;          /* the cached object */
    uint64_t size;      /* .text+.data+.rodata+.bss kept after the link */
};
struct toolchain {
    char *cc, *ld, *objcopy;
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

/* ---- build.c, report.c -------------------------------------------------- */

struct build_opts {
    const char *platform;
    const char *outdir;
    bool json, quiet;
    int jobs;
};
struct step_time {
    const char *name;
    double ms;
};
struct output_file {
    char *kind;     /* elf-debug, elf, iso, report */
    char *path;
    uint64_t bytes;
    char sha[65];
};
struct build_result {
    char *outdir;
    char *elf_debug;    /* anunix.elf */
    char *image_elf;    /* image.elf or NULL */
    char *iso;          /* anunix.iso or NULL */
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
struct qemu_opts {
    const char *boot;       /* NULL = the platform's first mode */
    enum accel accel;
    bool display;
    bool for_test;          /* serial on pipes, no terminal */
    struct port_fwd *ports; /* --port options */
    size_t nports;
    const char *disk;       /* the disk file (attached only with a disk driver module) */
    uint64_t disk_size;     /* --disk-size: for a disk created now (0 = default) */
};
int qemu_argv(const struct manifest *m, const struct resolution *r, const struct build_result *b,
              const struct qemu_opts *o, struct strlist *argv);
bool kvm_usable(void);
/* The platform's disk arguments for the first disk driver module the image
 * has; NULL when it has none (then no disk is attached). */
const struct nic_args *disk_driver(const struct platform *p, const struct resolution *r);
/* Create a sparse disk file of `size` bytes: when it is missing, or always
 * (truncating it) when fresh. 0 or -1 after an error. */
int disk_prepare(const char *path, uint64_t size, bool fresh);
#define DISK_SIZE_DEFAULT (64ULL << 20)
int parse_disk_size(const char *s, uint64_t *out);
int qemu_option(int c, const char *arg, struct qemu_opts *q);   /* run.c: --disk, --disk-size, --boot, --accel */
/* The command line as one shell-quoted string, for copying. */
char *argv_text(const struct strlist *argv);
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

/* The test runner's session, used by the check kinds. */
struct test_session {
    int pid;
    int in_fd, out_fd;
    struct buf console;     /* everything read, NULs replaced for regex */
    size_t pos;             /* where the next search starts */
    bool exited;
    int wstatus;
    const struct platform *plat;
    const char *prompt;
    FILE *log;
    const struct port_fwd *ports;   /* the forwards QEMU was started with (http checks) */
    size_t nports;
};
int run_serial(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_shell(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_exit(struct test_session *t, const struct check *c, char *why, size_t whylen);
int run_http(struct test_session *t, const struct check *c, char *why, size_t whylen);

#endif
