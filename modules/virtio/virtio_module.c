/* The virtio module: device-driver registry over the PCI and mmio
 * transports, feature negotiation, queue set-up, interrupts. */
#define LOG_TAG "virtio"
#include <anx/dev.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include "virtio_priv.h"

/* virtio-pci transitional device ids (0x1000..0x103f) by virtio id: virtio 1.2
 * §4.1.2.3 makes the PCI subsystem device id the virtio device id. */
static uint32_t transitional_id(uint16_t pci_device, uint16_t subsys)
{
    (void)pci_device;
    return subsys;    /* the subsystem device id is the virtio device id */
}

/* virtio 1.2 §4.1.2: a modern PCI device id is 0x1040 + the virtio device id (§5);
 * core/dev.c numbers virtio-mmio devices the same way from DeviceID (§4.2.2). */
static uint32_t virtio_id_of(const struct anx_device *d)
{
    if (d->vendor != ANX_VIRTIO_VENDOR)
        return 0;
    if (d->bus == ANX_BUS_VIRTIO_MMIO || (d->device >= 0x1040 && d->device <= 0x107f))
        return d->device - 0x1040u;
    if (d->bus == ANX_BUS_PCI && d->device >= 0x1000 && d->device <= 0x103f)
        return transitional_id(d->device, d->subsys_device);
    return 0;
}

static bool vmatch(const struct anx_driver *drv, const struct anx_device *d)
{
    const struct virtio_driver *vdrv = anx_container_of(drv, struct virtio_driver, drv);
    return virtio_id_of(d) == vdrv->id;
}

static int vprobe(const struct anx_driver *drv, struct anx_device *d)
{
    const struct virtio_driver *vdrv = anx_container_of(drv, struct virtio_driver, drv);
    struct virtio_dev *vd = anx_calloc(1, sizeof *vd);
    if (!vd)
        return -1;
    vd->dev = d;
    vd->id = vdrv->id;
    int r = d->bus == ANX_BUS_PCI ? virtio_pci_attach(d, vd) : virtio_mmio_attach(d, vd);
    if (r == 0)
        r = vdrv->probe(vd);
    if (r != 0) {
        if (vd->t)
            vd->t->set_status(vd, 0);
        anx_free(vd);
        return r;
    }
    d->driver_data = vd;
    return 0;
}

static const struct anx_device_id virtio_ids[] = {
    { ANX_BUS_PCI, ANX_VIRTIO_VENDOR, ANX_ID_ANY },
    { ANX_BUS_VIRTIO_MMIO, ANX_VIRTIO_VENDOR, ANX_ID_ANY },
    { 0, 0, 0 },
};

int virtio_driver_register(struct virtio_driver *vdrv)
{
    if (!vdrv || !vdrv->probe || !vdrv->id)
        return -1;
    vdrv->drv.name = vdrv->name;
    vdrv->drv.ids = virtio_ids;
    vdrv->drv.match = vmatch;
    vdrv->drv.probe = vprobe;
    return anx_driver_register(&vdrv->drv);
}

/* virtio 1.2 §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, feature subset (§2.2), then
 * FEATURES_OK read back, as a device may refuse the subset (legacy, §3.1.2: no FEATURES_OK). */
int virtio_begin(struct virtio_dev *vd, uint64_t wanted)
{
    const struct virtio_transport *t = vd->t;
    t->set_status(vd, 0);
    for (int i = 0; i < 1000 && t->get_status(vd) != 0; i++)
        ;
    t->set_status(vd, VIRTIO_STATUS_ACK);
    t->set_status(vd, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
    uint64_t offered = t->get_features(vd);
    if (!vd->legacy)
        wanted |= VIRTIO_F_VERSION_1;
    vd->features = offered & wanted;
    if (!vd->legacy && !(vd->features & VIRTIO_F_VERSION_1)) {
        log_warn("%s: device does not offer VERSION_1", vd->dev->name);
        virtio_fail(vd);
        return -1;
    }
    t->set_features(vd, vd->features);
    if (!vd->legacy) {
        t->set_status(vd, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
        if (!(t->get_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
            log_warn("%s: features %#llx not accepted", vd->dev->name,
                     (unsigned long long)vd->features);
            virtio_fail(vd);
            return -1;
        }
    }
    return 0;
}

/* virtio 1.2 §3.1.1 step 7 and §2.7: a queue size is a power of two up to 32768 and at
 * most the device's maximum; the split ring lives in zeroed pages. */
struct virtq *virtio_queue_setup(struct virtio_dev *vd, uint16_t index, uint16_t max)
{
    uint16_t n = vd->t->queue_max(vd, index);
    if (n == 0)
        return NULL;
    uint16_t size = 1;
    while ((uint16_t)(size * 2) <= n && size * 2 <= max && size < 32768)
        size *= 2;
    size_t bytes = virtio_queue_mem_size(size, ANX_PAGE_SIZE);
    size_t pages = (bytes + ANX_PAGE_SIZE - 1) / ANX_PAGE_SIZE;
    void *mem = anx_page_alloc(pages);
    struct virtq *vq = anx_calloc(1, sizeof *vq);
    void **cookie = anx_calloc(size, sizeof *cookie);
    if (!mem || !vq || !cookie) {
        if (mem)
            anx_page_free(mem, pages);
        anx_free(vq);
        anx_free(cookie);
        return NULL;
    }
    memset(mem, 0, pages * ANX_PAGE_SIZE);
    virtio_queue_init(vq, size, mem, ANX_PAGE_SIZE, cookie);
    vq->index = index;
    if (vd->t->queue_enable(vd, vq, mem) != 0)
        return NULL;
    return vq;
}

/* virtio 1.2 §4.1.4.5 / §4.2.3.4: bit 0 = used buffer notification, bit 1 = configuration
 * change; 0 means the interrupt came from another device on the line. */
static void virtio_isr(void *arg)
{
    struct virtio_dev *vd = arg;
    uint8_t isr = vd->t->isr(vd);
    if (!isr)
        return;                       /* a device sharing the line */
    vd->interrupts++;
    if (vd->irq_fn)
        vd->irq_fn(vd->irq_arg, isr & 2);
}

int virtio_irq(struct virtio_dev *vd, void (*fn)(void *arg, bool config_changed), void *arg)
{
    vd->irq_fn = fn;
    vd->irq_arg = arg;
    return anx_dev_irq_register(vd->dev, virtio_isr, vd);
}

/* virtio 1.2 §3.1.1 step 8: DRIVER_OK; only now may the device use the queues (§2.1.2). */
void virtio_ready(struct virtio_dev *vd)
{
    vd->t->set_status(vd, vd->t->get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
}

/* virtio 1.2 §2.1: FAILED says the driver gave up; only a reset clears it (§2.1.1). */
void virtio_fail(struct virtio_dev *vd)
{
    vd->t->set_status(vd, vd->t->get_status(vd) | VIRTIO_STATUS_FAILED);
}

/* Device configuration space (virtio 1.2 §2.5), little-endian on modern devices. */
uint8_t virtio_cfg8(struct virtio_dev *vd, unsigned off)
{
    return (uint8_t)vd->t->cfg_read(vd, off, 1);
}

uint16_t virtio_cfg16(struct virtio_dev *vd, unsigned off)
{
    return (uint16_t)vd->t->cfg_read(vd, off, 2);
}

uint32_t virtio_cfg32(struct virtio_dev *vd, unsigned off)
{
    return vd->t->cfg_read(vd, off, 4);
}

/* Writable fields: virtio-input's select/subsel (§5.8.4), virtio-gpu's events_clear (§5.7.4). */
void virtio_cfg_write8(struct virtio_dev *vd, unsigned off, uint8_t v)
{
    vd->t->cfg_write(vd, off, 1, v);
}

void virtio_cfg_write32(struct virtio_dev *vd, unsigned off, uint32_t v)
{
    vd->t->cfg_write(vd, off, 4, v);
}

static int virtio_init(void)
{
    return 0;
}

ANX_MODULE(virtio, .init = virtio_init);
