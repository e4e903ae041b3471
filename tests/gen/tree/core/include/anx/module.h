/* The module runtime interface, as in the real core/include/anx/module.h. */
#ifndef ANX_MODULE_H
#define ANX_MODULE_H
#include <stddef.h>
struct anx_module_ops {
    int (*init)(void);
    void (*start)(void);
};
#define ANX_MODULE(ident, ...) const struct anx_module_ops anx_module_##ident = { __VA_ARGS__ }
struct anx_module {
    const char *name;
    const char *summary;
    const struct anx_module_ops *ops;
    const char *const *routes;   /* as the real core's: module.yaml routes: */
    const char *const *reads;    /* object grants, as the real core's */
    const char *const *writes;
};
extern const struct anx_module anx_module_table[];
extern const size_t anx_module_count;
#endif
