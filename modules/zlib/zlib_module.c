/*
 * zlib in an image: the code is upstream's (module.yaml third_party:); this
 * module gives it its place in the module table and checks at init that the
 * library's header and code agree (zlibVersion), as zlib asks its users to.
 */
#define LOG_TAG "zlib"
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/module.h>
#include <string.h>
#include <zlib.h>

static int zlib_init(void)
{
    if (strcmp(zlibVersion(), ZLIB_VERSION) != 0) {
        log_error("library version %s differs from its header's %s", zlibVersion(), ZLIB_VERSION);
        return ANX_EBROKEN;
    }
    return 0;
}

ANX_MODULE(zlib, .init = zlib_init);
