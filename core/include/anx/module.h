/*
 * The module runtime. A module defines itself with one macro:
 *
 *     static int shell_init(void) { ... return 0; }
 *     ANX_MODULE(shell, .init = shell_init);
 *
 * The generator emits the table of the modules an image holds in
 * dependency order (build/.../gen/modules.c); kmain() calls each init in
 * that order and reports its result and time.
 *
 * What a failure means. An init that returns an error does not stop the
 * boot: the module is marked failed (its error code, and as the reason the
 * last error line it logged), the modules after it still init and start, and
 * the image comes up degraded: "anunix: ready (...), degraded: 1 module
 * failed (infer)", the shell's `modules` lists the failed module with its
 * reason, and the router's /api/v1/health answers "degraded" with 503. A
 * module that finds its trouble later (a model loaded by a thread once the
 * boot is complete) reports it with anx_module_fail().
 *
 * Only an essential module stops the boot: one without which the image
 * cannot even say that it is broken (httpd and the router, through which
 * health is served). When an essential module's init fails, no further
 * module is initialised and kmain powers off with ANX_EXIT_FAILURE.
 */
#ifndef ANX_MODULE_H
#define ANX_MODULE_H

#include <stdbool.h>
#include <stddef.h>

/* What a module's C code provides. */
struct anx_module_ops {
    int (*init)(void);     /* 0 = ok, or a negative <anx/errno.h> code (the
                              module is failed; the log shows anx_strerror) */
    void (*start)(void);   /* optional: runs after every init, in order */
    bool essential;        /* a failed init stops the boot (see above) */
};

/* The C identifier of a module is its name with '-' replaced by '_'. */
#define ANX_MODULE(ident, ...) \
    const struct anx_module_ops anx_module_##ident = { __VA_ARGS__ }

/* One row of the generated table: name and summary come from module.yaml. */
struct anx_module {
    const char *name;      /* "virtio-net" */
    const char *summary;
    const struct anx_module_ops *ops;
    /* module.yaml `routes:`: the HTTP routes the module serves, items in
     * the router's syntax ("NAME: METHOD PATTERN -> ENGINE"), NULL-ended;
     * NULL when it declares none. The router adds them at its start; anx
     * reads the same list to warn of writable routes nobody guards. */
    const char *const *routes;
    /* The object names it may read and write: its module.yaml `objects:`
     * or the manifest's `grants:` (anx_object_granted), NULL-ended; NULL
     * grants none. */
    const char *const *reads;
    const char *const *writes;
};

/* Defined by the generated modules.c, in init (dependency) order. */
extern const struct anx_module anx_module_table[];
extern const size_t anx_module_count;

/* Run every module's init (then the starts of those that did not fail) in
 * table order; logs one line per module with the result and time. Returns
 * 0, or the error of an essential module whose init failed (the caller
 * stops the boot). */
int anx_modules_init(void);

/* True when the image holds the module (by name). */
int anx_module_present(const char *name);

/* ---- object grants -------------------------------------------------------
 * What each module may do to the object store's names. The grants come
 * from module.yaml `objects:` (read: [...], write: [...]) unless the
 * manifest's `grants:` section replaces them for one image
 * (docs/objstore.md, "Grants"). An entry is "*" (every name), a name
 * ("sys/revoked-tokens": that name and the names under it) or a prefix
 * ending in '/' ("notes/": the names under it). Writing covers creating,
 * changing and deleting; reading covers reading, versions and listing.
 *
 * Like credential grants, these stop mistakes and make an image's reach
 * visible, not a hostile module: every module runs in one address space. */

enum anx_access { ANX_ACCESS_READ, ANX_ACCESS_WRITE };

/* Whether module may read (or write) the object name. A refusal logs one
 * line naming the module, the access and the name. A module the image does
 * not hold is granted nothing. */
bool anx_object_granted(const char *module, const char *name, enum anx_access how);
/* The same without the log line, for filtering a listing. */
bool anx_object_grant_test(const char *module, const char *name, enum anx_access how);
/* Whether one grant entry covers name (the matching rule above). */
bool anx_grant_covers(const char *grant, const char *name);

/* ---- module state ------------------------------------------------------- */

enum anx_module_state {
    ANX_MODULE_WAITING = 0,   /* not initialised yet */
    ANX_MODULE_OK,
    ANX_MODULE_FAILED,
};

struct anx_module_status {
    enum anx_module_state state;
    int error;                /* the init's return value (negative) when failed */
    const char *reason;       /* what went wrong ("" when nothing was said) */
};

/* The state of module i of anx_module_table (i < anx_module_count). */
struct anx_module_status anx_module_status(size_t i);
/* The same by module name (WAITING for a name the image does not hold). */
struct anx_module_status anx_module_status_of(const char *name);
/* How many modules are failed. */
size_t anx_modules_failed(void);
/* Mark a module failed after its init succeeded (error negative; the
 * reason is formatted like printf and logged as an error line). */
void anx_module_fail(const char *name, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The state's name: "waiting", "ok", "failed". */
const char *anx_module_state_name(enum anx_module_state s);

#endif
