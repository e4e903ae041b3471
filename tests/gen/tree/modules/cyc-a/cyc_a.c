#include <anx/module.h>

static int cyc_a_init(void)
{
    return 0;
}
ANX_MODULE(cyc_a, .init = cyc_a_init);
