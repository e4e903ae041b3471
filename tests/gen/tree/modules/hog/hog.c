#include <anx/module.h>

static int hog_init(void)
{
    return 0;
}
ANX_MODULE(hog, .init = hog_init);
