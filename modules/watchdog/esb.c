/* The 6300ESB watchdog's arithmetic (see esb.h): no hardware access. */
#include "esb.h"

uint32_t watchdog_esb_preload(uint64_t timeout_ns)
{
    /* Two stages share the timeout: round half of it to the nearest tick. */
    uint64_t ticks = (timeout_ns + ESB_TICK_NS) / (2 * ESB_TICK_NS);
    if (ticks < 1)
        return 1;
    if (ticks > ESB_PRELOAD_MAX)
        return ESB_PRELOAD_MAX;
    return (uint32_t)ticks;
}

uint64_t watchdog_esb_timeout_ns(uint32_t preload)
{
    return 2 * (uint64_t)preload * ESB_TICK_NS;
}

bool watchdog_esb_timed_out(uint16_t reload)
{
    return (reload & ESB_RELOAD_TIMED_OUT) != 0;
}

uint64_t watchdog_feed_interval_ns(uint64_t timeout_ns)
{
    return timeout_ns / 4;
}
