/*
 * The module runtime. A module defines itself with one macro:
 *
 *     static int shell_init(void) { ... return 0; }
 *     ANX_MODULE(shell, .init = shell_init);
 *
 * The generator emits the table of the modules an image holds in
 * dependency order (build/.../gen/modules.c); kmain() calls each init in
 * that order and reports its result and time.
 */
#ifndef ANX_MODULE_H
#define ANX_MODULE_H

#include <stddef.h>

/* What a module's C code provides. */
struct anx_module_ops {
    int (*init)(void);     /* 0 = ok, negative = error (boot stops) */
    void (*start)(void);   /* optional: runs after every init, in order */
};

/* The C identifier of a module is its name with '-' replaced by '_'. */
#define ANX_MODULE(ident, ...) \
    const struct anx_module_ops anx_module_##ident = { __VA_ARGS__ }

/* One row of the generated table: name and summary come from module.yaml. */
struct anx_module {
    const char *name;      /* "virtio-net" */
    const char *summary;
    const struct anx_module_ops *ops;
};

/* Defined by the generated modules.c, in init (dependency) order. */
extern const struct anx_module anx_module_table[];
extern const size_t anx_module_count;

/* Run every module's init (then start) in table order; logs one line per
 * module with the result and time. Returns 0 or the first error. */
int anx_modules_init(void);

/* True when the image holds the module (by name). */
int anx_module_present(const char *name);

#endif
