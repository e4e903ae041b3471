#include <anx/module.h>

static int dangling_init(void)
{
    return 0;
}
ANX_MODULE(dangling, .init = dangling_init);
