/*
 * NetSurf's libraries in an image: the code is upstream's (module.yaml
 * third_party:); this module only gives them their place in the module
 * table, so an image lists them, and they init with nothing to do (each
 * library creates its contexts when a caller asks).
 */
#include <anx/module.h>

ANX_MODULE(netsurf_libs);
