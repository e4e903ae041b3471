#include <anx/module.h>

static int rng_init(void)
{
    return 0;
}
ANX_MODULE(rng, .init = rng_init);
