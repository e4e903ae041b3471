#include <anx/module.h>

static int cyc_b_init(void)
{
    return 0;
}
ANX_MODULE(cyc_b, .init = cyc_b_init);
