/*
 * smp-stress SECONDS: works every piece of the SMP core at once and checks
 * the results, for the boot tests (tests/boot/smp*.yaml):
 *
 *   - ping-pong pairs on the kernel CPU hand a token back and forth through
 *     wait queues; a wait that times out is a lost wake-up;
 *   - compute threads detach, hash their own buffer (on a compute CPU,
 *     sometimes yielding to each other there), run nested parallel loops,
 *     attach again and check the hash against one computed on the kernel
 *     CPU;
 *   - parallel loops from the kernel CPU sum known series (checked against
 *     the closed form) and bump a counter under a spinlock in every chunk
 *     (checked against the chunk count: mutual exclusion across CPUs);
 *   - every CPU that ran a detached thread or a chunk is recorded.
 *
 * It ends with "smp-stress: ok ... CPUs seen: all N" or "smp-stress: FAIL".
 * `smp-stress lock-order` takes two locks in the wrong order, which a
 * debug: true image must stop with a panic naming both. `smp-stress bench`
 * measures what the machinery costs (tests/bench/smp).
 */
#include <anx/command.h>
#include <anx/kernel.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/parallel.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/smp.h>
#include <anx/spinlock.h>
#include <anx/thread.h>
#include <anx/time.h>

#define PAIRS 3
#define COMPUTERS 3
#define BUF_WORDS 4096

static volatile bool stop;
static uint64_t cpus_seen;              /* atomic bit mask */
static uint64_t lost_wakeups, handoffs, compute_rounds, compute_errors, loops, loop_errors;
static unsigned done_threads;
static struct anx_waitq done_wq = ANX_WAITQ_INIT;
static struct anx_spinlock counter_lock = ANX_SPINLOCK_INIT("smp-stress counter", ANX_LOCK_RANK_TEST);
static uint64_t locked_counter;       /* ++ under counter_lock */
static uint64_t chunk_calls;          /* atomic ++: what locked_counter must reach */

static void seen(void)
{
    __atomic_or_fetch(&cpus_seen, 1ull << (anx_cpu_id() & 63), __ATOMIC_RELAXED);
}

static void finish(void)
{
    done_threads++;
    anx_waitq_wake_all(&done_wq);
}

/* ---- ping-pong on the kernel CPU ------------------------------------------ */

struct pair {
    struct anx_waitq wq[2];
    int turn;
};
static struct pair pairs[PAIRS];
struct player { struct pair *p; int side; };
static struct player players[PAIRS][2];

static void player_run(void *arg)
{
    struct player *pl = arg;
    struct pair *p = pl->p;
    while (!stop) {
        unsigned long f = plat_irq_save();
        while (p->turn != pl->side && !stop) {
            if (anx_wait_timeout(&p->wq[pl->side], 2000 * ANX_NS_PER_MS) < 0 && p->turn != pl->side &&
                !stop)
                lost_wakeups++;
        }
        plat_irq_restore(f);
        if (stop)
            break;
        handoffs++;
        p->turn = !pl->side;
        anx_waitq_wake_one(&p->wq[!pl->side]);
        if (handoffs % 7 == 0)
            anx_yield();
    }
    anx_waitq_wake_all(&p->wq[!pl->side]);
    finish();
}

/* ---- detached compute ------------------------------------------------------ */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t hash_buf(const uint64_t *b, size_t n, unsigned rounds)
{
    uint64_t h = 0;
    for (unsigned r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++)
            h = mix(h, b[i] + r);
    return h;
}

struct sum_job { const uint64_t *v; uint64_t *partial; size_t n; };

static void sum_chunk(size_t b, size_t e, void *ctx)
{
    struct sum_job *j = ctx;
    seen();
    uint64_t s = 0;
    for (size_t i = b; i < e; i++)
        s += j->v[i];
    __atomic_add_fetch(j->partial, s, __ATOMIC_RELAXED);
    unsigned long f = anx_spin_lock(&counter_lock);
    locked_counter++;                   /* a plain increment: only the lock protects it */
    anx_spin_unlock(&counter_lock, f);
    __atomic_add_fetch(&chunk_calls, 1, __ATOMIC_RELAXED);
}

/* sum of v[i] = i * 3 + 1 over [0, n) */
static bool parallel_sum_ok(uint64_t *v, size_t n, size_t grain)
{
    for (size_t i = 0; i < n; i++)
        v[i] = i * 3 + 1;
    uint64_t total = 0;
    struct sum_job j = { v, &total, n };
    anx_parallel_for(n, grain, sum_chunk, &j);
    return total == 3 * (uint64_t)n * (n - 1) / 2 + n;
}

struct computer { uint64_t *buf; uint64_t *scratch; unsigned seed; };
static struct computer computers[COMPUTERS];

static void computer_run(void *arg)
{
    struct computer *c = arg;
    while (!stop) {
        for (size_t i = 0; i < BUF_WORDS; i++)
            c->buf[i] = mix(c->seed, i);
        uint64_t want = hash_buf(c->buf, BUF_WORDS, 4);
        bool detached = anx_detach();
        seen();
        uint64_t got = hash_buf(c->buf, BUF_WORDS, 2);
        anx_yield();                    /* detached: lets another computer take this CPU */
        seen();
        got = want == got ? 0 : got;   /* keep the compiler from merging the passes */
        got = hash_buf(c->buf, BUF_WORDS, 4);
        bool sum_ok = parallel_sum_ok(c->scratch, BUF_WORDS, 64);   /* nested: runs inline */
        if (detached)
            anx_attach();
        if (got != want || !sum_ok || !anx_on_kernel_cpu())
            compute_errors++;
        compute_rounds++;
        c->seed++;
        anx_yield();
    }
    finish();
}

/* ---- the command -------------------------------------------------------------- */

static int lock_order(void)
{
    static struct anx_spinlock low = ANX_SPINLOCK_INIT("smp-stress low", ANX_LOCK_RANK_TEST);
    static struct anx_spinlock high = ANX_SPINLOCK_INIT("smp-stress high", ANX_LOCK_RANK_TEST + 1);
    anx_printf("smp-stress: taking 'smp-stress high' then 'smp-stress low' (the wrong order)\n");
    unsigned long f1 = anx_spin_lock(&high);
    unsigned long f2 = anx_spin_lock(&low);
    anx_spin_unlock(&low, f2);
    anx_spin_unlock(&high, f1);
    anx_printf("smp-stress: no lock-order check in this image (debug: false)\n");
    return 0;
}

/* ---- smp-stress bench: what the SMP machinery costs ------------------------------ */

struct spin_job { uint64_t iters; uint64_t out[64]; };

static void spin_chunk(size_t b, size_t e, void *ctx)
{
    struct spin_job *j = ctx;
    for (size_t c = b; c < e; c++) {
        uint64_t h = c;
        for (uint64_t i = 0; i < j->iters; i++)
            h = mix(h, i);
        j->out[c & 63] = h;
    }
}

static void empty_chunk(size_t b, size_t e, void *ctx)
{
    (void)b, (void)e, (void)ctx;
}

static uint64_t per_op_ns(uint64_t t0, unsigned n)
{
    return (anx_time_ns() - t0) / n;
}

static int bench(void)
{
    unsigned w = anx_parallel_width();
    enum { ROUNDS = 200 };
    uint64_t t0 = anx_time_ns();
    for (unsigned i = 0; i < ROUNDS; i++)
        if (anx_detach())
            anx_attach();
    uint64_t trip = per_op_ns(t0, ROUNDS);
    t0 = anx_time_ns();
    for (unsigned i = 0; i < ROUNDS; i++)
        anx_parallel_for(4 * (size_t)w, 1, empty_chunk, NULL);
    uint64_t empty = per_op_ns(t0, ROUNDS);
    static struct spin_job j = { .iters = 400000 };   /* ~40 ms of work under TCG */
    t0 = anx_time_ns();
    spin_chunk(0, 64, &j);
    uint64_t serial = anx_time_ns() - t0;
    t0 = anx_time_ns();
    anx_parallel_for(64, 1, spin_chunk, &j);
    uint64_t par = anx_time_ns() - t0;
    anx_printf("smp-bench: %u CPUs: detach+attach round trip %llu us, empty parallel loop %llu us, "
               "64 chunks of work %llu ms serial, %llu ms parallel: speedup %llu.%02llu\n", w,
               (unsigned long long)(trip / 1000), (unsigned long long)(empty / 1000),
               (unsigned long long)(serial / 1000000), (unsigned long long)(par / 1000000),
               (unsigned long long)(serial / (par ? par : 1)),
               (unsigned long long)(serial * 100 / (par ? par : 1) % 100));
    return 0;
}

static int cmd_smp_stress(int argc, char **argv)
{
    int64_t secs = 5;
    if (argc == 2 && !strcmp(argv[1], "lock-order"))
        return lock_order();
    if (argc == 2 && !strcmp(argv[1], "bench"))
        return bench();
    if (argc > 2 || (argc == 2 && (anx_parse_i64(argv[1], &secs) < 0 || secs < 1 || secs > 3600))) {
        anx_printf("usage: smp-stress [SECONDS (1-3600, default 5) | lock-order | bench]\n");
        return 1;
    }
    stop = false;
    cpus_seen = 0;
    lost_wakeups = handoffs = compute_rounds = compute_errors = loops = loop_errors = 0;
    locked_counter = chunk_calls = 0;
    done_threads = 0;
    unsigned started = 0;
    for (int i = 0; i < PAIRS; i++) {
        pairs[i].turn = 0;
        anx_waitq_init(&pairs[i].wq[0]);
        anx_waitq_init(&pairs[i].wq[1]);
        for (int s = 0; s < 2; s++) {
            players[i][s] = (struct player){ &pairs[i], s };
            started += anx_thread_create("smp-pingpong", player_run, &players[i][s], 0) != NULL;
        }
    }
    uint64_t *mem = anx_malloc(sizeof(uint64_t) * BUF_WORDS * 2 * (COMPUTERS + 1));
    if (!mem) {
        anx_printf("smp-stress: out of memory\n");
        return 1;
    }
    for (int i = 0; i < COMPUTERS; i++) {
        computers[i] = (struct computer){ mem + (size_t)i * 2 * BUF_WORDS,
                                          mem + ((size_t)i * 2 + 1) * BUF_WORDS, (unsigned)i * 1000 };
        started += anx_thread_create("smp-compute", computer_run, &computers[i], 0) != NULL;
    }
    uint64_t *v = mem + (size_t)COMPUTERS * 2 * BUF_WORDS;
    uint64_t end = anx_time_ns() + (uint64_t)secs * 1000000000ull;
    while (anx_time_ns() < end) {
        size_t n = 1000 + (size_t)(loops * 7919 % (2 * BUF_WORDS - 1000));
        if (!parallel_sum_ok(v, n, 16))
            loop_errors++;
        loops++;
        anx_yield();
    }
    stop = true;
    for (int i = 0; i < PAIRS; i++) {
        anx_waitq_wake_all(&pairs[i].wq[0]);
        anx_waitq_wake_all(&pairs[i].wq[1]);
    }
    while (done_threads < started)
        anx_wait_timeout(&done_wq, 100 * ANX_NS_PER_MS);
    anx_free(mem);

    unsigned n = anx_cpu_count(), nseen = 0;
    anx_printf("smp-stress: %llu handoffs, %llu lost wake-ups, %llu compute rounds (%llu wrong), "
               "%llu parallel loops (%llu wrong), locked counter %llu of %llu\n",
               (unsigned long long)handoffs, (unsigned long long)lost_wakeups,
               (unsigned long long)compute_rounds, (unsigned long long)compute_errors,
               (unsigned long long)loops, (unsigned long long)loop_errors,
               (unsigned long long)locked_counter, (unsigned long long)chunk_calls);
    anx_printf("smp-stress: CPUs seen:");
    for (unsigned i = 0; i < 64; i++)
        if (cpus_seen >> i & 1) {
            anx_printf(" %u", i);
            nseen++;
        }
    anx_printf("\n");
    bool ok = lost_wakeups == 0 && compute_errors == 0 && loop_errors == 0 && handoffs > 0 &&
              compute_rounds > 0 && nseen == n && locked_counter == chunk_calls;
    anx_printf("smp-stress: %s, CPUs seen: %s %u\n", ok ? "ok" : "FAIL",
               nseen == n ? "all" : "only", nseen);
    return ok ? 0 : 1;
}

static struct anx_command smp_stress_cmd = {
    .name = "smp-stress",
    .summary = "Test: work the scheduler, locks and every CPU, check the results",
    .usage = "smp-stress [SECONDS | lock-order | bench]",
    .fn = cmd_smp_stress,
};

static int smp_stress_init(void)
{
    return anx_command_register(&smp_stress_cmd);
}

ANX_MODULE(smp_test, .init = smp_stress_init);
