#include <anx/module.h>

static int kbd_init(void)
{
    return 0;
}
ANX_MODULE(kbd, .init = kbd_init);
