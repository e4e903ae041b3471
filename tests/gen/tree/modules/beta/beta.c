#include <anx/module.h>

static int beta_init(void)
{
    return 0;
}
ANX_MODULE(beta, .init = beta_init);
