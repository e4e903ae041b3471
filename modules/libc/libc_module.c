/*
 * The libc module's image glue: nothing to start. The library is its
 * functions; the module exists so that ported code can depend on it.
 */
#include <anx/module.h>

ANX_MODULE(libc, .init = NULL);
