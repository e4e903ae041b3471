/* <stdlib.h> for lwIP (built freestanding): the core's heap and atoi. */
#ifndef ANX_NET_STDLIB_H
#define ANX_NET_STDLIB_H
#include <anx/lib.h>
#include <anx/mem.h>
#endif
