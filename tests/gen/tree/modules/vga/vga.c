#include <anx/module.h>

static int vga_init(void)
{
    return 0;
}
ANX_MODULE(vga, .init = vga_init);
