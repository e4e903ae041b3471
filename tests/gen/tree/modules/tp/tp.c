#include <anx/module.h>
#include <fakelib.h>
#include "tp_port.h"

int fake_extra_value(void);

static int tp_init(void)
{
    return fake_lib_value() == TP_PORT_VALUE && fake_extra_value() == 7 ? 0 : -1;
}
ANX_MODULE(tp, .init = tp_init);
