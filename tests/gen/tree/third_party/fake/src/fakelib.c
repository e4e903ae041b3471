/* A stand-in for a third-party source: warnings are off for these (-w). */
#include <fakelib.h>
#include "tp_port.h"

int fake_lib_value(void)
{
    int unused;   /* would warn without -w */
    return TP_PORT_VALUE;
}
