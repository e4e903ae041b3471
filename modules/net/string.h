/* <string.h> for lwIP (built freestanding): the core's libc subset. */
#ifndef ANX_NET_STRING_H
#define ANX_NET_STRING_H
#include <anx/lib.h>
#endif
