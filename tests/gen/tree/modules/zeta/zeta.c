#include <anx/module.h>

static int zeta_init(void)
{
    return 0;
}
ANX_MODULE(zeta, .init = zeta_init);
