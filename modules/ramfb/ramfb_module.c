/* QEMU's ramfb (`-device ramfb`): a framebuffer in guest RAM that the
 * driver allocates and announces by writing the "etc/ramfb" fw_cfg file
 * (address, DRM fourcc, size, stride; big-endian). QEMU scans the RAM out
 * directly, so a flush has nothing to do; a mode change allocates a new
 * buffer and writes the file again.
 *
 * fw_cfg (QEMU docs/specs/fw_cfg.rst) is reached only through its DMA
 * interface, which the platform starts (plat_fw_cfg_dma: I/O ports on x86,
 * an MMIO window on arm64 virt): a descriptor in RAM, whose control word
 * the device clears when it is done. */
#define LOG_TAG "ramfb"
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/time.h>
#include "ramfb_cfg.h"

static struct {
    uint16_t select;                 /* of etc/ramfb */
    void *fb;
    size_t pages;
    struct anx_display disp;
} rf;

/* ---- fw_cfg access ------------------------------------------------------ */

/* One DMA transfer of len bytes at buf (RAM). QEMU completes it within the
 * register write; the wait is for a device that does not. 0 or ANX_EIO. */
static int fw_cfg_dma(uint16_t select, uint32_t control, void *buf, uint32_t len)
{
    static struct ramfb_dma desc __attribute__((aligned(16)));
    ramfb_dma_encode(&desc, select, control, (uintptr_t)buf, len);
    __sync_synchronize();            /* the descriptor and buffer are in RAM before the kick */
    int err = plat_fw_cfg_dma((uintptr_t)&desc);
    if (err)
        return err;
    uint64_t deadline = anx_time_ns() + 100000000ull;
    uint32_t c;
    for (;;) {
        uint32_t raw = *(volatile uint32_t *)&desc.control;   /* the device writes it */
        if (!((c = ramfb_be32((const uint8_t *)&raw)) & ~RAMFB_DMA_ERROR))
            break;
        if (anx_time_ns() > deadline)
            return ANX_EIO;
        __sync_synchronize();
    }
    __sync_synchronize();
    return c & RAMFB_DMA_ERROR ? ANX_EIO : 0;
}

/* Find etc/ramfb in the file directory (read by DMA: the count, then the
 * entries). 0, ANX_ENOENT (no -device ramfb), ANX_ENOMEM, ANX_EIO,
 * ANX_ECORRUPT. */
static int find_ramfb(void)
{
    uint8_t head[4];
    int err = fw_cfg_dma(RAMFB_FW_CFG_FILE_DIR, RAMFB_DMA_SELECT | RAMFB_DMA_READ, head, 4);
    if (err)
        return err;
    uint32_t count = ramfb_be32(head);
    if (count > 4096)
        return ANX_ECORRUPT;
    size_t len = 4 + (size_t)count * RAMFB_FILE_ENTRY;
    uint8_t *dir = anx_malloc(len);
    if (!dir)
        return ANX_ENOMEM;
    memcpy(dir, head, 4);
    err = fw_cfg_dma(0, RAMFB_DMA_READ, dir + 4, (uint32_t)(len - 4));   /* continues after the count */
    uint32_t size = 0;
    if (!err)
        err = ramfb_fw_cfg_find(dir, len, "etc/ramfb", &rf.select, &size);
    anx_free(dir);
    if (!err && size != RAMFB_CFG_SIZE)
        err = ANX_ECORRUPT;
    return err;
}

/* ---- the display ---------------------------------------------------------- */

static int announce(void *fb, enum anx_pixel_format f, uint32_t w, uint32_t h, uint32_t stride)
{
    static uint8_t cfg[RAMFB_CFG_SIZE] __attribute__((aligned(8)));
    ramfb_cfg_encode(cfg, (uintptr_t)fb, f, w, h, stride);
    return fw_cfg_dma(rf.select, RAMFB_DMA_SELECT | RAMFB_DMA_WRITE, cfg, sizeof cfg);
}

/* Allocate, announce, then free the old buffer: QEMU scans the old one out
 * until the new record is written. */
static int ramfb_set_mode(struct anx_display *d, uint32_t w, uint32_t h, enum anx_pixel_format f)
{
    uint32_t stride;
    size_t bytes;
    int err = ramfb_mode(w, h, f, &stride, &bytes);
    if (err)
        return err;
    size_t pages = (bytes + ANX_PAGE_SIZE - 1) / ANX_PAGE_SIZE;
    void *fb = anx_page_alloc(pages);
    if (!fb) {
        log_warn("%ux%u %s needs %zu KiB of contiguous memory: %zu KiB free", (unsigned)w, (unsigned)h,
                 anx_pixel_format_name(f), pages * 4, anx_mem_free_bytes(NULL) >> 10);
        return ANX_ENOMEM;
    }
    if (rf.fb)                       /* not the first mode: registration clears that one */
        memset(fb, 0, bytes);        /* old RAM contents would show until the next draw */
    err = announce(fb, f, w, h, stride);
    if (err) {
        log_error("fw_cfg did not take the etc/ramfb record (%ux%u %s)", (unsigned)w, (unsigned)h,
                  anx_pixel_format_name(f));
        anx_page_free(fb, pages);
        return ANX_EIO;
    }
    if (rf.fb)
        anx_page_free(rf.fb, rf.pages);
    rf.fb = fb;
    rf.pages = pages;
    d->fb = fb;
    d->fb_size = pages * ANX_PAGE_SIZE;
    d->mode = (struct anx_display_mode){.width = w, .height = h, .stride = stride, .format = f};
    return 0;
}

static const struct anx_display_ops ramfb_ops = {.flush = NULL, .set_mode = ramfb_set_mode};

static int ramfb_init(void)
{
    if (plat_fw_cfg_dma(0)) {
        log_error("this board has no fw_cfg with DMA (ramfb needs QEMU's, 2.9 or later)");
        return ANX_ENOTSUP;
    }
    int err = find_ramfb();
    if (err == ANX_ENOENT) {
        /* no screen: a failure when the manifest's display: names ramfb */
#ifdef CONFIG_DISPLAY_DEVICE
        if (strcmp(CONFIG_DISPLAY_DEVICE, "ramfb") == 0) {
            log_error("no ramfb device: fw_cfg has no etc/ramfb (QEMU: -device ramfb)");
            return err;
        }
#endif
        log_info("no ramfb device: fw_cfg has no etc/ramfb (QEMU: -device ramfb)");
        return 0;
    }
    if (err) {
        log_error("reading the fw_cfg file directory: %s", anx_strerror(err));
        return err;
    }
    rf.disp = (struct anx_display){
        .driver = "ramfb", .max_width = RAMFB_MAX_WIDTH, .max_height = RAMFB_MAX_HEIGHT, .ops = &ramfb_ops,
    };
    /* start in the manifest's mode (1024x768 without one), so the registry
     * need not allocate twice */
    uint32_t w, h;
    enum anx_pixel_format f;
    if (!anx_display_manifest_mode(&w, &h, &f))
        w = 1024, h = 768;
    err = ramfb_set_mode(&rf.disp, w, h, f);
    if (err && (w != 1024 || h != 768 || f != ANX_PIXEL_XRGB8888))
        err = ramfb_set_mode(&rf.disp, 1024, 768, ANX_PIXEL_XRGB8888);
    if (err) {
        log_error("cannot set a first mode: %s", anx_strerror(err));
        return err;
    }
    return anx_display_register(&rf.disp);
}

ANX_MODULE(ramfb, .init = ramfb_init);
