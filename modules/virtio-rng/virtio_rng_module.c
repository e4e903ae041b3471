/* virtio-rng: the host's entropy for the image's random-number generator
 * (<anx/random.h>). QEMU's -device virtio-rng-pci (modern 0x1044,
 * transitional 0x1005) or virtio-rng-device (mmio, device id 4) reads the
 * host's /dev/urandom.
 *
 * virtio 1.2 §5.4: the device has no features and no configuration space,
 * and one queue (requestq, 0) of device-writable buffers it fills with
 * random bytes, saying how many in the used element's length.
 *
 * One 64-byte buffer per device is with the device at all times but the
 * moment its bytes are taken: at probe the driver waits (at most a second)
 * for the first fill and hands it to the generator, so keys can be made
 * by the time the modules are up even on a CPU without RDRAND/RNDR; then,
 * at every reseed of the generator (a registered anx_random_source), it
 * hands over the bytes the device wrote since and posts the buffer again.
 * The generator's reseed must not block, so the driver never waits there:
 * bytes not back yet join the next reseed. The interrupt only wakes the
 * probe's wait; the transport acknowledges it. */
#define LOG_TAG "virtio-rng"
#include <anx/chacha20.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/random.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "virtio.h"

#define VIRTIO_ID_RNG 4
#define FILL_BYTES 64
#define FIRST_FILL_NS (1000 * ANX_NS_PER_MS)

struct vrng {
    struct virtio_dev *vd;
    struct virtq *q;
    bool posted;                        /* buf is the device's */
    uint8_t buf[FILL_BYTES];
    struct anx_waitq wq;                /* the probe waiting for the first fill */
    struct anx_random_source src;
    uint64_t bytes, fills;
};

static void post(struct vrng *v)
{
    struct virtq_buf b = { (uintptr_t)v->buf, sizeof v->buf };
    if (virtio_queue_add(v->q, &b, 0, 1, v) == 0) {
        v->posted = true;
        virtio_queue_kick(v->q);
    }
}

/* Hand the device's bytes to the generator when they are back, and post the
 * buffer for the next time; false when the device has not filled it yet. */
static bool take(struct vrng *v)
{
    uint32_t len;
    if (!virtio_queue_get(v->q, &len))
        return false;
    v->posted = false;
    len = ANX_MIN(len, (uint32_t)sizeof v->buf);
    if (len) {
        anx_random_add(v->buf, len, "virtio-rng");
        v->bytes += len;
        v->fills++;
    }
    anx_chacha20_wipe(v->buf, sizeof v->buf);
    post(v);
    return true;
}

/* The generator reseeds: what the device wrote since the last time. */
static void vrng_reseed(struct anx_random_source *src)
{
    struct vrng *v = src->priv;
    if (!take(v) && !v->posted)
        post(v);                        /* a post that found the ring full */
}

static void vrng_irq(void *arg, bool config_changed)
{
    (void)config_changed;
    anx_waitq_wake_all(&((struct vrng *)arg)->wq);
}

/* The first fill, waited for: woken by the interrupt, or looking every
 * 10 ms when the line is not routed. */
static bool first_fill(struct vrng *v, bool irq)
{
    uint64_t deadline = anx_time_ns() + FIRST_FILL_NS;
    while (!take(v)) {
        uint64_t now = anx_time_ns();
        if (now >= deadline)
            return false;
        uint64_t wait = irq ? deadline - now : ANX_MIN(deadline - now, 10 * ANX_NS_PER_MS);
        unsigned long f = plat_irq_save();
        if (!virtio_queue_has_used(v->q))   /* checked with interrupts off: no lost wake-up */
            anx_wait_timeout(&v->wq, wait);
        plat_irq_restore(f);
    }
    return true;
}

static int vrng_probe(struct virtio_dev *vd)
{
    struct vrng *v = anx_calloc(1, sizeof *v);
    if (!v)
        return ANX_ENOMEM;
    v->vd = vd;
    vd->priv = v;
    anx_waitq_init(&v->wq);
    if (virtio_begin(vd, 0) != 0) {
        anx_free(v);
        return ANX_EIO;
    }
    v->q = virtio_queue_setup(vd, 0, 8);
    if (!v->q) {
        log_warn("%s: request queue set-up failed", vd->dev->name);
        virtio_fail(vd);
        anx_free(v);
        return ANX_EIO;
    }
    bool irq = virtio_irq(vd, vrng_irq, v) == 0;
    virtio_ready(vd);
    post(v);
    bool filled = first_fill(v, irq);
    v->src.name = "virtio-rng";
    v->src.reseed = vrng_reseed;
    v->src.priv = v;
    anx_random_source_register(&v->src);
    if (filled)
        log_info("%s: %s transport%s, irq %d: %llu bytes for the random generator", vd->dev->name,
                 vd->dev->bus == ANX_BUS_PCI ? "pci" : "mmio", vd->legacy ? " (legacy)" : "",
                 irq ? vd->dev->irq : -1, (unsigned long long)v->bytes);
    else
        log_warn("%s: no random bytes within %llu ms (QEMU's rng backend stalled?); asking again "
                 "at each reseed", vd->dev->name, (unsigned long long)(FIRST_FILL_NS / ANX_NS_PER_MS));
    return 0;
}

static struct virtio_driver vrng_driver = {
    .name = "virtio-rng", .id = VIRTIO_ID_RNG, .probe = vrng_probe,
};

/* Without a device the module has nothing to feed: it fails, so the image
 * says "degraded" and the log says what to add, rather than keys being
 * silently refused later. */
static int vrng_init(void)
{
    int bound = virtio_driver_register(&vrng_driver);
    if (bound > 0)
        return 0;
    log_error("no virtio-rng device: start QEMU with -device virtio-rng-pci (virtio-rng-device on "
              "microvm); anx run and anx test add it for images with this module");
    return ANX_ENOENT;
}

ANX_MODULE(virtio_rng, .init = vrng_init);
