/* QEMU's fw_cfg files (<anx/fw_cfg.h>): directory parsing, which must
 * survive any bytes the host sends, and reads over the platform's DMA
 * interface. The wire format is big-endian, read byte by byte. */
#include <anx/errno.h>
#include <anx/fw_cfg.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/time.h>

#define DMA_ERROR 0x01
#define DMA_READ 0x02
#define DMA_SELECT 0x08

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

int anx_fw_cfg_dir_count(const uint8_t *dir, size_t len, uint32_t *count)
{
    if (!dir || len < 4)
        return ANX_ECORRUPT;
    uint32_t n = be32(dir);
    if (n > ANX_FW_CFG_MAX_FILES || n > (len - 4) / ANX_FW_CFG_ENTRY)
        return ANX_ECORRUPT;
    *count = n;
    return 0;
}

int anx_fw_cfg_dir_entry(const uint8_t *dir, size_t len, uint32_t i, struct anx_fw_cfg_file *out)
{
    uint32_t n;
    int err = anx_fw_cfg_dir_count(dir, len, &n);
    if (err)
        return err;
    if (i >= n)
        return ANX_ERANGE;
    const uint8_t *e = dir + 4 + (size_t)i * ANX_FW_CFG_ENTRY;
    const uint8_t *name = e + 8;
    if (!memchr(name, 0, ANX_FW_CFG_NAME_MAX))
        return ANX_ECORRUPT;
    memcpy(out->name, name, ANX_FW_CFG_NAME_MAX);
    out->size = be32(e);
    out->select = (uint16_t)(e[4] << 8 | e[5]);
    return 0;
}

int anx_fw_cfg_dir_find(const uint8_t *dir, size_t len, const char *name, struct anx_fw_cfg_file *out)
{
    uint32_t n;
    int err = anx_fw_cfg_dir_count(dir, len, &n);
    if (err)
        return err;
    if (strlen(name) >= ANX_FW_CFG_NAME_MAX)
        return ANX_ENOENT;   /* no entry can hold it */
    for (uint32_t i = 0; i < n; i++) {
        struct anx_fw_cfg_file f;
        if (anx_fw_cfg_dir_entry(dir, len, i, &f) == 0 && strcmp(f.name, name) == 0) {
            *out = f;
            return 0;
        }
    }
    return ANX_ENOENT;
}

/* ---- DMA ------------------------------------------------------------------ */

int anx_fw_cfg_present(void)
{
    return plat_fw_cfg_dma(0) == 0;
}

/* One transfer; select 0 without DMA_SELECT continues where the last one
 * stopped. QEMU completes it within the register write; the deadline is
 * for a device that does not. */
static struct {
    uint8_t control[4], length[4], address[8];
} desc __attribute__((aligned(16)));

/* The control word as the device leaves it (volatile: the device writes it). */
static uint32_t desc_control(void)
{
    volatile const uint8_t *p = desc.control;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int dma(uint16_t select, uint32_t control, void *buf, uint32_t len)
{
    if (control & DMA_SELECT)
        control |= (uint32_t)select << 16;
    uint64_t addr = (uintptr_t)buf;
    put_be32(desc.control, control);
    put_be32(desc.length, len);
    put_be32(desc.address, (uint32_t)(addr >> 32));
    put_be32(desc.address + 4, (uint32_t)addr);
    __sync_synchronize();            /* descriptor and buffer in RAM before the kick */
    int err = plat_fw_cfg_dma((uintptr_t)&desc);
    if (err)
        return err;
    uint64_t deadline = anx_time_ns() + 100000000ull;
    uint32_t c;
    while ((c = desc_control()) & ~(uint32_t)DMA_ERROR) {
        if (anx_time_ns() > deadline)
            return ANX_EIO;
        __sync_synchronize();
    }
    __sync_synchronize();
    return c & DMA_ERROR ? ANX_EIO : 0;
}

int anx_fw_cfg_read(uint16_t select, void *buf, uint32_t len)
{
    return dma(select, DMA_SELECT | DMA_READ, buf, len);
}

int anx_fw_cfg_read_dir(uint8_t **dir, size_t *len)
{
    if (!anx_fw_cfg_present())
        return ANX_ENOTSUP;
    uint8_t *head = anx_malloc(4);
    if (!head)
        return ANX_ENOMEM;
    int err = dma(ANX_FW_CFG_FILE_DIR, DMA_SELECT | DMA_READ, head, 4);
    uint32_t count = err ? 0 : be32(head);
    anx_free(head);
    if (err)
        return err;
    if (count > ANX_FW_CFG_MAX_FILES)
        return ANX_ECORRUPT;
    size_t n = 4 + (size_t)count * ANX_FW_CFG_ENTRY;
    uint8_t *d = anx_malloc(n);
    if (!d)
        return ANX_ENOMEM;
    put_be32(d, count);
    err = count ? dma(0, DMA_READ, d + 4, (uint32_t)(n - 4)) : 0;   /* continues after the count */
    if (err) {
        anx_free(d);
        return err;
    }
    *dir = d;
    *len = n;
    return 0;
}

int anx_fw_cfg_find(const char *name, struct anx_fw_cfg_file *out)
{
    uint8_t *d;
    size_t n;
    int err = anx_fw_cfg_read_dir(&d, &n);
    if (err)
        return err;
    err = anx_fw_cfg_dir_find(d, n, name, out);
    anx_free(d);
    return err;
}
