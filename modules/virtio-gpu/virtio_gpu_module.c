/* virtio-gpu (2D): one display per device, scanout 0, on the PCI or mmio
 * transport of the virtio module (virtio 1.2 §5.7).
 *
 * The framebuffer is a run of guest pages the device knows as the backing
 * of one 2D resource (B8G8R8X8, the registry's XRGB8888) shown on scanout
 * 0. The device keeps its own copy of the resource: a flush sends
 * TRANSFER_TO_HOST_2D (guest pages -> host copy) and RESOURCE_FLUSH (host
 * copy -> screen) for the damaged rectangle only, both queued at once.
 * The first mode is the manifest's display: size, else what the device
 * reports for scanout 0 (1024x768 when that is nonsense). A mode change
 * builds the new resource and scanout completely before the old one is
 * detached and unreferenced, so a failure keeps the old mode. A display
 * change on the host (a config interrupt with VIRTIO_GPU_EVENT_DISPLAY) is
 * read and logged; the mode stays.
 *
 * Commands go on the control queue (queue 0), one batch at a time per
 * device: a thread fills the request slots of the device's command page,
 * adds the chains with interrupts off, kicks and sleeps; the interrupt
 * handler marks slots done and wakes it. Waits re-check the ring every
 * WAIT_NS (at every yield on a device without an interrupt), and a
 * command unanswered after TIMEOUT_NS marks the device
 * dead: its memory stays with the device and every later call fails, but
 * nothing hangs. Each answer is checked (OK_NODATA / OK_DISPLAY_INFO);
 * an error answer is logged by name and fails the operation.
 *
 * Not used: the cursor queue (queue 1; the display API has no hardware
 * cursor, a pointer is drawn into the framebuffer) and 3D (VIRGL). */
#define LOG_TAG "virtio-gpu"
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "gpu_cmd.h"
#include "virtio.h"

#define QUEUE_SIZE 16               /* two commands in flight need 4 descriptors */
#define NSLOTS 2                    /* a flush is TRANSFER_TO_HOST_2D + RESOURCE_FLUSH */
#define WAIT_NS 50000000ull         /* re-check the ring this often while waiting */
#define TIMEOUT_NS 5000000000ull    /* a command unanswered this long: the device is dead */
#define MAX_ENTRY 0x40000000u       /* bytes per backing entry (the field is 32 bits) */

/* one command: request and response, device-visible (in the command page) */
struct slot {
    uint8_t req[VGPU_REQ_MAX];
    union {
        struct vgpu_hdr hdr;
        struct vgpu_resp_display_info info;
    } resp;
    size_t req_len;
    volatile bool done;
    volatile uint32_t written;      /* response bytes, from the used ring */
};

/* a framebuffer and the resource backed by it */
struct scanout {
    uint32_t resource_id;           /* 0: none */
    uint32_t width, height;
    void *fb;
    size_t pages;
};

struct vgpu {
    struct virtio_dev *vd;
    struct virtq *vq;
    struct slot *slots;             /* NSLOTS, in one page */
    struct anx_waitq done_wait;     /* the thread whose batch is in flight */
    struct anx_waitq slot_wait;     /* threads waiting for the slots */
    bool busy;                      /* a thread owns the slots */
    bool dead;                      /* a command timed out: use the device no more */
    bool has_irq;
    volatile bool config_changed;
    struct anx_waitq event_wait;    /* the device thread, between events */
    uint32_t num_scanouts;
    uint32_t next_id;
    struct scanout cur;
    struct anx_display disp;
    uint64_t commands, polled;
};

/* ---- commands ------------------------------------------------------------ */

/* interrupts off: mark finished commands done; wake the waiter */
static void drain(struct vgpu *g)
{
    struct slot *s;
    uint32_t len;
    bool any = false;
    while ((s = virtio_queue_get(g->vq, &len))) {
        s->written = len;
        s->done = true;
        any = true;
    }
    if (any)
        anx_waitq_wake_all(&g->done_wait);
}

static void vgpu_irq(void *arg, bool config_changed)
{
    struct vgpu *g = arg;
    drain(g);
    if (config_changed) {
        g->config_changed = true;
        anx_waitq_wake_all(&g->event_wait);
    }
}

static const char *who(struct vgpu *g)
{
    return g->disp.name[0] ? g->disp.name : g->vd->dev->name;
}

/* Take the slots (threads are cooperative: a flag and a queue suffice). */
static void slots_take(struct vgpu *g)
{
    while (g->busy)
        anx_wait(&g->slot_wait);
    g->busy = true;
}

static void slots_give(struct vgpu *g)
{
    g->busy = false;
    anx_waitq_wake_one(&g->slot_wait);
}

/* Interrupts off: until every slot of the batch is done, or TIMEOUT_NS. */
static bool wait_done(struct vgpu *g, unsigned n, unsigned long *flags)
{
    uint64_t start = anx_time_ns();
    for (;;) {
        bool all = true;
        for (unsigned i = 0; i < n; i++)
            all &= g->slots[i].done;
        if (all)
            return true;
        if (anx_time_ns() - start > TIMEOUT_NS)
            return false;
        if (g->has_irq) {
            if (anx_wait_timeout(&g->done_wait, WAIT_NS) != 0) {
                drain(g);
                g->polled++;
            }
        } else {
            /* no interrupt: let other threads run, then look again */
            plat_irq_restore(*flags);
            anx_yield();
            *flags = plat_irq_save();
            drain(g);
        }
    }
}

/* Send the n commands encoded in slots[0..n) as one batch and check each
 * answer. 0, or ANX_EIO after logging what failed. Caller holds the slots. */
static int run(struct vgpu *g, unsigned n)
{
    if (g->dead)
        return ANX_EIO;
    unsigned long f = plat_irq_save();
    for (unsigned i = 0; i < n; i++) {
        struct slot *s = &g->slots[i];
        struct virtq_buf bufs[2];
        s->done = false;
        s->written = 0;
        s->resp.hdr.type = 0;
        vgpu_chain(bufs, s->req, s->req_len, &s->resp,
                   ((struct vgpu_hdr *)s->req)->type == VGPU_CMD_GET_DISPLAY_INFO ? sizeof s->resp.info
                                                                                   : sizeof s->resp.hdr);
        if (virtio_queue_add(g->vq, bufs, 1, 1, s) != 0) {
            /* cannot happen with QUEUE_SIZE >= 2 * NSLOTS and one batch at a time */
            plat_irq_restore(f);
            log_error("%s: control queue full", who(g));
            g->dead = true;
            return ANX_EIO;
        }
        g->commands++;
    }
    virtio_queue_kick(g->vq);
    bool ok = wait_done(g, n, &f);
    plat_irq_restore(f);
    if (!ok) {
        g->dead = true;
        log_error("%s: %s: no answer after %llu s; the device is not used any more", who(g),
                  vgpu_type_name(((struct vgpu_hdr *)g->slots[0].req)->type),
                  (unsigned long long)(TIMEOUT_NS / 1000000000ull));
        return ANX_EIO;
    }
    int err = 0;
    for (unsigned i = 0; i < n; i++) {
        struct slot *s = &g->slots[i];
        uint32_t cmd = ((struct vgpu_hdr *)s->req)->type, type;
        if (vgpu_check_resp(cmd, &s->resp, s->written, sizeof s->resp, &type) != 0) {
            log_error("%s: %s failed: %s (%#x, %u bytes)", who(g), vgpu_type_name(cmd), vgpu_type_name(type),
                      (unsigned)type, (unsigned)s->written);
            err = ANX_EIO;
        }
    }
    return err;
}

/* One command encoded by the caller into slot 0, run alone. */
static int run1(struct vgpu *g)
{
    return run(g, 1);
}

/* ---- resources and scanout ------------------------------------------------ */

/* Drop a resource the device holds: off its backing, then unreferenced.
 * The pages are freed only when the device said it let go of them. */
static void scanout_destroy(struct vgpu *g, struct scanout *s, bool attached)
{
    bool released = !attached;
    if (s->resource_id) {
        if (attached) {
            g->slots[0].req_len = vgpu_enc_detach_backing(g->slots[0].req, s->resource_id);
            released = run1(g) == 0;
        }
        g->slots[0].req_len = vgpu_enc_unref(g->slots[0].req, s->resource_id);
        run1(g);
    }
    if (s->fb && released)
        anx_page_free(s->fb, s->pages);
    else if (s->fb)
        log_warn("%s: %zu KiB of framebuffer left with the device", who(g), s->pages * ANX_PAGE_SIZE / 1024);
    *s = (struct scanout){ 0 };
}

/* A framebuffer of width x height, its resource with that backing, shown on
 * scanout 0. 0, ANX_ENOMEM (no pages, or the host has no memory for it),
 * ANX_EIO. On failure nothing is left behind. */
static int scanout_create(struct vgpu *g, uint32_t width, uint32_t height, struct scanout *s)
{
    size_t bytes = (size_t)width * height * 4;
    *s = (struct scanout){ .width = width, .height = height };
    s->pages = (bytes + ANX_PAGE_SIZE - 1) / ANX_PAGE_SIZE;
    s->fb = anx_page_alloc(s->pages);
    if (!s->fb) {
        log_error("%s: no memory for a %ux%u framebuffer (%zu KiB); raise memory: in the manifest", who(g),
                  (unsigned)width, (unsigned)height, bytes / 1024);
        *s = (struct scanout){ 0 };
        return ANX_ENOMEM;
    }
    s->resource_id = g->next_id++;
    g->slots[0].req_len = vgpu_enc_create_2d(g->slots[0].req, s->resource_id, VGPU_FORMAT_B8G8R8X8_UNORM, width,
                                             height);
    int err = run1(g);
    if (err) {
        bool oom = g->slots[0].resp.hdr.type == VGPU_RESP_ERR_OUT_OF_MEMORY;
        s->resource_id = 0;
        scanout_destroy(g, s, false);
        return oom ? ANX_ENOMEM : err;
    }
    g->slots[0].req_len = vgpu_enc_attach_backing(g->slots[0].req, s->resource_id, (uint64_t)(uintptr_t)s->fb,
                                                  bytes, MAX_ENTRY);
    if (!g->slots[0].req_len || run1(g) != 0) {
        /* unanswered, the device may hold the pages: then keep them from reuse */
        scanout_destroy(g, s, g->dead);
        return ANX_EIO;
    }
    g->slots[0].req_len = vgpu_enc_set_scanout(g->slots[0].req, 0, s->resource_id, width, height);
    if (run1(g) != 0) {
        scanout_destroy(g, s, true);
        return ANX_EIO;
    }
    return 0;
}

static void display_update(struct vgpu *g)
{
    g->disp.mode = (struct anx_display_mode){
        .width = g->cur.width, .height = g->cur.height, .stride = g->cur.width * 4, .format = ANX_PIXEL_XRGB8888,
    };
    g->disp.fb = g->cur.fb;
    g->disp.fb_size = g->cur.pages * ANX_PAGE_SIZE;
}

/* ---- display ops ------------------------------------------------------------ */

static int vgpu_flush(struct anx_display *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct vgpu *g = d->priv;
    slots_take(g);
    /* a flush clipped to the mode before a set_mode that ran while it
     * waited for the slots: clip again to what is on screen now */
    if (x >= g->cur.width || y >= g->cur.height) {
        slots_give(g);
        return 0;
    }
    w = ANX_MIN(w, g->cur.width - x);
    h = ANX_MIN(h, g->cur.height - y);
    uint32_t id = g->cur.resource_id;
    g->slots[0].req_len = vgpu_enc_transfer_2d(g->slots[0].req, id, x, y, w, h, g->cur.width * 4);
    g->slots[1].req_len = vgpu_enc_flush(g->slots[1].req, id, x, y, w, h);
    int err = run(g, 2);
    slots_give(g);
    return err;
}

static int vgpu_set_mode(struct anx_display *d, uint32_t width, uint32_t height, enum anx_pixel_format format)
{
    struct vgpu *g = d->priv;
    if (format != ANX_PIXEL_XRGB8888) {
        log_warn("%s: %s refused: virtio-gpu 2D has no 16-bit format; use depth: 32", who(g),
                 anx_pixel_format_name(format));
        return ANX_ENOTSUP;
    }
    slots_take(g);
    struct scanout s;
    int err = scanout_create(g, width, height, &s);
    if (!err) {
        /* the device's new copy starts black; so does what writers see, so
         * a partial flush cannot show what the pages held before */
        memset(s.fb, 0, s.pages * ANX_PAGE_SIZE);
        struct scanout old = g->cur;
        g->cur = s;
        scanout_destroy(g, &old, true);
        display_update(g);
    }
    slots_give(g);
    return err;
}

static const struct anx_display_ops vgpu_ops = {
    .flush = vgpu_flush, .set_mode = vgpu_set_mode,
};

/* ---- bring-up and events ------------------------------------------------------ */

/* GET_DISPLAY_INFO into slot 0's response. Caller holds the slots. */
static int display_info(struct vgpu *g)
{
    g->slots[0].req_len = vgpu_enc_get_display_info(g->slots[0].req);
    return run1(g);
}

/* §5.7.4: a display change sets VIRTIO_GPU_EVENT_DISPLAY in events_read and
 * raises a configuration interrupt; the driver reads the display info
 * again. The mode stays: writers hold the framebuffer, and the manifest or
 * a set_mode caller decides sizes, so the new host size is only logged. */
static void handle_events(struct vgpu *g)
{
    uint32_t ev = virtio_cfg32(g->vd, VGPU_CFG_EVENTS_READ);
    if (!ev)
        return;
    virtio_cfg_write32(g->vd, VGPU_CFG_EVENTS_CLEAR, ev);     /* acknowledged: the bits drop */
    if (!(ev & VGPU_EVENT_DISPLAY))
        return;
    slots_take(g);
    if (display_info(g) == 0) {
        const struct vgpu_display_one *m = &g->slots[0].resp.info.pmodes[0];
        log_info("%s: host display changed: scanout 0 %s, %ux%u; keeping %ux%u", who(g),
                 m->enabled ? "enabled" : "disabled", (unsigned)m->r.width, (unsigned)m->r.height,
                 (unsigned)g->cur.width, (unsigned)g->cur.height);
    }
    slots_give(g);
}

static int bring_up(struct vgpu *g)
{
    /* what happened before this read is in the display info read next */
    uint32_t ev = virtio_cfg32(g->vd, VGPU_CFG_EVENTS_READ);
    if (ev)
        virtio_cfg_write32(g->vd, VGPU_CFG_EVENTS_CLEAR, ev);
    slots_take(g);
    uint32_t w, h;
    char why[80];
    int err = display_info(g);
    if (err) {
        slots_give(g);
        return err;
    }
    if (!vgpu_pick_mode(&g->slots[0].resp.info, g->num_scanouts, &w, &h, why, sizeof why))
        log_warn("%s: device reports %s; using %ux%u", who(g), why, (unsigned)w, (unsigned)h);
    /* Start in the manifest's mode when this device can show it: the
     * registry would switch to it right after registration anyway, with two
     * framebuffers alive for a moment. Other modes the registry tries (and
     * logs why not). */
    uint32_t mw, mh;
    enum anx_pixel_format mf;
    if (anx_display_manifest_mode(&mw, &mh, &mf) && mf == ANX_PIXEL_XRGB8888 && mw <= VGPU_MAX_SIZE &&
        mh <= VGPU_MAX_SIZE) {
        w = mw;
        h = mh;
    }
    err = scanout_create(g, w, h, &g->cur);
    slots_give(g);
    if (err)
        return err;
    display_update(g);
    g->disp.driver = "virtio-gpu";
    g->disp.max_width = VGPU_MAX_SIZE;
    g->disp.max_height = VGPU_MAX_SIZE;
    g->disp.ops = &vgpu_ops;
    g->disp.priv = g;
    return anx_display_register(&g->disp);
}

/* The device's thread: bring-up (commands sleep, so not in probe), then
 * configuration events for as long as the device works. */
static void vgpu_thread(void *arg)
{
    struct vgpu *g = arg;
    int err = bring_up(g);
    if (err) {
        anx_module_fail("virtio-gpu", err, "%s: no display: %s", who(g), anx_strerror(err));
        return;
    }
    log_info("%s: %s, %s transport%s, irq %d, %u scanout%s, resource %u", who(g), g->vd->dev->name,
             g->vd->dev->bus == ANX_BUS_PCI ? "pci" : "mmio", g->vd->legacy ? " (legacy)" : "", g->vd->dev->irq,
             (unsigned)g->num_scanouts, g->num_scanouts == 1 ? "" : "s", (unsigned)g->cur.resource_id);
    while (!g->dead) {
        unsigned long f = plat_irq_save();
        while (!g->config_changed)
            anx_wait(&g->event_wait);
        g->config_changed = false;
        plat_irq_restore(f);
        handle_events(g);
    }
}

/* virtio 1.2 §5.7.5: no features (2D needs none), control queue, DRIVER_OK;
 * the commands run in the device's thread. */
static unsigned probed;             /* devices offered to vgpu_probe */

static int vgpu_probe(struct virtio_dev *vd)
{
    probed++;
    struct vgpu *g = anx_calloc(1, sizeof *g);
    struct slot *slots = anx_page_alloc(1);
    if (!g || !slots) {
        anx_free(g);
        if (slots)
            anx_page_free(slots, 1);
        return -1;
    }
    _Static_assert(NSLOTS * sizeof(struct slot) <= ANX_PAGE_SIZE, "command slots fit a page");
    memset(slots, 0, ANX_PAGE_SIZE);
    g->vd = vd;
    g->slots = slots;
    g->next_id = 1;
    vd->priv = g;
    anx_waitq_init(&g->done_wait);
    anx_waitq_init(&g->slot_wait);
    anx_waitq_init(&g->event_wait);
    if (virtio_begin(vd, 0) != 0)
        goto fail;
    g->vq = virtio_queue_setup(vd, 0, QUEUE_SIZE);
    if (!g->vq || g->vq->size < 2 * NSLOTS) {
        log_warn("%s: control queue set-up failed", vd->dev->name);
        virtio_fail(vd);
        goto fail;
    }
    g->num_scanouts = virtio_cfg32(vd, VGPU_CFG_NUM_SCANOUTS);
    g->has_irq = virtio_irq(vd, vgpu_irq, g) == 0;
    if (!g->has_irq)
        log_info("%s: no interrupt (irq %d); completions are polled", vd->dev->name, vd->dev->irq);
    virtio_ready(vd);
    if (!anx_thread_create("virtio-gpu", vgpu_thread, g, 0)) {
        virtio_fail(vd);
        return -1;                  /* the device may interrupt: g stays */
    }
    return 0;
fail:
    vd->priv = NULL;
    anx_page_free(slots, 1);
    anx_free(g);
    return -1;
}

static struct virtio_driver vgpu_driver = {
    .name = "virtio-gpu", .id = VGPU_VIRTIO_ID, .probe = vgpu_probe,
};

/* No device is fine unless the manifest's display: names this driver. */
static int vgpu_init(void)
{
    int bound = virtio_driver_register(&vgpu_driver);
    if (bound < 0) {
        log_error("cannot register the driver");
        return ANX_EFAIL;
    }
    if (bound > 0)
        return 0;
    bool wanted = false;
#ifdef CONFIG_DISPLAY_DEVICE
    wanted = strcmp(CONFIG_DISPLAY_DEVICE, "virtio-gpu") == 0;
#endif
    if (probed) {
        if (wanted)
            log_error("%u virtio-gpu device%s, none usable (the lines above say why)", probed, probed == 1 ? "" : "s");
        return wanted ? ANX_EIO : 0;
    }
    if (wanted)
        log_error("no virtio-gpu device (QEMU: -device virtio-gpu-pci, or virtio-gpu-device on virtio-mmio)");
    else
        log_info("no virtio-gpu device (QEMU: -device virtio-gpu-pci, or virtio-gpu-device on virtio-mmio)");
    return wanted ? ANX_ENOENT : 0;
}

ANX_MODULE(virtio_gpu, .init = vgpu_init);
