/* Split virtqueues (virtio 1.2 section 2.7), transport independent. The
 * driver is the only writer of desc[] and avail; the device the only
 * writer of used. Ordering:
 *   add:    fill descriptors and avail->ring[], then (release fence)
 *           avail->idx, then (full fence) read used->flags to decide on
 *           a notification;
 *   get:    read used->idx, then (acquire fence) the used element;
 *   enable: clear NO_INTERRUPT, then (full fence) re-check used->idx so
 *           an entry that arrived in between is not left without an
 *           interrupt. */
#include <anx/lib.h>

#include "virtio.h"

#define AVAIL_F_NO_INTERRUPT 1
#define USED_F_NO_NOTIFY 1

#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* virtio 1.2 §2.7: descriptor table 16*n bytes, available ring 6+2*n, used ring 6+8*n;
 * the used ring starts on an `align` boundary, as the legacy layout (§2.7.2) needs. */
size_t virtio_queue_mem_size(uint16_t size, size_t align)
{
    size_t a = 16u * size + 6 + 2u * size;
    return align_up(a, align) + align_up(6 + 8u * size, align);
}

/* §2.7.5: unused descriptors are chained through `next` into the free list; §2.7.6: the
 * available ring starts with flags 0 and idx 0. */
void virtio_queue_init(struct virtq *vq, uint16_t size, void *mem, size_t align, void **cookie)
{
    vq->size = size;
    vq->desc = mem;
    vq->avail = (volatile uint16_t *)((char *)mem + 16u * size);
    vq->used = (volatile uint16_t *)((char *)mem + align_up(16u * size + 6 + 2u * size, align));
    vq->cookie = cookie;
    for (uint16_t i = 0; i < size; i++) {
        vq->desc[i].next = (uint16_t)(i + 1);
        vq->desc[i].flags = 0;
        cookie[i] = NULL;
    }
    vq->free_head = 0;
    vq->num_free = size;
    vq->avail_idx = 0;
    vq->last_used = 0;
    vq->avail[0] = 0;
    vq->avail[1] = 0;
}

/* virtio 1.2 §2.7.13 steps 1-2: chain the buffers in free descriptors, device-readable
 * ones first (§2.7.4.2), and put the chain's head in the next available-ring slot. */
int virtio_queue_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
              void *cookie)
{
    unsigned n = nout + nin;
    if (n == 0 || n > vq->num_free || !cookie)
        return -1;
    uint16_t head = vq->free_head, i = head, last = head;
    for (unsigned k = 0; k < n; k++) {
        volatile struct virtq_desc *d = &vq->desc[i];
        d->addr = bufs[k].addr;
        d->len = bufs[k].len;
        d->flags = (uint16_t)((k < nout ? 0 : VIRTQ_DESC_F_WRITE) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        last = i;
        i = d->next;
    }
    vq->free_head = i;
    vq->num_free = (uint16_t)(vq->num_free - n);
    (void)last;
    vq->cookie[head] = cookie;
    vq->avail[2 + (vq->avail_idx & (vq->size - 1))] = head;
    vq->avail_idx++;
    return 0;
}

/* §2.7.13 steps 4-6: barrier, publish avail->idx, then notify unless the device set
 * VIRTQ_USED_F_NO_NOTIFY (§2.7.10). */
void virtio_queue_kick(struct virtq *vq)
{
    wmb();
    vq->avail[1] = vq->avail_idx;
    mb();
    if (!(vq->used[0] & USED_F_NO_NOTIFY) && vq->notify) {
        vq->kicks++;
        vq->notify(vq);
    }
}

/* §2.7.8: the device has used a buffer when used->idx moved past the last one we took. */
bool virtio_queue_has_used(const struct virtq *vq)
{
    return vq->used[1] != vq->last_used;
}

/* virtio 1.2 §2.7.14 / §2.7.8: take one used element (id = head of the chain, len =
 * bytes the device wrote) and return the chain to the free list. */
void *virtio_queue_get(struct virtq *vq, uint32_t *len)
{
    if (vq->used[1] == vq->last_used)
        return NULL;
    rmb();
    volatile struct virtq_used_elem *e =
        (volatile struct virtq_used_elem *)(vq->used + 2) + (vq->last_used & (vq->size - 1));
    uint32_t id = e->id, l = e->len;
    vq->last_used++;
    if (id >= vq->size || !vq->cookie[id])
        return NULL;                     /* a device bug; drop the entry */
    void *cookie = vq->cookie[id];
    vq->cookie[id] = NULL;
    /* return the chain to the free list */
    uint16_t i = (uint16_t)id, n = 1;
    while ((vq->desc[i].flags & VIRTQ_DESC_F_NEXT) && n < vq->size) {
        i = vq->desc[i].next;
        n++;
    }
    vq->desc[i].next = vq->free_head;
    vq->free_head = (uint16_t)id;
    vq->num_free = (uint16_t)(vq->num_free + n);
    if (len)
        *len = l;
    return cookie;
}

/* §2.7.7: VIRTQ_AVAIL_F_NO_INTERRUPT asks the device not to notify; it is only advice. */
void virtio_queue_disable_cb(struct virtq *vq)
{
    vq->avail[0] |= AVAIL_F_NO_INTERRUPT;
}

/* §2.7.7: the flag is not synchronized with the device, so after clearing it re-check
 * for an entry used in between, which raised no interrupt. */
bool virtio_queue_enable_cb(struct virtq *vq)
{
    vq->avail[0] &= (uint16_t)~AVAIL_F_NO_INTERRUPT;
    mb();
    return vq->used[1] == vq->last_used;
}
