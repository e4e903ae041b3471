/* The virtio module's transport interface (private to modules/virtio). */
#ifndef VIRTIO_PRIV_H
#define VIRTIO_PRIV_H

#include "virtio.h"

#define VIRTIO_STATUS_ACK 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

struct virtio_transport {
    const char *name;
    uint8_t (*get_status)(struct virtio_dev *vd);
    void (*set_status)(struct virtio_dev *vd, uint8_t s);
    uint64_t (*get_features)(struct virtio_dev *vd);
    void (*set_features)(struct virtio_dev *vd, uint64_t f);
    uint16_t (*queue_max)(struct virtio_dev *vd, uint16_t index);
    /* tell the device where the ring of vq (index, size) lives */
    int (*queue_enable)(struct virtio_dev *vd, struct virtq *vq, void *mem);
    /* read (and acknowledge) the interrupt status: bit 0 queue, bit 1 config */
    uint8_t (*isr)(struct virtio_dev *vd);
    uint32_t (*cfg_read)(struct virtio_dev *vd, unsigned off, unsigned width);
    void (*cfg_write)(struct virtio_dev *vd, unsigned off, unsigned width, uint32_t v);
};

/* Transport probes: fill vd (t, tp, id, legacy) or return -1. */
int virtio_pci_attach(struct anx_device *dev, struct virtio_dev *vd);
int virtio_mmio_attach(struct anx_device *dev, struct virtio_dev *vd);

#define mmio_r32(a) (*(volatile uint32_t *)(a))
#define mmio_w32(a, v) (*(volatile uint32_t *)(a) = (v))
#define mmio_r16(a) (*(volatile uint16_t *)(a))
#define mmio_w16(a, v) (*(volatile uint16_t *)(a) = (v))
#define mmio_r8(a) (*(volatile uint8_t *)(a))
#define mmio_w8(a, v) (*(volatile uint8_t *)(a) = (v))

#endif
