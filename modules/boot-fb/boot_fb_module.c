/* The framebuffer the boot loader left behind: GRUB sets a mode (UEFI GOP
 * or BIOS VBE) because the image's multiboot2 header asks for one, and
 * describes it in the framebuffer tag (plat_boot_framebuffer). The mode is
 * fixed: the firmware services that could change it are gone. The screen
 * scans out of that memory, so a flush has nothing to do. */
#define LOG_TAG "boot-fb"
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/platform.h>
#include "boot_fb_format.h"

static const struct anx_display_ops boot_fb_ops = {.flush = NULL, .set_mode = NULL};
static struct anx_display boot_fb_display;

static int boot_fb_init(void)
{
    struct plat_framebuffer fb;
    if (!plat_boot_framebuffer(&fb)) {
        log_error("no framebuffer from the boot loader: a direct (-kernel) boot has none; boot the ISO "
                  "(--boot bios or uefi) of a manifest with a display: section");
        return ANX_ENOENT;
    }
    char why[200];
    enum anx_pixel_format f = boot_fb_format(&fb, why, sizeof why);
    if (!f) {
        log_error("boot framebuffer refused: %s", why);
        return ANX_ENOTSUP;
    }
    size_t size = (size_t)fb.pitch * fb.height;
    void *p = plat_map_mmio(fb.phys, size);
    if (!p) {
        log_error("cannot map the framebuffer at %#llx (%zu bytes)", (unsigned long long)fb.phys, size);
        return ANX_ENOTSUP;
    }
    boot_fb_display = (struct anx_display){
        .driver = "boot-fb",
        .mode = {.width = fb.width, .height = fb.height, .stride = fb.pitch, .format = f},
        .fb = p, .fb_size = size, .ops = &boot_fb_ops,
    };
    return anx_display_register(&boot_fb_display);
}

ANX_MODULE(boot_fb, .init = boot_fb_init);
