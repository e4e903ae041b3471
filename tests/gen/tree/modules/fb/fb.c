#include <anx/module.h>

static int fb_init(void)
{
    return 0;
}
ANX_MODULE(fb, .init = fb_init);
