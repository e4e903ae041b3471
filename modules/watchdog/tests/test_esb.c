/* Host tests of the 6300ESB arithmetic (esb.c): timeout -> preload,
 * rounding, clamping at both ends, the reload register's timed-out bit. */
#include <stdio.h>
#include "esb.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

#define S 1000000000ull
#define MS 1000000ull

int main(void)
{
    /* 10 s: two stages of 5 s = 5086.26 ticks of 0.98304 ms -> 5086 */
    CHECK(watchdog_esb_preload(10 * S) == 5086);
    CHECK(watchdog_esb_timeout_ns(5086) == 2ull * 5086 * 983040);
    /* the reset comes within half a tick per stage of what was asked */
    for (uint64_t t = 1 * S; t <= 1800 * S; t += 7 * S + 123 * MS) {
        uint64_t got = watchdog_esb_timeout_ns(watchdog_esb_preload(t));
        uint64_t diff = got > t ? got - t : t - got;
        CHECK(diff <= ESB_TICK_NS);
    }
    /* 1 s, the config's minimum: 508.6 -> 509 (rounded up) */
    CHECK(watchdog_esb_preload(1 * S) == 509);
    /* rounding: exactly half a tick per stage rounds up, less rounds down */
    CHECK(watchdog_esb_preload(2 * 100 * ESB_TICK_NS + ESB_TICK_NS) == 101);
    CHECK(watchdog_esb_preload(2 * 100 * ESB_TICK_NS + ESB_TICK_NS - 1) == 100);
    /* clamping: never 0 (the counter would expire at once), never past 20 bits */
    CHECK(watchdog_esb_preload(0) == 1);
    CHECK(watchdog_esb_preload(1) == 1);
    CHECK(watchdog_esb_preload(30 * 60 * S) == 915527);
    CHECK(watchdog_esb_preload(2100 * S) == ESB_PRELOAD_MAX);
    CHECK(watchdog_esb_preload(UINT64_MAX / 2) == ESB_PRELOAD_MAX);
    CHECK(watchdog_esb_timeout_ns(ESB_PRELOAD_MAX) / S == 2061);
    /* the reload register: bit 9 says the watchdog reset the machine;
     * QEMU also sets bit 12, the feed bit 8 reads back 0 */
    CHECK(!watchdog_esb_timed_out(0));
    CHECK(watchdog_esb_timed_out(0x1200));
    CHECK(watchdog_esb_timed_out(0x0200));
    CHECK(!watchdog_esb_timed_out(0x1000));
    CHECK(!watchdog_esb_timed_out(ESB_RELOAD_FEED));
    /* feeding every quarter */
    CHECK(watchdog_feed_interval_ns(10 * S) == 2500 * MS);
    printf("esb: %d passed, %d failed\n", pass, fail);
    return fail != 0;
}
