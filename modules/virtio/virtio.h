/*
 * The virtio transport API of the `virtio` module, for virtio 1.0 modern
 * PCI and virtio-mmio (version 2, and legacy version 1, QEMU's default for
 * -device virtio-*-device). Device drivers (virtio-net ...) declare
 * `depends: [virtio]`, which puts this folder on their include path, and
 * use only this header (`#include "virtio.h"`). The virtqueue ring itself
 * (struct virtq, virtq_*) is transport independent and has host unit tests
 * (modules/virtio/tests).
 *
 * Bring-up, in probe:
 *   virtio_begin(vd, wanted, &got)      reset, ACK, DRIVER, features (+FEATURES_OK)
 *   virtio_queue_setup(vd, i, max)            for each queue
 *   virtio_irq(vd, fn, arg)             fn runs in the interrupt handler after
 *                                       the transport acknowledged the ISR
 *   virtio_ready(vd)                    DRIVER_OK
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <anx/dev.h>

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

#define VIRTIO_F_VERSION_1 (1ull << 32)

/* ---- split virtqueue -------------------------------------------------- */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq {
    uint16_t size;                      /* power of two */
    uint16_t index;                     /* queue number */
    volatile struct virtq_desc *desc;
    volatile uint16_t *avail;           /* flags, idx, ring[size], used_event */
    volatile uint16_t *used;            /* flags, idx, then elems */
    uint16_t free_head, num_free;
    uint16_t avail_idx;                 /* next free avail slot (shadow) */
    uint16_t last_used;                 /* next used entry to consume */
    void **cookie;                      /* per head descriptor */
    /* transport: notify the device that queue `index` has new buffers */
    void (*notify)(struct virtq *vq);
    void *notify_arg;
    volatile void *notify_addr;
    uint64_t kicks;
};

/* Bytes of ring memory for `size` entries in the legacy layout: desc +
 * avail, padded to `align`, then used (legal for modern devices too). */
size_t virtio_queue_mem_size(uint16_t size, size_t align);
/* Lay the ring over zeroed memory `mem` (virtio_queue_mem_size bytes) and reset
 * the shadow state. cookie must hold size pointers. */
void virtio_queue_init(struct virtq *vq, uint16_t size, void *mem, size_t align, void **cookie);

/* One buffer of a chain: guest-physical address (== virtual here). */
struct virtq_buf {
    uint64_t addr;
    uint32_t len;
};
/* Expose a chain of `nout` device-readable then `nin` device-writable
 * buffers; cookie comes back from virtio_queue_get. -1 when descriptors are
 * short. Does not notify. */
int virtio_queue_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
              void *cookie);
/* Publish added chains (one barrier) and notify unless the device asked
 * not to be (used->flags NO_NOTIFY). */
void virtio_queue_kick(struct virtq *vq);
/* Next used chain: its cookie and the bytes the device wrote; NULL when
 * none. Frees the descriptors. */
void *virtio_queue_get(struct virtq *vq, uint32_t *len);
bool virtio_queue_has_used(const struct virtq *vq);
/* Interrupt suppression (avail->flags NO_INTERRUPT). enable returns false
 * when used entries arrived meanwhile (the caller should poll again). */
void virtio_queue_disable_cb(struct virtq *vq);
bool virtio_queue_enable_cb(struct virtq *vq);

/* ---- devices and drivers ---------------------------------------------- */

struct virtio_transport;

struct virtio_dev {
    struct anx_device *dev;
    uint32_t id;                        /* VIRTIO_ID_NET ... */
    uint64_t features;                  /* negotiated */
    bool legacy;                        /* legacy interface (mmio v1) */
    const struct virtio_transport *t;   /* private */
    void *tp;                           /* private transport state */
    void (*irq_fn)(void *arg, bool config_changed);
    void *irq_arg;
    uint64_t interrupts;
    void *priv;                         /* the device driver's */
};

struct virtio_driver {
    const char *name;                   /* "virtio-net" */
    uint32_t id;                        /* VIRTIO_ID_NET */
    int (*probe)(struct virtio_dev *vd);
    struct anx_driver drv;              /* private */
};

int virtio_driver_register(struct virtio_driver *drv);

/* Reset, ACKNOWLEDGE, DRIVER, negotiate `wanted` features (VERSION_1 is
 * added for modern transports), FEATURES_OK. 0 or -1. */
int virtio_begin(struct virtio_dev *vd, uint64_t wanted);
/* Set up queue `index` with at most `max` entries; NULL on error. */
struct virtq *virtio_queue_setup(struct virtio_dev *vd, uint16_t index, uint16_t max);
/* Register the interrupt; fn(arg, config_changed) runs in the handler. */
int virtio_irq(struct virtio_dev *vd, void (*fn)(void *arg, bool config_changed), void *arg);
void virtio_ready(struct virtio_dev *vd);
void virtio_fail(struct virtio_dev *vd);
/* Device-specific configuration space. */
uint8_t virtio_cfg8(struct virtio_dev *vd, unsigned off);
uint16_t virtio_cfg16(struct virtio_dev *vd, unsigned off);
uint32_t virtio_cfg32(struct virtio_dev *vd, unsigned off);
/* Writes to the fields a device lets the driver write (virtio-input's
 * select/subsel, virtio-gpu's events_clear). */
void virtio_cfg_write8(struct virtio_dev *vd, unsigned off, uint8_t v);
void virtio_cfg_write32(struct virtio_dev *vd, unsigned off, uint32_t v);

#endif
