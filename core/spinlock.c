/*
 * Spinlocks: test-and-test-and-set on one word, interrupts off while held.
 * Debug builds (CONFIG_DEBUG, manifest `debug: true`) keep a stack of the
 * locks each CPU holds and check the rank order on every acquisition.
 */
#include <anx/panic.h>
#include <anx/platform.h>
#include <anx/smp.h>
#include <anx/spinlock.h>

#ifdef CONFIG_DEBUG
#define HELD_MAX 8
static const struct anx_spinlock *held[ANX_CPUS_MAX][HELD_MAX];
static int nheld[ANX_CPUS_MAX];

static void check_acquire(struct anx_spinlock *l)
{
    unsigned cpu = plat_cpu_id();
    if (l->owner == (int)cpu)
        anx_panic("spinlock '%s' taken twice on CPU %u", l->name, cpu);
    for (int i = 0; i < nheld[cpu]; i++)
        if (held[cpu][i]->rank >= l->rank)
            anx_panic("lock order: '%s' (rank %u) taken while holding '%s' (rank %u) on CPU %u",
                      l->name, l->rank, held[cpu][i]->name, held[cpu][i]->rank, cpu);
    if (nheld[cpu] == HELD_MAX)
        anx_panic("spinlock '%s': more than %d locks held on CPU %u", l->name, HELD_MAX, cpu);
}

static void note_acquired(struct anx_spinlock *l)
{
    unsigned cpu = plat_cpu_id();
    l->owner = (int)cpu;
    held[cpu][nheld[cpu]++] = l;
}

static void note_release(struct anx_spinlock *l)
{
    unsigned cpu = plat_cpu_id();
    if (l->owner != (int)cpu)
        anx_panic("spinlock '%s' released on CPU %u, held by %d", l->name, cpu, l->owner);
    l->owner = -1;
    for (int i = nheld[cpu] - 1; i >= 0; i--) {
        if (held[cpu][i] == l) {
            for (int j = i; j + 1 < nheld[cpu]; j++)
                held[cpu][j] = held[cpu][j + 1];
            nheld[cpu]--;
            return;
        }
    }
}

bool anx_spin_held(const struct anx_spinlock *l)
{
    return l->owner == (int)plat_cpu_id();
}
#else
static void check_acquire(struct anx_spinlock *l) { (void)l; }
static void note_acquired(struct anx_spinlock *l) { (void)l; }
static void note_release(struct anx_spinlock *l) { (void)l; }
bool anx_spin_held(const struct anx_spinlock *l) { (void)l; return true; }
#endif

void anx_spinlock_init(struct anx_spinlock *l, const char *name, unsigned rank)
{
    *l = (struct anx_spinlock)ANX_SPINLOCK_INIT(name, rank);
}

static bool try_take(struct anx_spinlock *l)
{
    return !__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
           !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

unsigned long anx_spin_lock(struct anx_spinlock *l)
{
    unsigned long f = plat_irq_save();
    check_acquire(l);
    while (!try_take(l))
        anx_cpu_relax();
    note_acquired(l);
    return f;
}

bool anx_spin_trylock(struct anx_spinlock *l, unsigned long *irq_flags)
{
    unsigned long f = plat_irq_save();
    check_acquire(l);
    if (!try_take(l)) {
        plat_irq_restore(f);
        return false;
    }
    note_acquired(l);
    *irq_flags = f;
    return true;
}

void anx_spin_unlock(struct anx_spinlock *l, unsigned long irq_flags)
{
    note_release(l);
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    plat_irq_restore(irq_flags);
}
