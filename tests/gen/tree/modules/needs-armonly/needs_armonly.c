#include <anx/module.h>

static int needs_armonly_init(void)
{
    return 0;
}
ANX_MODULE(needs_armonly, .init = needs_armonly_init);
