/*
 * The CMOS real-time clock (MC146818 at I/O ports 0x70/0x71): wall-clock
 * time for plat_wall_clock_ns(). QEMU's RTC runs on UTC (-rtc base=utc,
 * its default) on both x86 machines (microvm with rtc=on).
 *
 * The date registers change once a second; a read that overlaps the update
 * can mix two seconds, so the registers are read after the update-in-
 * progress flag clears, twice, until two reads agree.
 */
#include <anx/platform.h>
#include <anx/time.h>
#include "x86.h"

#define REG_SEC 0x00
#define REG_MIN 0x02
#define REG_HOUR 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a            /* bit 7: update in progress */
#define REG_B 0x0b            /* bit 2: binary (else BCD), bit 1: 24-hour */
#define REG_CENTURY 0x32      /* QEMU and most PCs keep the century here */

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

struct rtc_time {
    uint8_t sec, min, hour, day, month, year, century;
};

static void read_once(struct rtc_time *t)
{
    for (int i = 0; i < 1000000 && (cmos_read(REG_A) & 0x80); i++)
        ;                     /* at most ~2 ms in the update cycle */
    t->sec = cmos_read(REG_SEC);
    t->min = cmos_read(REG_MIN);
    t->hour = cmos_read(REG_HOUR);
    t->day = cmos_read(REG_DAY);
    t->month = cmos_read(REG_MONTH);
    t->year = cmos_read(REG_YEAR);
    t->century = cmos_read(REG_CENTURY);
}

static bool same(const struct rtc_time *a, const struct rtc_time *b)
{
    return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->day == b->day &&
           a->month == b->month && a->year == b->year && a->century == b->century;
}

static unsigned bcd(uint8_t v)
{
    return (v >> 4) * 10u + (v & 15u);
}


uint64_t plat_wall_clock_ns(void)
{
    uint8_t b = cmos_read(REG_B);
    if (b == 0xff)
        return 0;             /* no RTC (microvm with rtc=off): floating bus */
    struct rtc_time t, u;
    read_once(&t);
    for (int i = 0; i < 5; i++) {
        read_once(&u);
        if (same(&t, &u))
            break;
        t = u;
    }
    bool pm = !(b & 0x02) && (t.hour & 0x80);
    t.hour &= 0x7f;
    unsigned sec = t.sec, min = t.min, hour = t.hour, day = t.day, month = t.month, year = t.year,
             century = t.century;
    if (!(b & 0x04)) {        /* BCD */
        sec = bcd(t.sec), min = bcd(t.min), hour = bcd(t.hour);
        day = bcd(t.day), month = bcd(t.month), year = bcd(t.year), century = bcd(t.century);
    }
    if (!(b & 0x02))          /* 12-hour clock: 12 AM is 0, 12 PM is 12 */
        hour = hour % 12 + (pm ? 12 : 0);
    if (century < 19 || century > 99)
        century = 20;         /* no century register: assume 20xx */
    if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 || month < 1 || month > 12 || year > 99)
        return 0;             /* not a clock we understand */
    int64_t days = anx_days_from_civil((int64_t)century * 100 + year, month, day);
    if (days < 0)
        return 0;
    uint64_t s = (uint64_t)days * 86400u + hour * 3600u + min * 60u + sec;
    return s * 1000000000ull;
}
