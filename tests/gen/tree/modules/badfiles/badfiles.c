#include <anx/module.h>

static int badfiles_init(void)
{
    return 0;
}
ANX_MODULE(badfiles, .init = badfiles_init);
