/* QEMU's std VGA (`-vga std`) and `-device bochs-display`, both PCI
 * 1234:1111: the framebuffer is BAR 0, the Bochs VBE (DISPI) registers sit
 * in the MMIO BAR 2 at 0x500 (QEMU docs/specs/standard-vga.rst). The
 * device scans out of its own memory, so a flush has nothing to do.
 *
 * Mode set, as Linux's bochs DRM driver does it: disable, write BPP, XRES,
 * YRES, the virtual size and offsets, enable with the linear framebuffer;
 * then read the registers back, because QEMU adjusts what it cannot do
 * rather than refusing it. The std VGA also has the legacy VGA ports
 * (BAR 2 + 0x400 for port 0x3c0): its attribute controller starts with the
 * screen blanked (palette address source off), which is switched on. */
#define LOG_TAG "bochs-display"
#include <anx/dev.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include "bochs_vbe.h"

#define DEFAULT_WIDTH 1024
#define DEFAULT_HEIGHT 768

struct bochs {
    struct anx_device *dev;
    volatile uint8_t *mmio;
    uint64_t vram;
    uint16_t max_x, max_y;
    bool vga;                       /* std VGA (class 03/00): has the VGA ports */
    struct anx_display disp;
};

static uint16_t dispi_rd(struct bochs *b, unsigned reg)
{
    return *(volatile uint16_t *)(b->mmio + BOCHS_MMIO_DISPI + 2 * reg);
}

static void dispi_wr(struct bochs *b, unsigned reg, uint16_t v)
{
    *(volatile uint16_t *)(b->mmio + BOCHS_MMIO_DISPI + 2 * reg) = v;
}

static void vga_wr(struct bochs *b, unsigned port, uint8_t v)
{
    b->mmio[BOCHS_MMIO_VGA + port - 0x3c0] = v;
}

static uint8_t vga_rd(struct bochs *b, unsigned port)
{
    return b->mmio[BOCHS_MMIO_VGA + port - 0x3c0];
}

/* Attribute controller: select color port addressing (0x3c2 bit 0) so
 * reading 0x3da resets the index/data flip-flop, then write the index with
 * bit 5 (PAS) set: the screen shows the framebuffer instead of black. */
static void vga_unblank(struct bochs *b)
{
    vga_wr(b, 0x3c2, 0x01);
    (void)vga_rd(b, 0x3da);
    vga_wr(b, 0x3c0, 0x20);
}

static int bochs_set_mode(struct anx_display *d, uint32_t width, uint32_t height, enum anx_pixel_format format)
{
    struct bochs *b = d->priv;
    struct bochs_display_regs r;
    int err = bochs_display_mode(width, height, format, b->vram, b->max_x, b->max_y, &r);
    if (err)
        return err;
    dispi_wr(b, BOCHS_DISPI_ENABLE, 0);
    dispi_wr(b, BOCHS_DISPI_BPP, r.bpp);
    dispi_wr(b, BOCHS_DISPI_XRES, r.xres);
    dispi_wr(b, BOCHS_DISPI_YRES, r.yres);
    dispi_wr(b, BOCHS_DISPI_BANK, 0);
    dispi_wr(b, BOCHS_DISPI_VIRT_WIDTH, r.virt_width);
    dispi_wr(b, BOCHS_DISPI_VIRT_HEIGHT, r.virt_height);
    dispi_wr(b, BOCHS_DISPI_X_OFFSET, 0);
    dispi_wr(b, BOCHS_DISPI_Y_OFFSET, 0);
    dispi_wr(b, BOCHS_DISPI_ENABLE, BOCHS_DISPI_ENABLED | BOCHS_DISPI_LFB_ENABLED);
    if (dispi_rd(b, BOCHS_DISPI_XRES) != r.xres || dispi_rd(b, BOCHS_DISPI_YRES) != r.yres ||
        dispi_rd(b, BOCHS_DISPI_BPP) != r.bpp || dispi_rd(b, BOCHS_DISPI_VIRT_WIDTH) != r.virt_width) {
        log_warn("device changed mode %ux%u %u bpp to %ux%u %u bpp", (unsigned)r.xres, (unsigned)r.yres,
                 (unsigned)r.bpp, dispi_rd(b, BOCHS_DISPI_XRES), dispi_rd(b, BOCHS_DISPI_YRES),
                 dispi_rd(b, BOCHS_DISPI_BPP));
        return ANX_ENOTSUP;
    }
    if (b->vga)
        vga_unblank(b);
    d->mode = (struct anx_display_mode){.width = width, .height = height, .stride = r.stride, .format = format};
    return 0;
}

static const struct anx_display_ops bochs_ops = {.flush = NULL, .set_mode = bochs_set_mode};

/* GETCAPS: while set, XRES/YRES/BPP read as the std VGA's maxima
 * (bochs-display ignores it; bochs_display_caps handles that). */
static void read_caps(struct bochs *b)
{
    dispi_wr(b, BOCHS_DISPI_ENABLE, 0);
    dispi_wr(b, BOCHS_DISPI_XRES, 0);
    dispi_wr(b, BOCHS_DISPI_YRES, 0);
    dispi_wr(b, BOCHS_DISPI_ENABLE, BOCHS_DISPI_GETCAPS);
    uint16_t x = dispi_rd(b, BOCHS_DISPI_XRES), y = dispi_rd(b, BOCHS_DISPI_YRES);
    dispi_wr(b, BOCHS_DISPI_ENABLE, 0);
    bochs_display_caps(x, y, &b->max_x, &b->max_y);
}

/* The framebuffer's byte order (QEMU extended registers, when the BAR has
 * them): little-endian, as the pixel formats are defined. */
static void set_little_endian(struct bochs *b)
{
    volatile uint32_t *qext = (volatile uint32_t *)(b->mmio + BOCHS_MMIO_QEXT);
    if (qext[0] >= 8)
        qext[1] = 0x1e1e1e1e;
}

static unsigned probed;             /* matching devices, bound or not */
static int probe_err;               /* the last probe's failure */

static int probe_device(struct anx_device *dev)
{
    const char *what = dev->subclass == 0x00 ? "std VGA" : "bochs-display";
    if (dev->bar[0].io || !dev->bar[0].size || dev->bar[2].io || dev->bar[2].size < 0x1000) {
        log_error("%s: %s: no framebuffer BAR 0 or no MMIO BAR 2 (a QEMU machine type before 1.3 lacks it)",
                  dev->name, what);
        return ANX_ENOTSUP;
    }
    struct bochs *b = anx_calloc(1, sizeof *b);
    if (!b)
        return ANX_ENOMEM;
    anx_pci_enable(dev);
    b->dev = dev;
    b->vga = dev->subclass == 0x00;
    b->mmio = anx_pci_map_bar(dev, 2);
    void *fb = anx_pci_map_bar(dev, 0);
    if (!b->mmio || !fb) {
        log_error("%s: %s: BARs not assigned", dev->name, what);
        anx_free(b);
        return ANX_ENOTSUP;
    }
    uint16_t id = dispi_rd(b, BOCHS_DISPI_ID);
    if (!bochs_display_id_ok(id)) {
        log_error("%s: %s: VBE interface id %#x, need %#x..%#x (linear framebuffer, 32 bpp)", dev->name, what,
                  id, BOCHS_DISPI_ID_LFB, BOCHS_DISPI_ID_MAX);
        anx_free(b);
        return ANX_ENOTSUP;
    }
    b->vram = bochs_display_vram(dispi_rd(b, BOCHS_DISPI_VIDEO_MEMORY_64K), dev->bar[0].size);
    read_caps(b);
    set_little_endian(b);
    b->disp = (struct anx_display){
        .driver = "bochs-display", .fb = fb, .fb_size = (size_t)b->vram,
        .max_width = b->max_x, .max_height = b->max_y, .ops = &bochs_ops, .priv = b,
    };
    int err = bochs_set_mode(&b->disp, DEFAULT_WIDTH, DEFAULT_HEIGHT, ANX_PIXEL_XRGB8888);
    if (err) {
        log_error("%s: %s: cannot set %ux%u XRGB8888: %s (VBE %#x, %llu KiB video memory, up to %ux%u)",
                  dev->name, what, DEFAULT_WIDTH, DEFAULT_HEIGHT, anx_strerror(err), id,
                  (unsigned long long)(b->vram >> 10), (unsigned)b->max_x, (unsigned)b->max_y);
        anx_free(b);
        return err;
    }
    log_info("%s: %s, VBE %#x, %llu KiB video memory, up to %ux%u", dev->name, what, id,
             (unsigned long long)(b->vram >> 10), (unsigned)b->max_x, (unsigned)b->max_y);
    err = anx_display_register(&b->disp);
    if (err) {
        anx_free(b);
        return err;
    }
    dev->driver_data = b;
    return 0;
}

static int bochs_probe(const struct anx_driver *drv, struct anx_device *dev)
{
    (void)drv;
    probed++;
    int err = probe_device(dev);
    if (err)
        probe_err = err;
    return err;
}

/* std VGA is class 03/00, bochs-display 03/80; the same id otherwise.
 * Other devices with this id (QEMU's secondary-vga) have no VGA class. */
static bool bochs_match(const struct anx_driver *drv, const struct anx_device *dev)
{
    (void)drv;
    return dev->class_code == 0x03 && (dev->subclass == 0x00 || dev->subclass == 0x80);
}

static const struct anx_device_id bochs_ids[] = {
    {ANX_BUS_PCI, 0x1234, 0x1111},
    {0},
};

static struct anx_driver bochs_driver = {
    .name = "bochs-display", .ids = bochs_ids, .match = bochs_match, .probe = bochs_probe,
};

static int bochs_display_init(void)
{
    int n = anx_driver_register(&bochs_driver);
    if (n != 0)
        return n < 0 ? n : 0;
    /* No screen: a failure when the manifest's display: names this driver
     * (the probe said why, or there is no device), a note otherwise. */
    bool wanted = false;
#ifdef CONFIG_DISPLAY_DEVICE
    wanted = strcmp(CONFIG_DISPLAY_DEVICE, "bochs-display") == 0;
#endif
    if (!probed && wanted)
        log_error("no std VGA or bochs-display device (QEMU: -vga std or -device bochs-display)");
    else if (!probed)
        log_info("no std VGA or bochs-display device (QEMU: -vga std or -device bochs-display)");
    return wanted ? (probed ? probe_err : ANX_ENOENT) : 0;
}

ANX_MODULE(bochs_display, .init = bochs_display_init);
