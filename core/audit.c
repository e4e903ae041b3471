/* The audit trail's core (<anx/audit.h>): a ring of the last events as
 * JSON lines, a sink for a module that keeps them, and the `audit`
 * command. */
#include <anx/audit.h>
#include <anx/buf.h>
#include <anx/command.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/time.h>

/* the ring is taken from the heap at the first event: an image that never
 * records one (most) pays nothing for it */
static char (*ring)[ANX_AUDIT_LINE];
static uint64_t seq;
static void (*sink_fn)(const struct anx_audit_event *, const char *, size_t);

/* s as JSON string content: quotes and backslashes escaped, control bytes as \u00XX */
static void json_text(struct anx_buf *b, const char *s)
{
    anx_buf_puts(b, "\"");
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            anx_buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            anx_buf_printf(b, "\\u%04x", c);
        else
            anx_buf_add(b, s, 1);
    }
    anx_buf_puts(b, "\"");
}

/* "2026-12-05T20:55:01Z" from unix seconds */
static void iso_time(uint64_t secs, char *out, size_t n)
{
    int64_t y;
    unsigned m, d;
    uint64_t rem = secs % 86400;
    anx_civil_from_days((int64_t)(secs / 86400), &y, &m, &d);
    snprintf(out, n, "%04lld-%02u-%02uT%02llu:%02llu:%02lluZ", (long long)y, m, d, (unsigned long long)(rem / 3600),
             (unsigned long long)(rem / 60 % 60), (unsigned long long)(rem % 60));
}

size_t anx_audit_json(const struct anx_audit_event *e, char *out, size_t n)
{
    struct anx_buf b = {0};
    char when[32];
    anx_buf_printf(&b, "{\"seq\": %llu, ", (unsigned long long)e->seq);
    if (e->unix_ns) {
        iso_time(e->unix_ns / 1000000000u, when, sizeof when);
        anx_buf_printf(&b, "\"time\": \"%s\", ", when);
    }
    anx_buf_printf(&b, "\"uptime_ms\": %llu, \"who\": ", (unsigned long long)(e->uptime_ns / 1000000u));
    json_text(&b, e->who ? e->who : "-");
    anx_buf_puts(&b, ", \"action\": ");
    json_text(&b, e->action ? e->action : "-");
    anx_buf_puts(&b, ", \"target\": ");
    json_text(&b, e->target ? e->target : "-");
    anx_buf_puts(&b, ", \"result\": ");
    json_text(&b, e->result ? e->result : "-");
    anx_buf_puts(&b, ", \"peer\": ");
    json_text(&b, e->peer ? e->peer : "-");
    anx_buf_puts(&b, "}\n");
    size_t len = 0;
    if (n) {
        len = b.p && !b.oom ? b.len : 0;
        if (len >= n) {
            /* cut, but keep it one line of valid-looking text for the reader */
            len = n - 2;
            out[len] = '\n';
            memcpy(out, b.p, len);
            len++;
            out[len] = 0;
        } else {
            if (len)
                memcpy(out, b.p, len);
            out[len] = 0;
        }
    }
    anx_buf_free(&b);
    return len;
}

static void print_line(const char *json, void *arg)
{
    (void)arg;
    anx_printf("%s", json);
}

static int cmd_audit(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        anx_printf("usage: audit\n");
        return 1;
    }
    anx_printf("%llu events since boot; the last %u:\n", (unsigned long long)seq,
               (unsigned)(seq < ANX_AUDIT_RING ? seq : ANX_AUDIT_RING));
    anx_audit_foreach(print_line, NULL);
    return 0;
}

static struct anx_command audit_cmd = {
    .name = "audit",
    .summary = "The last security events (logins, keys, writes)",
    .usage = "audit",
    .fn = cmd_audit,
};

void anx_audit_init(void)
{
    anx_command_register(&audit_cmd);
}

void anx_audit(const char *who, const char *action, const char *target, const char *result, const char *peer)
{
    char spare[ANX_AUDIT_LINE];
    if (!ring)
        ring = anx_calloc(ANX_AUDIT_RING, ANX_AUDIT_LINE);
    struct anx_audit_event e = {
        .seq = ++seq,
        .unix_ns = anx_time_has_wall_clock() ? anx_time_unix_ns() : 0,
        .uptime_ns = anx_uptime_ns(),
        .who = who, .action = action, .target = target, .result = result, .peer = peer,
    };
    char *line = ring ? ring[(e.seq - 1) % ANX_AUDIT_RING] : spare;   /* out of memory: the sink still gets it */
    size_t len = anx_audit_json(&e, line, ANX_AUDIT_LINE);
    if (sink_fn)
        sink_fn(&e, line, len);
}

void anx_audit_sink_set(void (*sink)(const struct anx_audit_event *e, const char *json, size_t len))
{
    sink_fn = sink;
}

void anx_audit_foreach(void (*fn)(const char *json, void *arg), void *arg)
{
    if (!ring)
        return;
    uint64_t first = seq > ANX_AUDIT_RING ? seq - ANX_AUDIT_RING + 1 : 1;
    for (uint64_t i = first; i <= seq; i++)
        fn(ring[(i - 1) % ANX_AUDIT_RING], arg);
}

uint64_t anx_audit_count(void)
{
    return seq;
}
