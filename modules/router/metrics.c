/*
 * metrics.c - the router's /metrics text in the Prometheus exposition
 * format (version 0.0.4: "# HELP"/"# TYPE" lines, then one sample a line;
 * label values escape backslash, quote and newline): per-route request,
 * error and latency-histogram counters, engine health, the core heap and
 * page allocator, the uptime, and whatever other modules register with
 * rt_metrics_register.
 */
#include <stddef.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/smp.h>
#include <anx/time.h>

#include "router.h"

static struct rt_metrics_source *sources;

void rt_metrics_reset(void)
{
    sources = NULL;
}

/* ---- metrics ------------------------------------------------------------------------------ */

void rt_metrics_register(struct rt_metrics_source *s)
{
    struct rt_metrics_source **pp = &sources;
    while (*pp)
        pp = &(*pp)->next;
    s->next = NULL;
    *pp = s;
}

/* A label value: backslash, quote and newline escaped. */
static void label(struct anx_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            anx_buf_add(b, "\\", 1);
        if (*s == '\n') {
            anx_buf_add(b, "\\n", 2);
            continue;
        }
        anx_buf_add(b, s, 1);
    }
}

static void us_as_seconds(struct anx_buf *b, uint64_t us)
{
    anx_buf_printf(b, "%llu.%06llu", (unsigned long long)(us / 1000000),
                   (unsigned long long)(us % 1000000));
}

/* One counter family with a sample per route: the uint64_t at `field` of
 * struct rt_route. */
static void route_counter(struct anx_buf *b, const char *metric, const char *help, size_t field)
{
    anx_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n", metric, help, metric);
    for (struct rt_route *r = rt_route_first(); r; r = r->next) {
        anx_buf_printf(b, "%s{route=\"", metric);
        label(b, r->name);
        anx_buf_printf(b, "\"} %llu\n", (unsigned long long)*(const uint64_t *)((const char *)r + field));
    }
}

/* What each CPU did (<anx/smp.h>): CPU 0 runs the kernel, the others
 * detached threads and parallel-loop chunks. */
static void cpu_lines(struct anx_buf *b)
{
    static const char *const what[] = { "busy_seconds", "detached_runs_total", "chunks_total" };
    static const char *const help[] = {
        "Time the CPU was not waiting for an interrupt.",
        "Times a detached thread (an inference step, say) started running on the CPU.",
        "Parallel-loop chunks the CPU ran.",
    };
    for (int k = 0; k < 3; k++) {
        anx_buf_printf(b, "# HELP anx_cpu_%s %s\n# TYPE anx_cpu_%s %s\n", what[k], help[k], what[k],
                       "counter");
        for (unsigned i = 0; i < anx_cpu_count(); i++) {
            struct anx_cpu_info c;
            anx_cpu_info(i, &c);
            anx_buf_printf(b, "anx_cpu_%s{cpu=\"%u\"} ", what[k], i);
            if (k == 0)
                us_as_seconds(b, c.busy_ns / 1000);
            else
                anx_buf_printf(b, "%llu", (unsigned long long)(k == 1 ? c.detached_runs : c.chunks));
            anx_buf_puts(b, "\n");
        }
    }
}

void rt_metrics_text(struct anx_buf *b)
{
    route_counter(b, "anx_route_requests_total", "Requests dispatched to the route.",
                  offsetof(struct rt_route, count));
    route_counter(b, "anx_route_errors_total", "Requests the route failed (engine error or 5xx).",
                  offsetof(struct rt_route, errors));
    anx_buf_puts(b, "# HELP anx_route_latency_seconds Time to handle a request, by route.\n"
                    "# TYPE anx_route_latency_seconds histogram\n");
    for (struct rt_route *r = rt_route_first(); r; r = r->next) {
        uint64_t cum = 0;
        for (size_t i = 0; i <= RT_HIST_BUCKETS; i++) {
            cum += r->hist[i];
            anx_buf_puts(b, "anx_route_latency_seconds_bucket{route=\"");
            label(b, r->name);
            anx_buf_puts(b, "\",le=\"");
            if (i < RT_HIST_BUCKETS)
                us_as_seconds(b, rt_hist_bounds_us[i]);
            else
                anx_buf_puts(b, "+Inf");
            anx_buf_printf(b, "\"} %llu\n", (unsigned long long)cum);
        }
        anx_buf_puts(b, "anx_route_latency_seconds_sum{route=\"");
        label(b, r->name);
        anx_buf_puts(b, "\"} ");
        us_as_seconds(b, r->latency_sum_us);
        anx_buf_puts(b, "\nanx_route_latency_seconds_count{route=\"");
        label(b, r->name);
        anx_buf_printf(b, "\"} %llu\n", (unsigned long long)r->count);
    }
    anx_buf_puts(b, "# HELP anx_engine_healthy Whether the engine is healthy (1) or not (0).\n"
                    "# TYPE anx_engine_healthy gauge\n");
    for (struct rt_engine *e = rt_engine_first(); e; e = e->next) {
        anx_buf_puts(b, "anx_engine_healthy{engine=\"");
        label(b, e->name);
        anx_buf_printf(b, "\"} %d\n", rt_engine_healthy(e) ? 1 : 0);
    }
    struct anx_heap_stats hs;
    anx_heap_stats(&hs);
    anx_buf_printf(
        b,
        "# HELP anx_heap_in_use_bytes Heap bytes allocated and live.\n"
        "# TYPE anx_heap_in_use_bytes gauge\nanx_heap_in_use_bytes %zu\n"
        "# TYPE anx_heap_peak_bytes gauge\nanx_heap_peak_bytes %zu\n"
        "# TYPE anx_heap_allocation_failures_total counter\nanx_heap_allocation_failures_total %zu\n"
        "# HELP anx_heap_pages Pages the heap holds (small-block pages and live large blocks).\n"
        "# TYPE anx_heap_pages gauge\nanx_heap_pages %zu\n",
        hs.in_use, hs.peak, hs.failures, hs.small_pages + hs.large_pages);
    /* Pages of the page allocator, whoever took them (the heap, a RAM store, thread stacks,
     * driver rings): a leak that bypasses the heap shows here, and a soak test watches both. */
    struct anx_pmem_stats ps;
    anx_pmem_stats(&ps);
    anx_buf_printf(b,
                   "# HELP anx_pages_in_use Pages of the page allocator in use (4 KiB each).\n"
                   "# TYPE anx_pages_in_use gauge\nanx_pages_in_use %zu\n"
                   "# TYPE anx_pages_total gauge\nanx_pages_total %zu\n"
                   "# HELP anx_uptime_seconds Time since the image started.\n"
                   "# TYPE anx_uptime_seconds gauge\nanx_uptime_seconds ",
                   ps.total_pages - ps.free_pages, ps.total_pages);
    us_as_seconds(b, anx_uptime_ns() / 1000);
    anx_buf_puts(b, "\n");
    cpu_lines(b);
    for (struct rt_metrics_source *s = sources; s; s = s->next)
        s->emit(b, s->arg);
}
