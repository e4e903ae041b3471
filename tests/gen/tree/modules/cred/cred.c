#include <anx/module.h>

static int cred_init(void)
{
    return 0;
}
ANX_MODULE(cred, .init = cred_init);
