/* Host tests of virtio-gpu command encoding and response checks
 * (gpu_cmd.c): the layouts against virtio 1.2 §5.7.6, then the driver's
 * command sequences (bring-up, damaged-rectangle flush, mode change) on
 * the virtio module's virtqueue against a simulated device that checks
 * every request as QEMU's 2D device does and keeps a host copy of each
 * resource and a screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_cmd.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* ---- the simulated device ------------------------------------------------ */

#define SIM_RES 8
struct sim_res {
    uint32_t id, format, width, height;
    uint32_t *host;                     /* the device's copy */
    struct vgpu_mem_entry backing[VGPU_MAX_ENTRIES];
    uint32_t nbacking;
};
static struct sim_res res[SIM_RES];
static uint32_t screen_res;             /* resource on scanout 0 */
static uint32_t sim_scanouts = 1, sim_w = 1280, sim_h = 800, sim_enabled = 1;
static struct vgpu_rect last_flush;
static unsigned transfers_px;

static struct sim_res *find(uint32_t id)
{
    for (int i = 0; i < SIM_RES; i++)
        if (id && res[i].id == id)
            return &res[i];
    return NULL;
}

static bool rect_in(const struct vgpu_rect *r, const struct sim_res *s)
{
    return r->width && r->height && (uint64_t)r->x + r->width <= s->width &&
           (uint64_t)r->y + r->height <= s->height;
}

/* copy rows of the rectangle from the backing (offset = first pixel) into the host copy */
static bool sim_transfer(struct sim_res *s, const struct vgpu_transfer_to_host_2d *t)
{
    if (!s->nbacking || !rect_in(&t->r, s))
        return false;
    uint32_t stride = s->width * 4;
    uint64_t base = t->offset - (uint64_t)t->r.y * stride - (uint64_t)t->r.x * 4;
    if (base != 0)
        return false;                   /* an offset that is not the rectangle's first pixel */
    for (uint32_t y = 0; y < t->r.height; y++)
        for (uint32_t x = 0; x < t->r.width; x++) {
            uint64_t off = t->offset + (uint64_t)y * stride + (uint64_t)x * 4, at = 0;
            for (uint32_t e = 0; e < s->nbacking; e++) {
                if (off >= at && off + 4 <= at + s->backing[e].length) {
                    uint32_t v;
                    memcpy(&v, (uint8_t *)(uintptr_t)s->backing[e].addr + (off - at), 4);
                    s->host[(t->r.y + y) * s->width + t->r.x + x] = v;
                    break;
                }
                at += s->backing[e].length;
            }
        }
    transfers_px += t->r.width * t->r.height;
    return true;
}

/* One request; returns the response type (and fills the display info). */
static uint32_t sim_cmd(const void *req, uint32_t len, void *resp, uint32_t resp_len, uint32_t *written)
{
    const struct vgpu_hdr *h = req;
    *written = sizeof(struct vgpu_hdr);
    if (len < sizeof *h || h->flags || h->fence_id || h->ctx_id || resp_len < sizeof *h)
        return VGPU_RESP_ERR_UNSPEC;
    switch (h->type) {
    case VGPU_CMD_GET_DISPLAY_INFO: {
        if (resp_len < sizeof(struct vgpu_resp_display_info))
            return VGPU_RESP_ERR_UNSPEC;
        struct vgpu_resp_display_info *di = resp;
        memset(di->pmodes, 0, sizeof di->pmodes);
        di->pmodes[0] = (struct vgpu_display_one){ { 0, 0, sim_w, sim_h }, sim_enabled, 0 };
        *written = sizeof *di;
        return VGPU_RESP_OK_DISPLAY_INFO;
    }
    case VGPU_CMD_RESOURCE_CREATE_2D: {
        const struct vgpu_resource_create_2d *c = req;
        if (len != sizeof *c || !c->resource_id || find(c->resource_id))
            return VGPU_RESP_ERR_INVALID_RESOURCE_ID;
        if (c->format != VGPU_FORMAT_B8G8R8X8_UNORM || !c->width || !c->height)
            return VGPU_RESP_ERR_INVALID_PARAMETER;
        struct sim_res *s = find(0);
        for (int i = 0; i < SIM_RES && !s; i++)
            if (!res[i].id)
                s = &res[i];
        if (!s)
            return VGPU_RESP_ERR_OUT_OF_MEMORY;
        *s = (struct sim_res){ c->resource_id, c->format, c->width, c->height,
                               calloc((size_t)c->width * c->height, 4), { { 0 } }, 0 };
        return VGPU_RESP_OK_NODATA;
    }
    case VGPU_CMD_RESOURCE_ATTACH_BACKING: {
        const struct vgpu_attach_backing *a = req;
        struct sim_res *s = len >= sizeof *a ? find(a->resource_id) : NULL;
        if (!s)
            return VGPU_RESP_ERR_INVALID_RESOURCE_ID;
        if (!a->nr_entries || a->nr_entries > VGPU_MAX_ENTRIES ||
            len != sizeof *a + a->nr_entries * sizeof(struct vgpu_mem_entry) || s->nbacking)
            return VGPU_RESP_ERR_INVALID_PARAMETER;
        const struct vgpu_mem_entry *e = (const void *)(a + 1);
        uint64_t total = 0;
        for (uint32_t i = 0; i < a->nr_entries; i++) {
            if (e[i].padding)
                return VGPU_RESP_ERR_INVALID_PARAMETER;
            s->backing[i] = e[i];
            total += e[i].length;
        }
        if (total < (uint64_t)s->width * s->height * 4)
            return VGPU_RESP_ERR_UNSPEC;            /* QEMU: backing too small */
        s->nbacking = a->nr_entries;
        return VGPU_RESP_OK_NODATA;
    }
    case VGPU_CMD_SET_SCANOUT: {
        const struct vgpu_set_scanout *c = req;
        if (len != sizeof *c || c->scanout_id >= sim_scanouts)
            return VGPU_RESP_ERR_INVALID_SCANOUT_ID;
        struct sim_res *s = find(c->resource_id);
        if (!s)
            return VGPU_RESP_ERR_INVALID_RESOURCE_ID;
        if (!rect_in(&c->r, s))
            return VGPU_RESP_ERR_INVALID_PARAMETER;
        screen_res = c->resource_id;
        return VGPU_RESP_OK_NODATA;
    }
    case VGPU_CMD_TRANSFER_TO_HOST_2D: {
        const struct vgpu_transfer_to_host_2d *t = req;
        struct sim_res *s = len == sizeof *t ? find(t->resource_id) : NULL;
        if (!s)
            return VGPU_RESP_ERR_INVALID_RESOURCE_ID;
        return sim_transfer(s, t) ? VGPU_RESP_OK_NODATA : VGPU_RESP_ERR_INVALID_PARAMETER;
    }
    case VGPU_CMD_RESOURCE_FLUSH: {
        const struct vgpu_resource_flush *f = req;
        struct sim_res *s = len == sizeof *f ? find(f->resource_id) : NULL;
        if (!s)
            return VGPU_RESP_ERR_INVALID_RESOURCE_ID;
        if (!rect_in(&f->r, s))
            return VGPU_RESP_ERR_INVALID_PARAMETER;
        last_flush = f->r;
        return VGPU_RESP_OK_NODATA;
    }
    case VGPU_CMD_RESOURCE_DETACH_BACKING:
    case VGPU_CMD_RESOURCE_UNREF: {
        const struct vgpu_resource_ref *c = req;
        struct sim_res *s = len == sizeof *c ? find(c->resource_id) : NULL;
        if (!s)
            return VGPU_RESP_ERR_INVALID_RESOURCE_ID;
        if (h->type == VGPU_CMD_RESOURCE_DETACH_BACKING) {
            if (!s->nbacking)
                return VGPU_RESP_ERR_UNSPEC;
            s->nbacking = 0;
        } else {
            if (screen_res == s->id)
                screen_res = 0;
            free(s->host);
            memset(s, 0, sizeof *s);
        }
        return VGPU_RESP_OK_NODATA;
    }
    }
    return VGPU_RESP_ERR_UNSPEC;
}

static uint16_t dev_last_avail;
static unsigned dev_bad_chains;

/* Serve every available chain: one readable request, one writable response. */
static void dev_run(struct virtq *vq)
{
    while (dev_last_avail != vq->avail[1]) {
        uint16_t head = vq->avail[2 + (dev_last_avail++ & (vq->size - 1))];
        volatile struct virtq_desc *rq = &vq->desc[head];
        uint32_t written = 0;
        if (!(rq->flags & VIRTQ_DESC_F_NEXT) || (rq->flags & VIRTQ_DESC_F_WRITE)) {
            dev_bad_chains++;
        } else {
            volatile struct virtq_desc *rs = &vq->desc[rq->next];
            if (!(rs->flags & VIRTQ_DESC_F_WRITE) || (rs->flags & VIRTQ_DESC_F_NEXT)) {
                dev_bad_chains++;
            } else {
                void *resp = (void *)(uintptr_t)rs->addr;
                uint32_t type = sim_cmd((void *)(uintptr_t)rq->addr, rq->len, resp, rs->len, &written);
                ((struct vgpu_hdr *)resp)->type = type;
            }
        }
        volatile struct virtq_used_elem *e =
            (volatile struct virtq_used_elem *)(vq->used + 2) + (vq->used[1] & (vq->size - 1));
        e->id = head;
        e->len = written;
        vq->used[1]++;
    }
}

/* ---- the driver side, as virtio_gpu_module.c runs it ----------------------- */

static void notify(struct virtq *vq) { (void)vq; }

static struct virtq vq;
static struct tslot {
    uint8_t req[VGPU_REQ_MAX];
    union {
        struct vgpu_hdr hdr;
        struct vgpu_resp_display_info info;
    } resp;
    size_t req_len;
    uint32_t written;
    bool done;
} slot[2];

static void setup_queue(void)
{
    static void *mem, **cookie;
    free(mem);
    free(cookie);
    mem = aligned_alloc(4096, virtio_queue_mem_size(16, 4096));
    memset(mem, 0, virtio_queue_mem_size(16, 4096));
    cookie = calloc(16, sizeof *cookie);
    virtio_queue_init(&vq, 16, mem, 4096, cookie);
    vq.notify = notify;
    dev_last_avail = 0;
}

/* Run the n encoded slots as one batch; 0 when every answer checks out,
 * else -1 with *bad_type the first failing answer's type. */
static int run(unsigned n, uint32_t *bad_type)
{
    for (unsigned i = 0; i < n; i++) {
        struct virtq_buf bufs[2];
        uint32_t cmd = ((struct vgpu_hdr *)slot[i].req)->type;
        vgpu_chain(bufs, slot[i].req, slot[i].req_len, &slot[i].resp,
                   cmd == VGPU_CMD_GET_DISPLAY_INFO ? sizeof slot[i].resp.info : sizeof slot[i].resp.hdr);
        slot[i].done = false;
        if (virtio_queue_add(&vq, bufs, 1, 1, &slot[i]) != 0)
            return -1;
    }
    virtio_queue_kick(&vq);
    dev_run(&vq);
    void *c;
    uint32_t len;
    while ((c = virtio_queue_get(&vq, &len))) {
        ((struct tslot *)c)->written = len;
        ((struct tslot *)c)->done = true;
    }
    int err = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t type = 0;
        if (!slot[i].done ||
            vgpu_check_resp(((struct vgpu_hdr *)slot[i].req)->type, &slot[i].resp, slot[i].written,
                            sizeof slot[i].resp, &type) != 0) {
            if (!err && bad_type)
                *bad_type = type;
            err = -1;
        }
    }
    return err;
}

struct fbuf {
    uint32_t id, w, h;
    uint32_t *px;
};

static int make(struct fbuf *f, uint32_t id, uint32_t w, uint32_t h, uint32_t max_entry)
{
    *f = (struct fbuf){ id, w, h, calloc((size_t)w * h, 4) };
    slot[0].req_len = vgpu_enc_create_2d(slot[0].req, id, VGPU_FORMAT_B8G8R8X8_UNORM, w, h);
    if (run(1, NULL))
        return -1;
    slot[0].req_len = vgpu_enc_attach_backing(slot[0].req, id, (uintptr_t)f->px, (uint64_t)w * h * 4, max_entry);
    if (!slot[0].req_len || run(1, NULL))
        return -1;
    slot[0].req_len = vgpu_enc_set_scanout(slot[0].req, 0, id, w, h);
    return run(1, NULL);
}

static int flush(struct fbuf *f, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t *bad)
{
    slot[0].req_len = vgpu_enc_transfer_2d(slot[0].req, f->id, x, y, w, h, f->w * 4);
    slot[1].req_len = vgpu_enc_flush(slot[1].req, f->id, x, y, w, h);
    return run(2, bad);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_layout(void)
{
    uint8_t buf[VGPU_REQ_MAX];
    CHECK(sizeof(struct vgpu_hdr) == 24);
    CHECK(sizeof(struct vgpu_resp_display_info) == 24 + 16 * 24);
    CHECK(vgpu_enc_get_display_info(buf) == 24 && ((struct vgpu_hdr *)buf)->type == 0x0100);
    CHECK(vgpu_enc_create_2d(buf, 7, 2, 640, 480) == 40);
    const uint32_t *w = (const uint32_t *)buf;
    CHECK(w[0] == 0x0101 && w[1] == 0 && w[6] == 7 && w[7] == 2 && w[8] == 640 && w[9] == 480);
    CHECK(vgpu_enc_set_scanout(buf, 0, 7, 640, 480) == 48);
    CHECK(w[0] == 0x0103 && w[6] == 0 && w[7] == 0 && w[8] == 640 && w[9] == 480 && w[10] == 0 && w[11] == 7);
    CHECK(vgpu_enc_flush(buf, 7, 1, 2, 3, 4) == 48);
    CHECK(w[0] == 0x0104 && w[6] == 1 && w[7] == 2 && w[8] == 3 && w[9] == 4 && w[10] == 7);
    CHECK(vgpu_enc_transfer_2d(buf, 7, 10, 20, 30, 40, 5120) == 56);
    const struct vgpu_transfer_to_host_2d *t = (const void *)buf;
    CHECK(w[0] == 0x0105 && t->r.x == 10 && t->r.y == 20 && t->r.width == 30 && t->r.height == 40);
    CHECK(t->offset == 20u * 5120 + 10 * 4 && w[12] == 7);
    /* an offset past 4 GiB (8192 rows of 8192 pixels is 256 MiB, but the field is 64 bits) */
    vgpu_enc_transfer_2d(buf, 7, 0, 300000, 1, 1, 32768);
    CHECK(t->offset == 300000ull * 32768);
    CHECK(vgpu_enc_unref(buf, 9) == 32 && w[0] == 0x0102 && w[6] == 9 && w[7] == 0);
    CHECK(vgpu_enc_detach_backing(buf, 9) == 32 && w[0] == 0x0107 && w[6] == 9);
    /* padding is zero even where the buffer held something */
    memset(buf, 0xff, sizeof buf);
    vgpu_enc_unref(buf, 9);
    CHECK(w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[7] == 0);
}

static void test_attach(void)
{
    uint8_t buf[VGPU_REQ_MAX];
    const struct vgpu_attach_backing *a = (const void *)buf;
    const struct vgpu_mem_entry *e = (const void *)(a + 1);
    CHECK(vgpu_enc_attach_backing(buf, 3, 0x100000, 4096000, 0x40000000) == 32 + 16);
    CHECK(a->hdr.type == 0x0106 && a->resource_id == 3 && a->nr_entries == 1);
    CHECK(e[0].addr == 0x100000 && e[0].length == 4096000 && e[0].padding == 0);
    /* split where one 32-bit length cannot hold it */
    CHECK(vgpu_enc_attach_backing(buf, 3, 0x1000, 3 * 4096 + 100, 4096) == 32 + 4 * 16);
    CHECK(a->nr_entries == 4 && e[0].addr == 0x1000 && e[1].addr == 0x2000 && e[3].addr == 0x4000);
    CHECK(e[0].length == 4096 && e[2].length == 4096 && e[3].length == 100);
    CHECK(vgpu_enc_attach_backing(buf, 3, 0x1000, 16 * 4096, 4096) == 32 + 16 * 16);
    CHECK(vgpu_enc_attach_backing(buf, 3, 0x1000, 16 * 4096 + 1, 4096) == 0);
    CHECK(vgpu_enc_attach_backing(buf, 3, 0x1000, 0, 4096) == 0);
}

static void test_check_resp(void)
{
    union {
        struct vgpu_hdr hdr;
        struct vgpu_resp_display_info info;
    } r;
    uint32_t type;
    memset(&r, 0, sizeof r);
    r.hdr.type = VGPU_RESP_OK_NODATA;
    CHECK(vgpu_check_resp(VGPU_CMD_RESOURCE_CREATE_2D, &r, 24, sizeof r, &type) == 0 && type == 0x1100);
    CHECK(vgpu_check_resp(VGPU_CMD_RESOURCE_FLUSH, &r, 24, sizeof r, &type) == 0);
    /* OK_NODATA is not an answer to GET_DISPLAY_INFO */
    CHECK(vgpu_check_resp(VGPU_CMD_GET_DISPLAY_INFO, &r, 24, sizeof r, &type) == -1 && type == 0x1100);
    r.hdr.type = VGPU_RESP_OK_DISPLAY_INFO;
    CHECK(vgpu_check_resp(VGPU_CMD_GET_DISPLAY_INFO, &r, sizeof r.info, sizeof r, &type) == 0);
    CHECK(vgpu_check_resp(VGPU_CMD_GET_DISPLAY_INFO, &r, 100, sizeof r, &type) == -1);    /* cut short */
    CHECK(vgpu_check_resp(VGPU_CMD_SET_SCANOUT, &r, 24, sizeof r, &type) == -1);
    r.hdr.type = VGPU_RESP_ERR_INVALID_RESOURCE_ID;
    CHECK(vgpu_check_resp(VGPU_CMD_SET_SCANOUT, &r, 24, sizeof r, &type) == -1 && type == 0x1203);
    CHECK(!strcmp(vgpu_type_name(type), "ERR_INVALID_RESOURCE_ID"));
    /* a device that wrote nothing said nothing, whatever the buffer held */
    r.hdr.type = VGPU_RESP_OK_NODATA;
    CHECK(vgpu_check_resp(VGPU_CMD_RESOURCE_FLUSH, &r, 0, sizeof r, &type) == -1 && type == 0);
    CHECK(vgpu_check_resp(VGPU_CMD_RESOURCE_FLUSH, &r, 23, sizeof r, &type) == -1 && type == 0);
    CHECK(!strcmp(vgpu_type_name(0x1201), "ERR_OUT_OF_MEMORY"));
    CHECK(!strcmp(vgpu_type_name(0x0105), "TRANSFER_TO_HOST_2D"));
    CHECK(!strcmp(vgpu_type_name(0x4242), "unknown"));
    CHECK(vgpu_expected_resp(VGPU_CMD_GET_DISPLAY_INFO) == 0x1101 && vgpu_expected_resp(0x0104) == 0x1100);
}

static void test_pick_mode(void)
{
    struct vgpu_resp_display_info di;
    uint32_t w, h;
    char why[80];
    memset(&di, 0, sizeof di);
    di.pmodes[0] = (struct vgpu_display_one){ { 0, 0, 1280, 800 }, 1, 0 };
    CHECK(vgpu_pick_mode(&di, 1, &w, &h, why, sizeof why) && w == 1280 && h == 800);
    di.pmodes[0].enabled = 0;       /* QEMU reports a disabled scanout's default size */
    CHECK(vgpu_pick_mode(&di, 1, &w, &h, why, sizeof why) && w == 1280);
    CHECK(!vgpu_pick_mode(&di, 0, &w, &h, why, sizeof why) && w == 1024 && h == 768);
    CHECK(!strcmp(why, "0 scanouts (1 to 16 expected)"));
    CHECK(!vgpu_pick_mode(&di, 17, &w, &h, why, sizeof why));
    di.pmodes[0].r = (struct vgpu_rect){ 0, 0, 0, 0 };
    CHECK(!vgpu_pick_mode(&di, 1, &w, &h, why, sizeof why) && w == 1024 && h == 768);
    CHECK(!strcmp(why, "scanout 0 is 0x0"));
    di.pmodes[0].r = (struct vgpu_rect){ 0, 0, 100000, 768 };
    CHECK(!vgpu_pick_mode(&di, 1, &w, &h, why, sizeof why) && w == 1024 && h == 768);
    CHECK(!strcmp(why, "scanout 0 is 100000x768, more than 8192x8192"));
    di.pmodes[0].r = (struct vgpu_rect){ 0, 0, 8192, 8192 };
    CHECK(vgpu_pick_mode(&di, 1, &w, &h, why, sizeof why) && w == 8192 && h == 8192);
}

static void fill(struct fbuf *f, uint32_t v)
{
    for (size_t i = 0; i < (size_t)f->w * f->h; i++)
        f->px[i] = v;
}

/* pixels of the device's copy of f equal to v, inside and outside (x, y, w, h) */
static void count(const struct fbuf *f, uint32_t v, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                  unsigned *in, unsigned *out)
{
    struct sim_res *s = find(f->id);
    *in = *out = 0;
    for (uint32_t j = 0; j < f->h; j++)
        for (uint32_t i = 0; i < f->w; i++)
            if (s->host[j * f->w + i] == v) {
                if (i >= x && i < x + w && j >= y && j < y + h)
                    (*in)++;
                else
                    (*out)++;
            }
}

static void test_device(void)
{
    setup_queue();
    uint32_t w, h, bad = 0;
    char why[80];
    slot[0].req_len = vgpu_enc_get_display_info(slot[0].req);
    CHECK(run(1, NULL) == 0);
    CHECK(vgpu_pick_mode(&slot[0].resp.info, sim_scanouts, &w, &h, why, sizeof why) && w == 1280 && h == 800);

    /* bring-up at a small size, backing split into 3 entries */
    struct fbuf a, b;
    CHECK(make(&a, 1, 100, 60, 8192) == 0);
    CHECK(find(1) && find(1)->nbacking == 3 && screen_res == 1);
    fill(&a, 0x00ff0000);
    CHECK(flush(&a, 0, 0, 100, 60, NULL) == 0);
    unsigned in, out;
    count(&a, 0x00ff0000, 0, 0, 100, 60, &in, &out);
    CHECK(in == 6000 && out == 0);

    /* a damaged rectangle: only it reaches the device, only it is flushed */
    fill(&a, 0x0000ff00);
    transfers_px = 0;
    CHECK(flush(&a, 13, 7, 20, 11, NULL) == 0);
    count(&a, 0x0000ff00, 13, 7, 20, 11, &in, &out);
    CHECK(in == 220 && out == 0 && transfers_px == 220);
    CHECK(last_flush.x == 13 && last_flush.y == 7 && last_flush.width == 20 && last_flush.height == 11);
    /* the last column and row, where a wrong offset would run off the end */
    CHECK(flush(&a, 99, 59, 1, 1, NULL) == 0);
    count(&a, 0x0000ff00, 13, 7, 20, 11, &in, &out);
    CHECK(out == 1 && find(1)->host[59 * 100 + 99] == 0x0000ff00);

    /* mode change: the new scanout first, then the old resource goes */
    CHECK(make(&b, 2, 64, 32, 1 << 30) == 0 && screen_res == 2);
    slot[0].req_len = vgpu_enc_detach_backing(slot[0].req, 1);
    CHECK(run(1, NULL) == 0);
    slot[0].req_len = vgpu_enc_unref(slot[0].req, 1);
    CHECK(run(1, NULL) == 0);
    CHECK(!find(1) && find(2) && screen_res == 2);
    fill(&b, 0x00123456);
    CHECK(flush(&b, 0, 0, 64, 32, NULL) == 0);
    count(&b, 0x00123456, 0, 0, 64, 32, &in, &out);
    CHECK(in == 2048);

    /* errors come back by name: a flush of the resource that is gone */
    CHECK(flush(&a, 0, 0, 10, 10, &bad) == -1 && bad == VGPU_RESP_ERR_INVALID_RESOURCE_ID);
    /* a rectangle outside the resource */
    CHECK(flush(&b, 60, 0, 10, 10, &bad) == -1 && bad == VGPU_RESP_ERR_INVALID_PARAMETER);
    /* a backing smaller than the resource is refused by the device */
    slot[0].req_len = vgpu_enc_create_2d(slot[0].req, 3, VGPU_FORMAT_B8G8R8X8_UNORM, 64, 64);
    CHECK(run(1, NULL) == 0);
    slot[0].req_len = vgpu_enc_attach_backing(slot[0].req, 3, (uintptr_t)b.px, 64 * 32 * 4, 1 << 30);
    CHECK(run(1, &bad) == -1 && bad == VGPU_RESP_ERR_UNSPEC);
    CHECK(dev_bad_chains == 0);
    free(a.px);
    free(b.px);
}

int main(void)
{
    test_layout();
    test_attach();
    test_check_resp();
    test_pick_mode();
    test_device();
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
