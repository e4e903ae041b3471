#include <anx/module.h>

static int delta_init(void)
{
    return 0;
}
ANX_MODULE(delta, .init = delta_init);
