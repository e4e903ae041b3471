/* The audit trail's core (core/audit.c): each event one JSON line with
 * its fields escaped and the wall-clock time in ISO 8601 when there is
 * one, the ring of the last ANX_AUDIT_RING, the sink, lines cut to fit. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "audit"
#include "unit.h"
#include <anx/audit.h>
#include <anx/lib.h>
#include <anx/mem.h>

static char last[ANX_AUDIT_LINE];
static int sunk;

static void sink(const struct anx_audit_event *e, const char *json, size_t len)
{
    (void)e;
    sunk++;
    memcpy(last, json, len);
    last[len] = 0;
}

static int lines;
static char first_line[ANX_AUDIT_LINE];
static void count_line(const char *json, void *arg)
{
    (void)arg;
    if (!lines++)
        strlcpy(first_line, json, sizeof first_line);
}

TEST(one_event_one_json_line)
{
    struct anx_audit_event e = {.seq = 7, .unix_ns = 1764966901ull * 1000000000ull, .uptime_ns = 2500000000ull,
                                .who = "ssh:anx", .action = "exec", .target = "echo \"hi\"\\\n", .result = "exit 0",
                                .peer = NULL};
    char out[ANX_AUDIT_LINE];
    size_t n = anx_audit_json(&e, out, sizeof out);
    CHECK_STR(out, "{\"seq\": 7, \"time\": \"2025-12-05T20:35:01Z\", \"uptime_ms\": 2500, \"who\": \"ssh:anx\", "
                   "\"action\": \"exec\", \"target\": \"echo \\\"hi\\\"\\\\\\u000a\", \"result\": \"exit 0\", "
                   "\"peer\": \"-\"}\n");
    CHECK_EQ(n, strlen(out));
    /* no wall clock: no time field; a leap day */
    e.unix_ns = 0;
    anx_audit_json(&e, out, sizeof out);
    CHECK(strstr(out, "\"time\"") == NULL && strstr(out, "\"uptime_ms\": 2500") != NULL);
    e.unix_ns = 951782400ull * 1000000000ull;   /* 2000-02-29 00:00:00 */
    anx_audit_json(&e, out, sizeof out);
    CHECK(strstr(out, "\"time\": \"2000-02-29T00:00:00Z\"") != NULL);
    /* cut to fit: still one line */
    char small[40];
    n = anx_audit_json(&e, small, sizeof small);
    CHECK_EQ(n, sizeof small - 1);
    CHECK(small[n - 1] == '\n' && small[n] == 0 && strchr(small, '\n') == small + n - 1);
}

TEST(ring_and_sink)
{
    anx_audit_sink_set(sink);
    for (int i = 0; i < ANX_AUDIT_RING + 5; i++)
        anx_audit("key:ci", "PUT", "/api/v1/objects/a", "201", "10.0.2.2");
    CHECK_EQ(sunk, ANX_AUDIT_RING + 5);
    CHECK_EQ(anx_audit_count(), ANX_AUDIT_RING + 5);
    CHECK(strstr(last, "\"seq\": 37, ") && strstr(last, "\"peer\": \"10.0.2.2\"}\n"));
    anx_audit_foreach(count_line, NULL);
    CHECK_EQ(lines, ANX_AUDIT_RING);   /* the oldest five are gone from the ring */
    CHECK(strstr(first_line, "\"seq\": 6, ") != NULL);
    anx_audit_sink_set(NULL);
    anx_audit(NULL, NULL, NULL, NULL, NULL);
    CHECK_EQ(sunk, ANX_AUDIT_RING + 5);
}

int main(void)
{
    unit_heap_init(4u << 20);
    RUN(one_event_one_json_line);
    RUN(ring_and_sink);
    return unit_done();
}
