#include <anx/module.h>

static int gpu_init(void)
{
    return 0;
}
ANX_MODULE(gpu, .init = gpu_init);
