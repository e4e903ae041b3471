/* virtio 1.0 modern PCI transport: the vendor capabilities (common, notify,
 * ISR, device config) point into memory BARs. Transitional devices (QEMU's
 * default on the q35 root bus) expose the same capabilities; the legacy
 * I/O BAR is not used. */
#define LOG_TAG "virtio-pci"
#include <anx/dev.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include "virtio_priv.h"

/* cfg_type of the vendor-specific capabilities (virtio 1.2 §4.1.4) */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* common configuration layout (virtio 1.2 §4.1.4.3, struct virtio_pci_common_cfg) */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_NUMQ 0x12
#define C_STATUS 0x14
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_MSIX 0x1a
#define C_Q_ENABLE 0x1c
#define C_Q_NOFF 0x1e
#define C_Q_DESCLO 0x20
#define C_Q_DESCHI 0x24
#define C_Q_AVAILLO 0x28
#define C_Q_AVAILHI 0x2c
#define C_Q_USEDLO 0x30
#define C_Q_USEDHI 0x34

struct vpci {
    uint8_t *common, *notify, *isr, *device;
    uint32_t notify_mult;
};

/* virtio 1.2 §4.1.4: struct virtio_pci_cap has bar at +4, offset at +8, length at +12;
 * the notify capability adds notify_off_multiplier at +16 (§4.1.4.4). */
static uint8_t *cap_map(struct anx_device *d, uint8_t cap, uint32_t *mult)
{
    uint8_t bar = anx_pci_read8(d, cap + 4);
    uint32_t off = anx_pci_read32(d, cap + 8);
    uint32_t len = anx_pci_read32(d, cap + 12);
    if (mult)
        *mult = anx_pci_read32(d, cap + 16);
    if (bar > 5 || !d->bar[bar].size || d->bar[bar].io || (uint64_t)off + len > d->bar[bar].size)
        return NULL;
    uint8_t *base = anx_pci_map_bar(d, bar);
    return base ? base + off : NULL;
}

static uint8_t p_get_status(struct virtio_dev *vd)
{
    struct vpci *p = vd->tp;
    return mmio_r8(p->common + C_STATUS);
}

static void p_set_status(struct virtio_dev *vd, uint8_t s)
{
    struct vpci *p = vd->tp;
    mmio_w8(p->common + C_STATUS, s);
}

/* §4.1.4.3: 64 feature bits through a 32-bit window chosen by *_feature_select. */
static uint64_t p_get_features(struct virtio_dev *vd)
{
    struct vpci *p = vd->tp;
    mmio_w32(p->common + C_DFSELECT, 0);
    uint64_t lo = mmio_r32(p->common + C_DF);
    mmio_w32(p->common + C_DFSELECT, 1);
    uint64_t hi = mmio_r32(p->common + C_DF);
    return hi << 32 | lo;
}

static void p_set_features(struct virtio_dev *vd, uint64_t f)
{
    struct vpci *p = vd->tp;
    mmio_w32(p->common + C_GFSELECT, 0);
    mmio_w32(p->common + C_GF, (uint32_t)f);
    mmio_w32(p->common + C_GFSELECT, 1);
    mmio_w32(p->common + C_GF, (uint32_t)(f >> 32));
}

/* §4.1.4.3: after queue_select, queue_size reads the device's maximum for that queue. */
static uint16_t p_queue_max(struct virtio_dev *vd, uint16_t index)
{
    struct vpci *p = vd->tp;
    if (index >= mmio_r16(p->common + C_NUMQ))
        return 0;
    mmio_w16(p->common + C_Q_SELECT, index);
    return mmio_r16(p->common + C_Q_SIZE);
}

/* virtio 1.2 §4.1.5.2: an available buffer notification writes the queue index at
 * cap.offset + queue_notify_off * notify_off_multiplier (§4.1.4.4). */
static void p_notify(struct virtq *vq)
{
    mmio_w16(vq->notify_addr, vq->index);
}

/* virtio 1.2 §4.1.5.1.3: select the queue, write its size and ring addresses, read its
 * notify offset, then queue_enable = 1. */
static int p_queue_enable(struct virtio_dev *vd, struct virtq *vq, void *mem)
{
    (void)mem;
    struct vpci *p = vd->tp;
    mmio_w16(p->common + C_Q_SELECT, vq->index);
    mmio_w16(p->common + C_Q_SIZE, vq->size);
    mmio_w16(p->common + C_Q_MSIX, 0xffff);          /* no MSI-X: INTx + ISR */
    uint64_t desc = (uintptr_t)vq->desc, avail = (uintptr_t)vq->avail, used = (uintptr_t)vq->used;
    mmio_w32(p->common + C_Q_DESCLO, (uint32_t)desc);
    mmio_w32(p->common + C_Q_DESCHI, (uint32_t)(desc >> 32));
    mmio_w32(p->common + C_Q_AVAILLO, (uint32_t)avail);
    mmio_w32(p->common + C_Q_AVAILHI, (uint32_t)(avail >> 32));
    mmio_w32(p->common + C_Q_USEDLO, (uint32_t)used);
    mmio_w32(p->common + C_Q_USEDHI, (uint32_t)(used >> 32));
    uint16_t noff = mmio_r16(p->common + C_Q_NOFF);
    vq->notify_addr = p->notify + (uint32_t)noff * p->notify_mult;
    vq->notify = p_notify;
    mmio_w16(p->common + C_Q_ENABLE, 1);
    return 0;
}

/* virtio 1.2 §4.1.4.5: the ISR status byte, cleared by reading it (§4.1.5.5). */
static uint8_t p_isr(struct virtio_dev *vd)
{
    struct vpci *p = vd->tp;
    return mmio_r8(p->isr);       /* reading clears it and deasserts INTx */
}

/* §4.1.4.6: the device-specific configuration structure. */
static uint32_t p_cfg_read(struct virtio_dev *vd, unsigned off, unsigned width)
{
    struct vpci *p = vd->tp;
    if (!p->device)
        return 0;
    switch (width) {
    case 1: return mmio_r8(p->device + off);
    case 2: return mmio_r16(p->device + off);
    default: return mmio_r32(p->device + off);
    }
}

static void p_cfg_write(struct virtio_dev *vd, unsigned off, unsigned width, uint32_t v)
{
    struct vpci *p = vd->tp;
    if (!p->device)
        return;
    switch (width) {
    case 1: mmio_w8(p->device + off, (uint8_t)v); break;
    case 2: mmio_w16(p->device + off, (uint16_t)v); break;
    default: mmio_w32(p->device + off, v); break;
    }
}

static const struct virtio_transport pci_transport = {
    "pci", p_get_status, p_set_status, p_get_features, p_set_features,
    p_queue_max, p_queue_enable, p_isr, p_cfg_read, p_cfg_write,
};

/* virtio 1.2 §4.1.4: walk the vendor-specific capabilities (id 0x09); §4.1.4.1: use the
 * first one of each type the driver can use. */
int virtio_pci_attach(struct anx_device *d, struct virtio_dev *vd)
{
    struct vpci *p = anx_calloc(1, sizeof *p);
    if (!p)
        return -1;
    for (uint8_t cap = anx_pci_find_cap(d, 0x09, 0); cap; cap = anx_pci_find_cap(d, 0x09, cap)) {
        uint8_t type = anx_pci_read8(d, cap + 3);
        if (type == CAP_COMMON && !p->common)
            p->common = cap_map(d, cap, NULL);
        else if (type == CAP_NOTIFY && !p->notify)
            p->notify = cap_map(d, cap, &p->notify_mult);
        else if (type == CAP_ISR && !p->isr)
            p->isr = cap_map(d, cap, NULL);
        else if (type == CAP_DEVICE && !p->device)
            p->device = cap_map(d, cap, NULL);
    }
    if (!p->common || !p->notify || !p->isr) {
        log_warn("%s: no modern virtio capabilities (legacy-only devices are not supported)",
                 d->name);
        anx_free(p);
        return -1;
    }
    anx_pci_enable(d);
    vd->t = &pci_transport;
    vd->tp = p;
    vd->legacy = false;
    return 0;
}
