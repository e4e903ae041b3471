/* Host tests of the split virtqueue logic, playing the device side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "virtio.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static int notified;
static void notify(struct virtq *vq) { (void)vq; notified++; }

/* device: take the next avail head, report `len` written */
static uint16_t dev_last_avail;
static void dev_complete(struct virtq *vq, uint32_t len)
{
    uint16_t head = vq->avail[2 + (dev_last_avail++ & (vq->size - 1))];
    volatile struct virtq_used_elem *e =
        (volatile struct virtq_used_elem *)(vq->used + 2) + (vq->used[1] & (vq->size - 1));
    e->id = head;
    e->len = len;
    vq->used[1]++;
}

int main(void)
{
    const uint16_t n = 8;
    size_t sz = virtio_queue_mem_size(n, 4096);
    CHECK(sz == 8192);                         /* desc+avail < 4K, used page-aligned */
    void *mem = aligned_alloc(4096, sz);
    memset(mem, 0, sz);
    void *cookies[8];
    struct virtq vq = {0};
    virtio_queue_init(&vq, n, mem, 4096, cookies);
    vq.notify = notify;
    CHECK((char *)vq.used - (char *)mem == 4096);
    CHECK(vq.num_free == n);
    CHECK(virtio_queue_get(&vq, NULL) == NULL);

    /* a 2-buffer chain: out then in */
    int a = 1, b = 2;
    struct virtq_buf bufs[2] = {{0x1000, 10}, {0x2000, 100}};
    CHECK(virtio_queue_add(&vq, bufs, 1, 1, &a) == 0);
    CHECK(vq.num_free == n - 2);
    CHECK(vq.desc[0].flags == VIRTQ_DESC_F_NEXT && vq.desc[0].next == 1);
    CHECK(vq.desc[1].flags == VIRTQ_DESC_F_WRITE);
    CHECK(vq.avail[1] == 0);                   /* not published before kick */
    virtio_queue_kick(&vq);
    CHECK(vq.avail[1] == 1 && notified == 1);
    vq.used[0] = 1;                            /* device: NO_NOTIFY */
    CHECK(virtio_queue_add(&vq, bufs, 1, 0, &b) == 0);
    virtio_queue_kick(&vq);
    CHECK(notified == 1 && vq.avail[1] == 2);
    vq.used[0] = 0;

    dev_complete(&vq, 42);
    uint32_t len = 0;
    CHECK(virtio_queue_has_used(&vq));
    CHECK(virtio_queue_get(&vq, &len) == &a && len == 42);
    CHECK(vq.num_free == n - 1);
    dev_complete(&vq, 7);
    CHECK(virtio_queue_get(&vq, &len) == &b && len == 7);
    CHECK(vq.num_free == n);
    CHECK(virtio_queue_get(&vq, &len) == NULL);

    /* fill to exhaustion, wrap the 16-bit indices many times */
    int cookie[8];
    int ok = 1;
    for (int round = 0; round < 20000 && ok; round++) {
        for (int i = 0; i < n; i++)
            ok &= virtio_queue_add(&vq, bufs, 0, 1, &cookie[i]) == 0;
        ok &= virtio_queue_add(&vq, bufs, 0, 1, &cookie[0]) == -1;   /* full */
        virtio_queue_kick(&vq);
        for (int i = 0; i < n; i++)
            dev_complete(&vq, (uint32_t)i);
        for (int i = 0; i < n; i++) {
            uint32_t l;
            ok &= virtio_queue_get(&vq, &l) == &cookie[i] && l == (uint32_t)i;
        }
        ok &= vq.num_free == n;
    }
    CHECK(ok);
    CHECK(virtio_queue_add(&vq, bufs, 0, 0, &a) == -1);       /* empty chain */
    CHECK(virtio_queue_add(&vq, bufs, 1, 0, NULL) == -1);     /* no cookie */

    /* a bogus used id from a broken device is dropped, not trusted */
    CHECK(virtio_queue_add(&vq, bufs, 0, 1, &a) == 0);
    virtio_queue_kick(&vq);
    volatile struct virtq_used_elem *e =
        (volatile struct virtq_used_elem *)(vq.used + 2) + (vq.used[1] & (n - 1));
    e->id = 999;
    vq.used[1]++;
    dev_last_avail++;
    CHECK(virtio_queue_get(&vq, NULL) == NULL);

    /* interrupt suppression */
    virtio_queue_disable_cb(&vq);
    CHECK(vq.avail[0] & 1);
    CHECK(virtio_queue_enable_cb(&vq));
    CHECK(!(vq.avail[0] & 1));
    free(mem);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
