#include <anx/module.h>

static int armonly_init(void)
{
    return 0;
}
ANX_MODULE(armonly, .init = armonly_init);
