/*
 * Starting the compute CPUs, waking them, and their counters. The model is
 * in <anx/smp.h>; the scheduler side (detach, attach, the idle loops) is in
 * core/thread.c, the loops in core/parallel.c.
 */
#define LOG_TAG "smp"
#include <anx/cpu.h>
#include <anx/kernel.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/panic.h>
#include <anx/parallel.h>
#include <anx/spinlock.h>
#include <anx/thread.h>
#include <anx/time.h>

#define AP_STACK_SIZE ANX_THREAD_STACK_DEFAULT   /* the compute CPU's idle thread's */
#define AP_START_TIMEOUT_NS (2000 * ANX_NS_PER_MS)   /* TCG is slow to start a vCPU */

struct anx_cpu anx_cpus[ANX_CPUS_MAX];
static unsigned cpu_count = 1;

unsigned anx_cpu_count(void) { return __atomic_load_n(&cpu_count, __ATOMIC_ACQUIRE); }
unsigned anx_cpu_id(void) { return plat_cpu_id(); }
bool anx_on_kernel_cpu(void) { return plat_cpu_id() == 0; }

void anx_kernel_cpu_violation(const char *what)
{
    anx_panic("%s on CPU %u: only the kernel CPU may do that (a detached thread computes only; "
              "see <anx/smp.h>)", what, plat_cpu_id());
}

void anx_cpu_kick(unsigned cpu)
{
    if (cpu != plat_cpu_id() && cpu < ANX_CPUS_MAX &&
        __atomic_load_n(&anx_cpus[cpu].waiting, __ATOMIC_SEQ_CST))
        plat_ipi_send(cpu);
}

void anx_cpu_kick_idle(unsigned max)
{
    unsigned me = plat_cpu_id();
    for (unsigned i = 0; i < ANX_CPUS_MAX && max; i++) {
        if (i == me || !anx_cpus[i].online ||
            !__atomic_load_n(&anx_cpus[i].waiting, __ATOMIC_SEQ_CST))
            continue;
        plat_ipi_send(i);
        max--;
    }
}

/* The caller then re-checks for work with interrupts off and waits only if
 * there is none: a kicker that publishes work after that check sees
 * `waiting` set (both sides use sequentially consistent accesses) and sends
 * the interrupt, which stays pending until the wait. */
void anx_cpu_wait_begin(struct anx_cpu *c)
{
    __atomic_store_n(&c->waiting, 1, __ATOMIC_SEQ_CST);
    c->wait_start_ns = plat_time_ns();
}

void anx_cpu_wait_end(struct anx_cpu *c)
{
    __atomic_store_n(&c->waiting, 0, __ATOMIC_SEQ_CST);
    c->busy_ns -= plat_time_ns() - c->wait_start_ns;   /* busy = uptime - waiting */
}

void anx_ipi_interrupt(void)
{
    anx_this_cpu()->ipis++;
}

void anx_cpu_tick(void)
{
    anx_this_cpu()->ticks++;
}

void anx_cpu_info(unsigned cpu, struct anx_cpu_info *out)
{
    const struct anx_cpu *c = &anx_cpus[cpu < ANX_CPUS_MAX ? cpu : 0];
    uint64_t now = plat_time_ns();
    bool waiting = __atomic_load_n(&c->waiting, __ATOMIC_RELAXED);
    *out = (struct anx_cpu_info){
        .id = cpu, .online = cpu < ANX_CPUS_MAX && c->online, .idle = waiting,
        .switches = c->switches, .detached_runs = c->detached_runs, .chunks = c->chunks,
        .ipis = c->ipis, .ticks = c->ticks,
        .busy_ns = c->busy_ns + now - (waiting ? now - c->wait_start_ns : 0),
    };
    if (!out->online)
        out->busy_ns = 0;
}

/* A compute CPU's first C code, on its idle thread's stack, interrupts off. */
static void secondary_entry(unsigned cpu)
{
    struct anx_cpu *c = &anx_cpus[cpu];
    c->busy_ns = -plat_time_ns();           /* busy time counts from now */
    __atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
    anx_cpu_secondary_loop();
}

void anx_smp_init(void)
{
    anx_cpus[0].online = 1;
    unsigned present = plat_cpus_present(), want = ANX_CPUS_MAX;
    if (want > 1 && present < want)
        log_warn("cpus: %u asked for, the board has %u", want, present);
    unsigned n = present < want ? present : want, up = 1;
    for (unsigned cpu = 1; cpu < n; cpu++) {
        void *stack = anx_page_alloc(AP_STACK_SIZE / ANX_PAGE_SIZE);
        if (!stack || !anx_thread_new_cpu_idle(cpu, stack, AP_STACK_SIZE)) {
            log_error("CPU %u: no memory for its stack", cpu);
            break;
        }
        if (plat_cpu_start(cpu, (char *)stack + AP_STACK_SIZE, secondary_entry) < 0) {
            log_error("CPU %u: the platform could not start it", cpu);
            break;
        }
        uint64_t until = plat_time_ns() + AP_START_TIMEOUT_NS;
        while (!__atomic_load_n(&anx_cpus[cpu].online, __ATOMIC_ACQUIRE) && plat_time_ns() < until)
            anx_cpu_relax();
        if (!anx_cpus[cpu].online) {
            log_error("CPU %u did not come up within %llu ms", cpu,
                      (unsigned long long)(AP_START_TIMEOUT_NS / ANX_NS_PER_MS));
            break;
        }
        /* counted only once running: parallel loops and detach use it */
        __atomic_store_n(&cpu_count, ++up, __ATOMIC_RELEASE);
        anx_parallel_set_width(up);
    }
    if (n > 1)
        log_info("%u of %u CPUs online", up, n);
}
