/*
 * audit_module.c - the audit module: the core's audit events
 * (<anx/audit.h>) kept as versions of one state object, `audit/events` by
 * default. The object store's versions are append-only history with
 * provenance (writer "audit", content type application/json, a version
 * number and time each), so the trail is read like any object's history:
 *
 *     anx> store log audit/events
 *     GET /api/v1/objects/audit/events/versions        (admin, with apikey)
 *
 * On a disk-backed store it outlives the boot. An event that cannot be
 * stored (the store full, not open yet) stays in the core's ring and is
 * counted; the first such failure is logged.
 */
#define LOG_TAG "audit"
#define SELF "audit"      /* this module, as the object store's grants name it */
#include <anx/audit.h>
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/module.h>

#include "objstore.h"

static unsigned long long stored, lost;

static void keep(const struct anx_audit_event *e, const char *json, size_t len)
{
    (void)e;
    struct objstore_write_opts o = {.writer = "audit", .type = "application/json"};
    int rc = os_ready() ? os_write(SELF, CONFIG_AUDIT_OBJECT, json, len, &o, NULL) : -1;
    if (rc == 0) {
        stored++;
        return;
    }
    if (!lost++)
        log_warn("an event could not be stored in %s (%s): events are kept in the ring only until it works",
                 CONFIG_AUDIT_OBJECT, rc == -1 ? "the store is not open" : anx_strerror(rc));
}

static int audit_init(void)
{
    anx_audit_sink_set(keep);
    log_info("events go to the object %s", CONFIG_AUDIT_OBJECT);
    return 0;
}

ANX_MODULE(audit, .init = audit_init);
