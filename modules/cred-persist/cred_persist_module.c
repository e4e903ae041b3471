/*
 * cred-persist: a generated SSH host key that stays the same across
 * reboots (docs/credentials.md, "Host keys"). At start - after the object
 * store opened its disk - each ssh-host-key credential granted to this
 * module that was not provisioned is either read back from the object
 * cred/NAME (sealed: cred_host_key_unseal) or, when there is none yet,
 * sealed and written there. The seal is ChaCha20-Poly1305 under a key the
 * cred module derives from the secret credential named by config `key`
 * (store-key), so the disk, `store cat` and objstore-http show only
 * ciphertext; the plain key never leaves the cred module.
 */
#define LOG_TAG "cred-persist"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include "cred.h"
#include "objstore.h"

#define SELF "cred-persist"

/* Read back or store one host key. */
static void persist_one(const struct cred_info *c)
{
    char obj[96];
    snprintf(obj, sizeof obj, "%s%s", CONFIG_CRED_PERSIST_PREFIX, c->name);
    void *data = NULL;
    size_t len = 0;
    int err = os_read(SELF, obj, 0, &data, &len, NULL);
    if (err == 0) {
        err = cred_host_key_unseal(SELF, c->name, CONFIG_CRED_PERSIST_KEY, data, len);
        anx_free(data);
        if (!err)
            log_info("host key '%s' restored from object %s", c->name, obj);
        else if (err == ANX_EAUTH)
            log_error("host key '%s': object %s does not open with this '%s' (another --secret %s than when it was "
                      "stored?); using a new key for this boot, the stored one is kept", c->name, obj,
                      CONFIG_CRED_PERSIST_KEY, CONFIG_CRED_PERSIST_KEY);
        else
            log_error("host key '%s': object %s: %s; using a new key for this boot", c->name, obj, anx_strerror(err));
        return;
    }
    if (err != ANX_ENOENT) {
        log_error("host key '%s': reading object %s failed: %s; the key lasts only this boot", c->name, obj,
                  anx_strerror(err));
        return;
    }
    uint8_t sealed[CRED_SEALED_SIZE];
    err = cred_host_key_seal(SELF, c->name, CONFIG_CRED_PERSIST_KEY, sealed);
    if (!err) {
        struct objstore_write_opts o = {.writer = SELF, .type = "application/octet-stream"};
        err = os_write(SELF, obj, sealed, sizeof sealed, &o, NULL);
    }
    if (!err)
        log_info("host key '%s' stored sealed in object %s", c->name, obj);
    else
        log_error("host key '%s': storing it failed: %s; the key lasts only this boot", c->name, anx_strerror(err));
}

/* Whether the manifest grants credential c to this module (asked without
 * cred_find, which would log a refusal for every other host key). */
static bool mine(const struct cred_info *c)
{
    size_t n = strlen(SELF);
    for (const char *p = c->modules; (p = strstr(p, SELF)); p += n)
        if ((p == c->modules || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return true;
    return false;
}

static void cred_persist_start(void)
{
    const struct cred_info *key;
    int err = cred_find(SELF, CONFIG_CRED_PERSIST_KEY, &key);
    if (err || key->type != CRED_SECRET || key->origin == CRED_MISSING) {
        anx_module_fail(SELF, err ? err : ANX_ENOENT,
                        "no secret '%s' to seal host keys with: declare it (type: secret, modules: [%s]) and give it "
                        "with `anx run --secret %s=FILE`", CONFIG_CRED_PERSIST_KEY, SELF, CONFIG_CRED_PERSIST_KEY);
        return;
    }
    if (!os_ready()) {
        anx_module_fail(SELF, ANX_EAGAIN, "the object store is not open: host keys last only this boot");
        return;
    }
    for (size_t i = 0; i < cred_count(); i++) {
        const struct cred_info *c = cred_at(i);
        /* only generated keys: a provisioned one is the operator's to keep */
        if (c->type == CRED_SSH_HOST_KEY && c->origin != CRED_PROVISIONED && mine(c))
            persist_one(c);
    }
}

ANX_MODULE(cred_persist, .start = cred_persist_start);
