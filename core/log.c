/*
 * Levelled logging: "[    0.000123] tag: message" lines to the console
 * and into a ring buffer of recent lines.
 */
#include <anx/console.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/time.h>

#define RING 8192u      /* power of two */
#define LINE 256

static int level = ANX_LOG_INFO;
static char ring[RING];
static unsigned ring_head;      /* free-running: bytes ever written */

static const char *const level_names[] = { "error", "warn", "info", "debug" };

/* The last error line ("tag: message"), for the module runtime's reasons. */
static char last_error[160];
static unsigned error_count;

unsigned anx_log_last_error(char *buf, size_t n)
{
    if (buf && n)
        strlcpy(buf, last_error, n);
    return error_count;
}

int anx_cmdline_get(const char *cmdline, const char *key, char *buf, size_t n)
{
    size_t kl = strlen(key);
    const char *p = cmdline;
    while (p && *p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - w) > kl && strncmp(w, key, kl) == 0 && w[kl] == '=') {
            size_t vl = (size_t)(p - w) - kl - 1;
            if (n) {
                size_t c = vl < n - 1 ? vl : n - 1;
                memcpy(buf, w + kl + 1, c);
                buf[c] = 0;
            }
            return 0;
        }
    }
    return -1;
}

void anx_log_init(const char *cmdline)
{
    char v[16];
    if (anx_cmdline_get(cmdline, "loglevel", v, sizeof v) < 0)
        return;
    for (int i = 0; i < 4; i++)
        if (strcmp(v, level_names[i]) == 0 || (v[0] == '0' + i && !v[1]))
            level = i;
}

int anx_log_level(void)
{
    return level;
}

void anx_log_set_level(int l)
{
    if (l >= ANX_LOG_ERROR && l <= ANX_LOG_DEBUG)
        level = l;
}

void anx_vlog(int lvl, const char *tag, const char *fmt, va_list ap)
{
    char line[LINE];
    int keep = level > ANX_LOG_INFO ? level : ANX_LOG_INFO;
    if (lvl > keep)
        return;
    uint64_t t = anx_uptime_ns();
    int n = snprintf(line, sizeof line, "[%5llu.%06llu] %s: %s",
                     (unsigned long long)(t / ANX_NS_PER_S),
                     (unsigned long long)(t % ANX_NS_PER_S / ANX_NS_PER_US), tag,
                     lvl == ANX_LOG_ERROR ? "error: " : lvl == ANX_LOG_WARN ? "warning: " : "");
    if (n < 0 || n >= (int)sizeof line - 1)
        n = (int)sizeof line - 2;
    int msg_at = n;
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    n += m;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    line[n] = 0;

    unsigned long f = plat_irq_save();
    if (lvl == ANX_LOG_ERROR) {
        /* the message without the time stamp, "error: " and the newline */
        snprintf(last_error, sizeof last_error, "%s: %.*s", tag, n - 1 - msg_at, line + msg_at);
        error_count++;
    }
    for (int i = 0; i < n; i++)
        ring[ring_head++ % RING] = line[i];
    plat_irq_restore(f);
    if (lvl <= level)
        anx_console_write_machine(line, (size_t)n);
}

void anx_log(int lvl, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    anx_vlog(lvl, tag, fmt, ap);
    va_end(ap);
}

void anx_log_dump(void (*out)(const char *s, size_t n, void *ctx), void *ctx)
{
    unsigned start = ring_head > RING ? ring_head - RING : 0, end = ring_head;
    if (ring_head > RING) {
        /* skip the partial first line */
        while (start < end && ring[start++ % RING] != '\n')
            ;
    }
    while (start < end) {
        unsigned i = start % RING;
        unsigned len = ANX_MIN(end - start, RING - i);
        out(ring + i, len, ctx);
        start += len;
    }
}
