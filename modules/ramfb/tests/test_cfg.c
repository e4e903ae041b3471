/* Host tests of ramfb's fw_cfg pieces: the file directory lookup (good,
 * missing, truncated and lying directories), the DMA descriptor, the
 * etc/ramfb record's bytes and the mode limits. */
#include <stdio.h>
#include <string.h>
#include <anx/errno.h>
#include "ramfb_cfg.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static uint8_t dir[4 + 3 * RAMFB_FILE_ENTRY];

static void entry(int i, uint32_t size, uint16_t select, const char *name)
{
    uint8_t *e = dir + 4 + i * RAMFB_FILE_ENTRY;
    memset(e, 0, RAMFB_FILE_ENTRY);
    ramfb_put_be32(e, size);
    e[4] = (uint8_t)(select >> 8), e[5] = (uint8_t)select;
    memcpy(e + 8, name, strnlen(name, RAMFB_FILE_NAME));
}

int main(void)
{
    /* a directory as QEMU lists it */
    ramfb_put_be32(dir, 3);
    entry(0, 4, 0x20, "bootorder");
    entry(1, 28, 0x27, "etc/ramfb");
    entry(2, 8, 0x28, "etc/ramfb-extra");
    uint16_t sel = 0;
    uint32_t size = 0;
    CHECK(ramfb_fw_cfg_find(dir, sizeof dir, "etc/ramfb", &sel, &size) == 0);
    CHECK(sel == 0x27 && size == 28);
    CHECK(ramfb_fw_cfg_find(dir, sizeof dir, "etc/ramfb-extra", &sel, &size) == 0 && sel == 0x28);
    /* a prefix of a name is not the name */
    CHECK(ramfb_fw_cfg_find(dir, sizeof dir, "etc/ram", &sel, &size) == ANX_ENOENT);
    CHECK(ramfb_fw_cfg_find(dir, sizeof dir, "etc/edid", &sel, &size) == ANX_ENOENT);
    /* no entries */
    ramfb_put_be32(dir, 0);
    CHECK(ramfb_fw_cfg_find(dir, sizeof dir, "etc/ramfb", &sel, &size) == ANX_ENOENT);
    /* a count the bytes do not hold: refused, not read past the end */
    ramfb_put_be32(dir, 4);
    CHECK(ramfb_fw_cfg_find(dir, sizeof dir, "etc/ramfb", &sel, &size) == ANX_ECORRUPT);
    ramfb_put_be32(dir, 0xffffffffu);
    CHECK(ramfb_fw_cfg_find(dir, sizeof dir, "etc/ramfb", &sel, &size) == ANX_ECORRUPT);
    ramfb_put_be32(dir, 2);
    CHECK(ramfb_fw_cfg_find(dir, 4 + RAMFB_FILE_ENTRY + 10, "etc/ramfb", &sel, &size) == ANX_ECORRUPT);
    CHECK(ramfb_fw_cfg_find(dir, 3, "etc/ramfb", &sel, &size) == ANX_ECORRUPT);
    /* a 56-byte name without a NUL never matches (and is not read beyond) */
    ramfb_put_be32(dir, 1);
    memset(dir + 4 + 8, 'a', RAMFB_FILE_NAME);
    CHECK(ramfb_fw_cfg_find(dir, 4 + RAMFB_FILE_ENTRY, "aaaa", &sel, &size) == ANX_ENOENT);

    /* DMA descriptor: big-endian, selector in the top half with SELECT */
    struct ramfb_dma d;
    ramfb_dma_encode(&d, 0x27, RAMFB_DMA_SELECT | RAMFB_DMA_WRITE, 0x40001000ull, 28);
    const uint8_t want_dma[16] = {0x00, 0x27, 0x00, 0x18, 0, 0, 0, 28, 0, 0, 0, 0, 0x40, 0x00, 0x10, 0x00};
    CHECK(sizeof d == 16 && memcmp(&d, want_dma, 16) == 0);
    ramfb_dma_encode(&d, 0x27, RAMFB_DMA_READ, 0x123456789ull, 4);   /* no SELECT: selector ignored */
    const uint8_t want_read[16] = {0, 0, 0, 0x02, 0, 0, 0, 4, 0, 0, 0, 0x01, 0x23, 0x45, 0x67, 0x89};
    CHECK(memcmp(&d, want_read, 16) == 0);

    /* the etc/ramfb record: addr, 'XR24', flags 0, 1280, 800, 5120 */
    uint8_t cfg[RAMFB_CFG_SIZE];
    ramfb_cfg_encode(cfg, 0x41000000ull, ANX_PIXEL_XRGB8888, 1280, 800, 5120);
    const uint8_t want_cfg[RAMFB_CFG_SIZE] = {
        0, 0, 0, 0, 0x41, 0, 0, 0,             /* addr */
        '4', '2', 'R', 'X',                    /* fourcc 'XR24' as a big-endian word */
        0, 0, 0, 0,                            /* flags */
        0, 0, 0x05, 0x00, 0, 0, 0x03, 0x20, 0, 0, 0x14, 0x00,
    };
    CHECK(memcmp(cfg, want_cfg, sizeof cfg) == 0);
    ramfb_cfg_encode(cfg, 0, ANX_PIXEL_RGB565, 16, 16, 32);
    CHECK(memcmp(cfg + 8, "61GR", 4) == 0);    /* 'RG16' */
    CHECK(ramfb_fourcc((enum anx_pixel_format)9) == 0);

    /* modes: QEMU's limits, stride and size */
    uint32_t stride = 0;
    size_t bytes = 0;
    CHECK(ramfb_mode(1280, 800, ANX_PIXEL_XRGB8888, &stride, &bytes) == 0 && stride == 5120 && bytes == 4096000);
    CHECK(ramfb_mode(1366, 768, ANX_PIXEL_RGB565, &stride, &bytes) == 0 && stride == 2732);
    CHECK(ramfb_mode(16, 16, ANX_PIXEL_XRGB8888, &stride, &bytes) == 0);
    CHECK(ramfb_mode(15, 600, ANX_PIXEL_XRGB8888, &stride, &bytes) == ANX_ENOTSUP);
    CHECK(ramfb_mode(800, 15, ANX_PIXEL_XRGB8888, &stride, &bytes) == ANX_ENOTSUP);
    CHECK(ramfb_mode(16001, 600, ANX_PIXEL_XRGB8888, &stride, &bytes) == ANX_ENOTSUP);
    CHECK(ramfb_mode(800, 12001, ANX_PIXEL_XRGB8888, &stride, &bytes) == ANX_ENOTSUP);
    CHECK(ramfb_mode(16000, 12000, ANX_PIXEL_XRGB8888, &stride, &bytes) == 0 && bytes == 768000000u);
    CHECK(ramfb_mode(800, 600, (enum anx_pixel_format)0, &stride, &bytes) == ANX_EINVAL);

    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
