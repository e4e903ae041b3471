#include <anx/module.h>

static int mouse_init(void)
{
    return 0;
}
ANX_MODULE(mouse, .init = mouse_init);
