#include <anx/module.h>
#include <fakelib.h>      /* exported by tp's third_party include */
#include "tp_port.h"      /* exported: tp's own folder */

static int tp_user_init(void)
{
    return fake_lib_value() == TP_PORT_VALUE ? 0 : -1;
}
ANX_MODULE(tp_user, .init = tp_user_init);
