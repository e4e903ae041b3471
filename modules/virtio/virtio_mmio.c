/* virtio-mmio transport, version 2 (virtio 1.0) and legacy version 1
 * (QEMU's default for -device virtio-*-device unless
 * -global virtio-mmio.force-legacy=false). Version 1 differences: 32
 * feature bits and no FEATURES_OK, the ring is one area given by page
 * number (QueuePFN) with the used ring aligned to QueueAlign, and the
 * guest page size is written first. */
#define LOG_TAG "virtio-mmio"
#include <anx/dev.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include "virtio_priv.h"

/* register layout: virtio 1.2 §4.2.2 (version 2) and §4.2.4 (legacy, version 1) */
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEATURES 0x010
#define R_DEV_FEATURES_SEL 0x014
#define R_DRV_FEATURES 0x020
#define R_DRV_FEATURES_SEL 0x024
#define R_GUEST_PAGE_SIZE 0x028
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_ALIGN 0x03c
#define R_QUEUE_PFN 0x040
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INT_STATUS 0x060
#define R_INT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC_LO 0x080
#define R_QUEUE_DESC_HI 0x084
#define R_QUEUE_AVAIL_LO 0x090
#define R_QUEUE_AVAIL_HI 0x094
#define R_QUEUE_USED_LO 0x0a0
#define R_QUEUE_USED_HI 0x0a4
#define R_CONFIG 0x100

#define REG(vd, r) ((uint8_t *)(vd)->tp + (r))

static uint8_t m_get_status(struct virtio_dev *vd)
{
    return (uint8_t)mmio_r32(REG(vd, R_STATUS));
}

static void m_set_status(struct virtio_dev *vd, uint8_t s)
{
    mmio_w32(REG(vd, R_STATUS), s);
}

/* §4.2.2: DeviceFeatures/DriverFeatures are 32-bit windows chosen by *FeaturesSel;
 * legacy devices (§4.2.4) only have bits 0-31. */
static uint64_t m_get_features(struct virtio_dev *vd)
{
    mmio_w32(REG(vd, R_DEV_FEATURES_SEL), 0);
    uint64_t lo = mmio_r32(REG(vd, R_DEV_FEATURES));
    if (vd->legacy)
        return lo;
    mmio_w32(REG(vd, R_DEV_FEATURES_SEL), 1);
    uint64_t hi = mmio_r32(REG(vd, R_DEV_FEATURES));
    return hi << 32 | lo;
}

static void m_set_features(struct virtio_dev *vd, uint64_t f)
{
    mmio_w32(REG(vd, R_DRV_FEATURES_SEL), 0);
    mmio_w32(REG(vd, R_DRV_FEATURES), (uint32_t)f);
    if (vd->legacy)
        return;
    mmio_w32(REG(vd, R_DRV_FEATURES_SEL), 1);
    mmio_w32(REG(vd, R_DRV_FEATURES), (uint32_t)(f >> 32));
}

/* virtio 1.2 §4.2.3.2: select the queue, check it is not in use (QueueReady, legacy
 * QueuePFN), read QueueNumMax (0: no such queue). */
static uint16_t m_queue_max(struct virtio_dev *vd, uint16_t index)
{
    mmio_w32(REG(vd, R_QUEUE_SEL), index);
    if (!vd->legacy && mmio_r32(REG(vd, R_QUEUE_READY)))
        return 0;
    if (vd->legacy && mmio_r32(REG(vd, R_QUEUE_PFN)))
        return 0;
    uint32_t n = mmio_r32(REG(vd, R_QUEUE_NUM_MAX));
    return n > 32768 ? 32768 : (uint16_t)n;
}

/* §4.2.3.3: an available buffer notification writes the queue index to QueueNotify. */
static void m_notify(struct virtq *vq)
{
    mmio_w32(vq->notify_addr, vq->index);
}

/* virtio 1.2 §4.2.3.2: QueueNum, the three ring addresses, QueueReady = 1; legacy
 * (§4.2.4): one area at page QueuePFN, the used ring aligned to QueueAlign. */
static int m_queue_enable(struct virtio_dev *vd, struct virtq *vq, void *mem)
{
    mmio_w32(REG(vd, R_QUEUE_SEL), vq->index);
    mmio_w32(REG(vd, R_QUEUE_NUM), vq->size);
    if (vd->legacy) {
        mmio_w32(REG(vd, R_GUEST_PAGE_SIZE), ANX_PAGE_SIZE);
        mmio_w32(REG(vd, R_QUEUE_ALIGN), ANX_PAGE_SIZE);
        mmio_w32(REG(vd, R_QUEUE_PFN), (uint32_t)((uintptr_t)mem / ANX_PAGE_SIZE));
    } else {
        uint64_t desc = (uintptr_t)vq->desc, avail = (uintptr_t)vq->avail,
                 used = (uintptr_t)vq->used;
        mmio_w32(REG(vd, R_QUEUE_DESC_LO), (uint32_t)desc);
        mmio_w32(REG(vd, R_QUEUE_DESC_HI), (uint32_t)(desc >> 32));
        mmio_w32(REG(vd, R_QUEUE_AVAIL_LO), (uint32_t)avail);
        mmio_w32(REG(vd, R_QUEUE_AVAIL_HI), (uint32_t)(avail >> 32));
        mmio_w32(REG(vd, R_QUEUE_USED_LO), (uint32_t)used);
        mmio_w32(REG(vd, R_QUEUE_USED_HI), (uint32_t)(used >> 32));
        mmio_w32(REG(vd, R_QUEUE_READY), 1);
    }
    vq->notify_addr = REG(vd, R_QUEUE_NOTIFY);
    vq->notify = m_notify;
    return 0;
}

/* §4.2.3.4: InterruptStatus says why (bit 0 used buffer, bit 1 configuration change);
 * writing the same bits to InterruptACK acknowledges them. */
static uint8_t m_isr(struct virtio_dev *vd)
{
    uint32_t s = mmio_r32(REG(vd, R_INT_STATUS));
    if (s)
        mmio_w32(REG(vd, R_INT_ACK), s);
    return (uint8_t)s;
}

/* §4.2.2: the device-specific configuration space starts at offset 0x100. */
static uint32_t m_cfg_read(struct virtio_dev *vd, unsigned off, unsigned width)
{
    uint8_t *a = REG(vd, R_CONFIG + off);
    switch (width) {
    case 1: return mmio_r8(a);
    case 2: return mmio_r16(a);
    default: return mmio_r32(a);
    }
}

static void m_cfg_write(struct virtio_dev *vd, unsigned off, unsigned width, uint32_t v)
{
    uint8_t *a = REG(vd, R_CONFIG + off);
    switch (width) {
    case 1: mmio_w8(a, (uint8_t)v); break;
    case 2: mmio_w16(a, (uint16_t)v); break;
    default: mmio_w32(a, v); break;
    }
}

static const struct virtio_transport mmio_transport = {
    "mmio", m_get_status, m_set_status, m_get_features, m_set_features,
    m_queue_max, m_queue_enable, m_isr, m_cfg_read, m_cfg_write,
};

/* virtio 1.2 §4.2.3.1: MagicValue 0x74726976 ("virt") and Version 2, or 1 for a legacy
 * device (§4.2.4), which also needs GuestPageSize before any queue is set up. */
int virtio_mmio_attach(struct anx_device *d, struct virtio_dev *vd)
{
    uint8_t *base = plat_map_mmio(d->mmio_base, d->mmio_size);
    if (!base || mmio_r32(base + R_MAGIC) != 0x74726976u)
        return -1;
    uint32_t ver = mmio_r32(base + R_VERSION);
    if (ver != 1 && ver != 2) {
        log_warn("%s: unknown virtio-mmio version %u", d->name, ver);
        return -1;
    }
    vd->t = &mmio_transport;
    vd->tp = base;
    vd->legacy = ver == 1;
    if (vd->legacy)
        mmio_w32(base + R_GUEST_PAGE_SIZE, ANX_PAGE_SIZE);
    return 0;
}
