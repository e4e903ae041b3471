/* core/object_grants.c: which module may read or write which object names
 * (module.h, "object grants"): the matching rule of one entry, the tables
 * of the generated module table, and the log line of a refusal. */
#include <stdint.h>
#include <string.h>
#define UNIT_FILE "object_grants"
#include "unit.h"
#include <anx/module.h>

static const char *store_http[] = { "*", NULL };
static const char *audit_rw[] = { "audit/events", NULL };
static const char *notes_w[] = { "notes/", "tmp/", NULL };
const struct anx_module anx_module_table[] = {
    { .name = "objstore-http", .summary = "HTTP", .reads = store_http, .writes = notes_w },
    { .name = "audit", .summary = "audit", .reads = audit_rw, .writes = audit_rw },
    { .name = "shell", .summary = "nothing granted" },
};
const size_t anx_module_count = 3;

TEST(one_entry)
{
    CHECK(anx_grant_covers("*", "anything/at/all"));
    CHECK(anx_grant_covers("notes/", "notes/a"));
    CHECK(anx_grant_covers("notes/", "notes/a/b"));
    CHECK(!anx_grant_covers("notes/", "notes"));         /* the folder itself is not a name under it */
    CHECK(!anx_grant_covers("notes/", "notesx/a"));
    CHECK(anx_grant_covers("sys/revoked-tokens", "sys/revoked-tokens"));
    CHECK(anx_grant_covers("sys/revoked-tokens", "sys/revoked-tokens/old"));
    CHECK(!anx_grant_covers("sys/revoked-tokens", "sys/revoked-tokens2"));
    CHECK(!anx_grant_covers("sys/revoked-tokens", "sys/revoked"));
    CHECK(!anx_grant_covers("", "a"));                   /* an empty entry grants nothing */
}

TEST(tables)
{
    CHECK(anx_object_grant_test("objstore-http", "etc/motd", ANX_ACCESS_READ));
    CHECK(anx_object_grant_test("objstore-http", "notes/a", ANX_ACCESS_WRITE));
    CHECK(!anx_object_grant_test("objstore-http", "etc/motd", ANX_ACCESS_WRITE));
    CHECK(anx_object_grant_test("audit", "audit/events", ANX_ACCESS_WRITE));
    CHECK(!anx_object_grant_test("audit", "notes/a", ANX_ACCESS_READ));
    CHECK(!anx_object_grant_test("shell", "notes/a", ANX_ACCESS_READ));   /* NULL tables grant nothing */
    CHECK(!anx_object_grant_test("infer", "models/x", ANX_ACCESS_READ));  /* not in the image */
    CHECK(!anx_object_grant_test(NULL, "models/x", ANX_ACCESS_READ));
}

TEST(a_refusal_is_logged)
{
    unit_console_clear();
    CHECK(anx_object_granted("objstore-http", "notes/a", ANX_ACCESS_WRITE));
    CHECK_EQ(unit_console_len, 0);                       /* a granted call is quiet */
    CHECK(!anx_object_granted("objstore-http", "etc/motd", ANX_ACCESS_WRITE));
    CHECK(strstr(unit_console, "module objstore-http may not write object 'etc/motd'"));
    unit_console_clear();
    CHECK(!anx_object_granted("audit", "models/x", ANX_ACCESS_READ));
    CHECK(strstr(unit_console, "module audit may not read object 'models/x'"));
}

int main(void)
{
    RUN(one_entry);
    RUN(tables);
    RUN(a_refusal_is_logged);
    return unit_done();
}
