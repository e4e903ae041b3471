/*
 * The tls module's image glue: loads the trust anchors of the `ca:`
 * bundle, so that every TLS client in the image shares one set.
 *
 * Debian's bundle (ca-certificates 20230311+deb12u1, the default) is
 * 214 KiB of PEM holding 144 CA certificates (109 RSA, 35 EC keys); as
 * anchors (subject names and public keys: tls_trust_bytes) they take
 * 76 KiB of heap, beside the PEM itself in the image's files archive.
 * Decoding them takes about 50 ms under TCG, in a thread started at init
 * that yields after every certificate (threads are cooperative: other
 * modules start and the browser paints meanwhile); a client asking for
 * the anchors before they are in waits for them.
 */
#define LOG_TAG "tls"
#include <anx/errno.h>
#include <anx/files.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/random.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "tls_impl.h"

static const void *bundle;
static size_t bundle_size;
static struct tls_trust *trust;
static bool loading;
static struct anx_waitq loaded = ANX_WAITQ_INIT;

const struct tls_trust *tls_trust_default(void)
{
    while (loading)
        anx_wait_timeout(&loaded, 100 * ANX_NS_PER_MS);
    return trust;
}

static void loader(void *arg)
{
    (void)arg;
    uint64_t t0 = anx_time_ns();
    char err[160];
    trust = tls_trust_from_pem_each(bundle, bundle_size, err, sizeof err, anx_yield);
    loading = false;
    anx_waitq_wake_all(&loaded);
    if (!trust) {
        anx_module_fail("tls", ANX_ECORRUPT, "CA bundle %s: %s (tls module's ca: key)", CONFIG_TLS_CA,
                        err);
        return;
    }
    unsigned long long ms = (anx_time_ns() - t0) / ANX_NS_PER_MS;
    log_info("%zu trust anchors from %s (%zu KiB of PEM, %zu KiB in memory, %llu ms)%s",
             tls_trust_count(trust), CONFIG_TLS_CA, bundle_size / 1024,
             tls_trust_bytes(trust) / 1024, ms,
             tls_trust_skipped(trust) ? "; some certificates skipped (unsupported key type)" : "");
}

static int tls_init(void)
{
    if (anx_file_find(CONFIG_TLS_CA, &bundle, &bundle_size) < 0) {
        log_error("CA bundle %s is not in the image's files (tls module's ca: key; add the file "
                  "to the manifest's files:)",
                  CONFIG_TLS_CA);
        return ANX_ENOENT;
    }
    loading = true;
    if (!anx_thread_create("tls-ca", loader, NULL, 32 * 1024)) {
        loading = false;
        log_error("cannot create the thread that loads the CA bundle");
        return ANX_ENOMEM;
    }
    if (!anx_random_ready())
        log_warn("no hardware random source yet: TLS connections are refused until one seeds "
                 "the generator");
    return 0;
}

ANX_MODULE(tls, .init = tls_init);
