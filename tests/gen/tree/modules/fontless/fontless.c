#include <anx/module.h>

static int fontless_init(void)
{
    return 0;
}
ANX_MODULE(fontless, .init = fontless_init);
