/*
 * Time and timers (core/time.c).
 *
 * anx_time_ns() is the platform's monotonic clock; anx_uptime_ns() counts
 * from kmain entry; anx_time_unix_ns() is wall-clock time (the board's RTC
 * read once at boot, plus the monotonic clock since). Timers form one list sorted by deadline; the earliest
 * is programmed with plat_timer_set_deadline(). The platform's timer
 * interrupt handler calls anx_timer_interrupt(), which runs the callbacks
 * of expired timers with interrupts off: callbacks must only wake threads.
 */
#ifndef ANX_TIME_H
#define ANX_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define ANX_NS_PER_US 1000ull
#define ANX_NS_PER_MS 1000000ull
#define ANX_NS_PER_S 1000000000ull

uint64_t anx_time_ns(void);
uint64_t anx_uptime_ns(void);
/* Nanoseconds since 1970-01-01 00:00 UTC, for times people and other
 * machines read (object versions, "created" fields). Without a real-time
 * clock on the board it is the time since boot (a date in 1970), and
 * anx_time_has_wall_clock() is false. */
uint64_t anx_time_unix_ns(void);
bool anx_time_has_wall_clock(void);
/* Core only: kmain records the entry time, then (after plat_init) reads
 * the wall clock. */
void anx_time_init(uint64_t entry_ns);
void anx_time_wall_init(void);

struct anx_timer;
typedef void (*anx_timer_fn)(struct anx_timer *t, void *arg);

struct anx_timer {
    struct anx_timer *next;    /* private */
    uint64_t deadline;         /* anx_time_ns() value */
    anx_timer_fn fn;
    void *arg;
    bool armed;
};

/* Arm (or re-arm) t to call fn(t, arg) at or after deadline_ns. */
void anx_timer_start(struct anx_timer *t, uint64_t deadline_ns,
                     anx_timer_fn fn, void *arg);
/* Disarm; harmless if not armed. Returns whether it was armed. */
bool anx_timer_cancel(struct anx_timer *t);

/* Called by the platform's timer interrupt handler (interrupts off). */
void anx_timer_interrupt(void);
/* Run expired timers now; returns the next deadline or 0. Used by the
 * idle loop and anx_yield; re-arms the hardware when a timer fired. */
uint64_t anx_timers_run(void);

/* Block the calling thread (see <anx/thread.h>). */
void anx_sleep_ns(uint64_t ns);
void anx_sleep_ms(uint64_t ms);
/* Spin without yielding (early boot, drivers' short waits). */
void anx_delay_ns(uint64_t ns);

/* Calendar dates (core/lib/civil.c): days since 1970-01-01 of a
 * proleptic Gregorian date (month 1-12, day 1-31), and back. */
int64_t anx_days_from_civil(int64_t y, unsigned m, unsigned d);
void anx_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
