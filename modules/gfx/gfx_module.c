/* The gfx module's glue: the library (surface.c, font.c, fontcheck.c) is
 * used by the modules that depend on it (fbcon); the DejaVu fonts come into
 * the image through module.yaml's files: key, under /fonts/. */
#include <anx/module.h>

ANX_MODULE(gfx);
