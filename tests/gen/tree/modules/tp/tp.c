#include <anx/module.h>
#include <fakelib.h>
#include "tp_port.h"

static int tp_init(void)
{
    return fake_lib_value() == TP_PORT_VALUE ? 0 : -1;
}
ANX_MODULE(tp, .init = tp_init);
