/*
 * Monotonic time and one-shot timers: a list sorted by deadline whose
 * head is programmed into the platform timer.
 */
#include <anx/cpu.h>
#include <anx/platform.h>
#include <anx/time.h>

static uint64_t entry_ns;
static struct anx_timer *timers;   /* sorted, earliest first */
static uint64_t wall_at, mono_at;  /* the RTC's reading and the monotonic time of it */

void anx_time_init(uint64_t ns)
{
    entry_ns = ns;
}

/* The RTC is read once: it counts whole seconds and reading it can take a
 * while; the monotonic clock carries the time on from there. */
void anx_time_wall_init(void)
{
    wall_at = plat_wall_clock_ns();
    mono_at = plat_time_ns();
}

uint64_t anx_time_unix_ns(void)
{
    return wall_at + (plat_time_ns() - mono_at);
}

bool anx_time_has_wall_clock(void)
{
    return wall_at != 0;
}

uint64_t anx_time_ns(void)
{
    return plat_time_ns();
}

uint64_t anx_uptime_ns(void)
{
    uint64_t now = plat_time_ns();
    return now > entry_ns ? now - entry_ns : 0;
}

static bool unlink_timer(struct anx_timer *t)
{
    for (struct anx_timer **p = &timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            t->next = NULL;
            t->armed = false;
            return true;
        }
    }
    t->armed = false;
    return false;
}

void anx_timer_start(struct anx_timer *t, uint64_t deadline_ns, anx_timer_fn fn, void *arg)
{
    unsigned long f = plat_irq_save();
    if (t->armed)
        unlink_timer(t);
    t->deadline = deadline_ns;
    t->fn = fn;
    t->arg = arg;
    struct anx_timer **p = &timers;
    while (*p && (*p)->deadline <= deadline_ns)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    t->armed = true;
    if (timers == t)
        plat_timer_set_deadline(deadline_ns);
    plat_irq_restore(f);
}

bool anx_timer_cancel(struct anx_timer *t)
{
    unsigned long f = plat_irq_save();
    bool was_head = timers == t;
    bool armed = t->armed && unlink_timer(t);
    if (armed && was_head)
        plat_timer_set_deadline(timers ? timers->deadline : 0);
    plat_irq_restore(f);
    return armed;
}

static uint64_t run(bool reprogram)
{
    unsigned long f = plat_irq_save();
    uint64_t now = plat_time_ns();
    bool fired = false;
    while (timers && timers->deadline <= now) {
        struct anx_timer *t = timers;
        timers = t->next;
        t->next = NULL;
        t->armed = false;
        t->fn(t, t->arg);
        fired = true;
    }
    uint64_t next = timers ? timers->deadline : 0;
    /* Otherwise the programmed deadline is still the head's (or an
     * earlier one the idle loop chose), so leave the hardware alone. */
    if (fired || reprogram)
        plat_timer_set_deadline(next);
    plat_irq_restore(f);
    return next;
}

uint64_t anx_timers_run(void)
{
    return run(false);
}

/* The one-shot has fired (perhaps early, or for the idle loop's poll
 * deadline): always re-arm it for the head. */
void anx_timer_interrupt(void)
{
    if (!anx_on_kernel_cpu()) {     /* a compute CPU's tick: its idle loop looks for work */
        anx_cpu_tick();
        return;
    }
    run(true);
}

void anx_delay_ns(uint64_t ns)
{
    uint64_t end = plat_time_ns() + ns;
    while (plat_time_ns() < end)
        ;
}
