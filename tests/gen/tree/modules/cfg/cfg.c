#include <anx/module.h>

static int cfg_init(void)
{
    return 0;
}
ANX_MODULE(cfg, .init = cfg_init);
