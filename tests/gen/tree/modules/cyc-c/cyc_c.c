#include <anx/module.h>

static int cyc_c_init(void)
{
    return 0;
}
ANX_MODULE(cyc_c, .init = cyc_c_init);
