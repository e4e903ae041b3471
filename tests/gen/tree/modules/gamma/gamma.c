#include <anx/module.h>

static int gamma_init(void)
{
    return 0;
}
ANX_MODULE(gamma, .init = gamma_init);
