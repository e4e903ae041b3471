/* The module runtime: init every module of the generated table in order,
 * remember which failed and why (module.h says what a failure means). */
#include <stdarg.h>
#include <anx/errno.h>
#include <anx/kernel.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/time.h>

/* One state per table row. Static so that recording a failure never needs
 * the heap (out of memory is a common reason to fail); an image holds far
 * fewer modules than this. */
#define MAX_MODULES 128
#define REASON_MAX 160

static struct {
    enum anx_module_state state;
    int error;
    char reason[REASON_MAX];
} states[MAX_MODULES];

static size_t index_of(const char *name)
{
    for (size_t i = 0; i < anx_module_count; i++)
        if (strcmp(anx_module_table[i].name, name) == 0)
            return i;
    return (size_t)-1;
}

static void set_failed(size_t i, int error, const char *reason)
{
    if (i >= MAX_MODULES)
        return;
    states[i].state = ANX_MODULE_FAILED;
    states[i].error = error < 0 ? error : -error;
    strlcpy(states[i].reason, reason, REASON_MAX);
}

/* Init module i; 0, or its (negative) error with the module marked failed. */
static int init_one(size_t i)
{
    const struct anx_module *m = &anx_module_table[i];
    char tag[48];
    snprintf(tag, sizeof tag, "module %s", m->name);
    if (!m->ops || !m->ops->init) {
        if (i < MAX_MODULES)
            states[i].state = ANX_MODULE_OK;
        anx_log(ANX_LOG_INFO, tag, "ok (no init)");
        return 0;
    }
    /* the reason of a failure is the last error line the module logged */
    unsigned errors_before = anx_log_last_error(NULL, 0);
    uint64_t t0 = anx_time_ns();
    int rc = m->ops->init();
    uint64_t us = (anx_time_ns() - t0) / ANX_NS_PER_US;
    if (rc == 0) {
        if (i < MAX_MODULES && states[i].state != ANX_MODULE_FAILED)
            states[i].state = ANX_MODULE_OK;
        anx_log(ANX_LOG_INFO, tag, "ok (%llu us)", (unsigned long long)us);
        return 0;
    }
    char reason[REASON_MAX] = "";
    if (anx_log_last_error(reason, sizeof reason) == errors_before)
        reason[0] = 0;      /* it said nothing: only the error code is known */
    size_t nl = strlen(m->name);   /* "infer: x" -> "x": the module is named anyway */
    const char *r = !strncmp(reason, m->name, nl) && !strncmp(reason + nl, ": ", 2) ? reason + nl + 2 : reason;
    int err = rc < 0 ? rc : -rc;   /* a positive return is read as its negative */
    set_failed(i, err, r);
    anx_log(ANX_LOG_ERROR, tag, "init failed: %s (error %d, %llu us)%s", anx_strerror(err), err,
            (unsigned long long)us,
            m->ops->essential ? ": it is essential, the boot stops" : "; the boot goes on without it");
    return err;
}

int anx_modules_init(void)
{
    for (size_t i = 0; i < anx_module_count; i++) {
        int rc = init_one(i);
        if (rc != 0 && anx_module_table[i].ops->essential)
            return rc;
    }
    for (size_t i = 0; i < anx_module_count; i++) {
        const struct anx_module *m = &anx_module_table[i];
        bool failed = i < MAX_MODULES && states[i].state == ANX_MODULE_FAILED;
        if (m->ops && m->ops->start && !failed)
            m->ops->start();
    }
    return 0;
}

int anx_module_present(const char *name)
{
    return index_of(name) != (size_t)-1;
}

struct anx_module_status anx_module_status(size_t i)
{
    struct anx_module_status s = { ANX_MODULE_WAITING, 0, "" };
    if (i < anx_module_count && i < MAX_MODULES) {
        s.state = states[i].state;
        s.error = states[i].error;
        s.reason = states[i].reason;
    }
    return s;
}

struct anx_module_status anx_module_status_of(const char *name)
{
    return anx_module_status(index_of(name));
}

size_t anx_modules_failed(void)
{
    size_t n = 0;
    for (size_t i = 0; i < anx_module_count && i < MAX_MODULES; i++)
        n += states[i].state == ANX_MODULE_FAILED;
    return n;
}

void anx_module_fail(const char *name, int error, const char *fmt, ...)
{
    char reason[REASON_MAX], tag[48];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    size_t i = index_of(name);
    snprintf(tag, sizeof tag, "module %s", name);
    anx_log(ANX_LOG_ERROR, tag, "failed: %s", reason);
    if (i == (size_t)-1)
        return;
    set_failed(i, error, reason);
    if (anx_module_table[i].ops && anx_module_table[i].ops->essential) {
        anx_log(ANX_LOG_ERROR, tag, "it is essential: powering off");
        anx_poweroff(ANX_EXIT_FAILURE);
    }
}

const char *anx_module_state_name(enum anx_module_state s)
{
    return s == ANX_MODULE_OK ? "ok" : s == ANX_MODULE_FAILED ? "failed" : "waiting";
}
