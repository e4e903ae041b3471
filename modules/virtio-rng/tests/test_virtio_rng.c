/* Host test of the virtio-rng driver on tests/unit's simulated platform
 * (a CPU without a random instruction, a clock that jumps to the next
 * deadline when every thread waits). The test plays the transport and the
 * device behind virtio.h: the driver's queue is the real split ring
 * (modules/virtio/virtq.c), and the "device" fills posted buffers with a
 * byte pattern at once, later, or never. It checks what an image relies
 * on: no device fails the module with the way to add one; a device that
 * fills at probe seeds the generator before init returns; one that stalls
 * costs a second and a warning, and its bytes seed the generator at the
 * next request; every reseed takes the device's new bytes. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "virtio-rng"
#include "unit.h"
#include <anx/dev.h>
#include <anx/errno.h>
#include <anx/module.h>
#include <anx/random.h>

#include "virtio.h"

extern const struct anx_module_ops anx_module_virtio_rng;

/* ---- the transport and device side -------------------------------------- */

static struct virtio_driver *driver;
static bool device_present, fill_on_kick, irq_routed;
static struct anx_device adev;
static struct virtio_dev vdev;
static struct virtq *queue;             /* the latest device's */
static unsigned fills, kicks, failed;

/* The device side of one queue: how far it has read the avail ring. */
struct fake_queue {
    uint16_t last_avail;
};

/* Fill every buffer posted since the last time with 0xa5 and complete it. */
static void device_fill(struct virtq *vq)
{
    struct fake_queue *fq = vq->notify_arg;
    while (fq->last_avail != vq->avail[1]) {
        uint16_t head = vq->avail[2 + (fq->last_avail++ & (vq->size - 1))];
        volatile struct virtq_desc *d = &vq->desc[head];
        memset((void *)(uintptr_t)d->addr, 0xa5, d->len);
        volatile struct virtq_used_elem *e =
            (volatile struct virtq_used_elem *)(vq->used + 2) + (vq->used[1] & (vq->size - 1));
        e->id = head;
        e->len = d->len;
        vq->used[1]++;
        fills++;
    }
}

static void notify(struct virtq *vq)
{
    kicks++;
    if (fill_on_kick)
        device_fill(vq);
}

int virtio_driver_register(struct virtio_driver *drv)
{
    driver = drv;
    if (!device_present)
        return 0;
    memset(&adev, 0, sizeof adev);
    adev.bus = ANX_BUS_PCI;
    strlcpy(adev.name, "pci 00:03.0", sizeof adev.name);
    adev.irq = 11;
    memset(&vdev, 0, sizeof vdev);
    vdev.dev = &adev;
    vdev.id = drv->id;
    return drv->probe(&vdev) == 0;
}

int virtio_begin(struct virtio_dev *vd, uint64_t wanted)
{
    (void)vd;
    CHECK_EQ(wanted, 0);                /* virtio-rng has no features */
    return 0;
}

struct virtq *virtio_queue_setup(struct virtio_dev *vd, uint16_t index, uint16_t max)
{
    (void)vd;
    CHECK_EQ(index, 0);
    uint16_t n = max < 8 ? max : 8;
    size_t bytes = virtio_queue_mem_size(n, 4096);
    void *mem = aligned_alloc_host(4096, bytes);
    memset(mem, 0, bytes);
    queue = calloc(1, sizeof *queue);
    virtio_queue_init(queue, n, mem, 4096, calloc(n, sizeof(void *)));
    queue->notify = notify;
    queue->notify_arg = calloc(1, sizeof(struct fake_queue));
    return queue;
}

int virtio_irq(struct virtio_dev *vd, void (*fn)(void *, bool), void *arg)
{
    (void)vd, (void)fn, (void)arg;
    return irq_routed ? 0 : ANX_ENOTSUP;
}

void virtio_ready(struct virtio_dev *vd) { (void)vd; }
void virtio_fail(struct virtio_dev *vd) { (void)vd; failed++; }

/* ---- the tests ------------------------------------------------------------ */

TEST(no_device_fails_init_saying_what_to_add)
{
    device_present = false;
    unit_console_clear();
    CHECK_EQ(anx_module_virtio_rng.init(), ANX_ENOENT);
    CHECK(driver && driver->id == 4);   /* VIRTIO_ID_RNG: PCI 0x1044/0x1005, mmio id 4 */
    CHECK(strstr(unit_console, "virtio-rng: error: no virtio-rng device: start QEMU with "
                               "-device virtio-rng-pci") != NULL);
    CHECK(!anx_random_ready());
}

TEST(stalled_device_seeds_at_the_next_request)
{
    device_present = true;
    fill_on_kick = false;
    irq_routed = true;
    unit_console_clear();
    uint64_t t0 = unit_time_ns;
    CHECK_EQ(anx_module_virtio_rng.init(), 0);
    CHECK(unit_time_ns - t0 >= 1000 * ANX_NS_PER_MS);     /* waited its second */
    CHECK(strstr(unit_console, "virtio-rng: warning: pci 00:03.0: no random bytes within 1000 ms") != NULL);
    CHECK(!anx_random_ready());
    uint8_t key[32];
    CHECK_EQ(anx_random(key, sizeof key), ANX_ENOTSUP);
    CHECK_EQ(failed, 0);

    device_fill(queue);                 /* the bytes arrive late */
    unit_console_clear();
    CHECK_EQ(anx_random(key, sizeof key), 0);
    CHECK(strstr(unit_console, "random: seeded from virtio-rng, jitter") != NULL);
}

TEST(each_reseed_takes_the_device_bytes)
{
    device_present = true;
    fill_on_kick = true;
    irq_routed = false;                 /* polled */
    unit_console_clear();
    CHECK_EQ(anx_module_virtio_rng.init(), 0);
    CHECK(strstr(unit_console, "virtio-rng: pci 00:03.0: pci transport, irq -1: ") != NULL);
    CHECK(strstr(unit_console, " bytes for the random generator") != NULL);
    /* one buffer is always with the device: filled, taken and reposted */
    CHECK_EQ(queue->num_free, queue->size - 1);
    uint8_t buf[16];
    unsigned f = fills, k = kicks;
    CHECK_EQ(anx_random(buf, sizeof buf), 0);       /* the bytes from probe: a reseed */
    CHECK_EQ(kicks, k + 1);
    CHECK_EQ(fills, f + 1);
    f = fills, k = kicks;
    CHECK_EQ(anx_random(buf, sizeof buf), 0);       /* what that reseed took joined it: not asked */
    CHECK_EQ(kicks, k);
    unit_time_ns += 61 * ANX_NS_PER_S;
    CHECK_EQ(anx_random(buf, sizeof buf), 0);       /* a reseed: bytes taken, buffer posted again */
    CHECK_EQ(kicks, k + 1);
    CHECK_EQ(fills, f + 1);
    CHECK_EQ(queue->num_free, queue->size - 1);
}

int main(void)
{
    unit_threads_init(8u << 20);
    RUN(no_device_fails_init_saying_what_to_add);
    RUN(stalled_device_seeds_at_the_next_request);
    RUN(each_reseed_takes_the_device_bytes);
    return unit_done();
}
