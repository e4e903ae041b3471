#include <anx/module.h>

static int fan_init(void)
{
    return 0;
}
ANX_MODULE(fan, .init = fan_init);
