/* modules/audit: each core audit event becomes a version of the configured
 * object, written by "audit" as application/json; while the store cannot
 * take it (not open, full) the event is lost to the object, not to the
 * core's ring, and the first loss is logged once. The object store is a
 * fake here that records what it was asked to write. */
#include <stdint.h>
#define UNIT_FILE "audit-module"
#include "unit.h"
#include <anx/audit.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>

#include "objstore.h"

extern const struct anx_module_ops anx_module_audit;
const struct anx_module anx_module_table[] = {{ .name = "audit", .summary = "audit", .ops = &anx_module_audit }};
const size_t anx_module_count = 1;

static bool store_open;
static int store_error, writes;
static char last_name[64], last_writer[16], last_type[32], last_data[400];

bool os_ready(void)
{
    return store_open;
}

int os_write(const char *module, const char *name, const void *data, size_t len,
             const struct objstore_write_opts *o, struct objstore_version *out)
{
    (void)out;
    CHECK_STR(module, "audit");     /* checked against audit's object grant */
    if (store_error)
        return store_error;
    writes++;
    strlcpy(last_name, name, sizeof last_name);
    strlcpy(last_writer, o && o->writer ? o->writer : "", sizeof last_writer);
    strlcpy(last_type, o && o->type ? o->type : "", sizeof last_type);
    memcpy(last_data, data, len < sizeof last_data - 1 ? len : sizeof last_data - 1);
    last_data[len < sizeof last_data - 1 ? len : sizeof last_data - 1] = 0;
    return 0;
}

TEST(events_become_versions)
{
    CHECK_EQ(anx_module_audit.init(), 0);
    store_open = true;
    anx_audit("ssh:anx", "login publickey SHA256:abc", "ssh", "ok", "10.0.2.2:5000");
    CHECK_EQ(writes, 1);
    CHECK_STR(last_name, "audit/events");   /* CONFIG_AUDIT_OBJECT's default */
    CHECK_STR(last_writer, "audit");
    CHECK_STR(last_type, "application/json");
    CHECK(strstr(last_data, "\"who\": \"ssh:anx\", \"action\": \"login publickey SHA256:abc\"") != NULL);
    CHECK(last_data[strlen(last_data) - 1] == '\n');
}

static char logbuf[8192];
static size_t loglen;
static void grab(const char *s, size_t n, void *ctx)
{
    (void)ctx;
    if (loglen + n < sizeof logbuf) {
        memcpy(logbuf + loglen, s, n);
        loglen += n;
        logbuf[loglen] = 0;
    }
}

static int occurrences(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

TEST(a_store_that_cannot_take_it)
{
    store_open = false;
    anx_audit("key:ci", "PUT", "/api/v1/objects/a", "201", "10.0.2.2");
    store_open = true;
    store_error = ANX_ENOSPC;
    anx_audit("key:ci", "PUT", "/api/v1/objects/b", "201", "10.0.2.2");
    CHECK_EQ(writes, 1);
    store_error = 0;
    anx_audit("key:ci", "DELETE", "/api/v1/objects/a", "204", "10.0.2.2");
    CHECK_EQ(writes, 2);
    CHECK(strstr(last_data, "\"action\": \"DELETE\"") != NULL);
    CHECK_EQ(anx_audit_count(), 4);   /* the core's ring has them all */
    loglen = 0;
    anx_log_dump(grab, NULL);
    CHECK_EQ(occurrences(logbuf, "could not be stored in audit/events (the store is not open)"), 1);
    CHECK_EQ(occurrences(logbuf, "could not be stored"), 1);   /* the first loss only */
}

int main(void)
{
    unit_heap_init(4u << 20);
    RUN(events_become_versions);
    RUN(a_store_that_cannot_take_it);
    return unit_done();
}
