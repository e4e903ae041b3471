#include <anx/module.h>

static int alpha_init(void)
{
    return 0;
}
ANX_MODULE(alpha, .init = alpha_init);
