/*
 * QEMU's fw_cfg files (QEMU docs/specs/fw_cfg.rst): named blobs the host
 * hands the guest with `-fw_cfg name=NAME,file=FILE` (anx run --secret
 * passes credentials as opt/anunix/secret/NAME this way; ramfb is
 * configured through etc/ramfb). A file is found in the file directory
 * (item 0x19: a big-endian count, then one 64-byte entry per file: be32
 * size, be16 selector, 2 reserved bytes, a NUL-padded name of up to 55
 * characters) and read by its selector, over the DMA interface the
 * platform starts (plat_fw_cfg_dma: I/O ports on x86 pc and microvm, the
 * device tree's MMIO window on arm64 virt).
 *
 * The directory comes from the host, so it is untrusted input: the
 * parsing functions below take it as bytes, check every length against
 * the buffer, and are what the host tests fuzz. They do no I/O.
 *
 *     struct anx_fw_cfg_file f;
 *     if (anx_fw_cfg_find("opt/anunix/secret/admin", &f) == 0) {
 *         char *buf = anx_malloc(f.size);
 *         int err = buf ? anx_fw_cfg_read(f.select, buf, f.size) : ANX_ENOMEM;
 *         ...
 *     }
 *
 * Every call blocks until QEMU is done (within the register write), in
 * thread or init context; none may run in an interrupt handler.
 */
#ifndef ANX_FW_CFG_H
#define ANX_FW_CFG_H

#include <stddef.h>
#include <stdint.h>

#define ANX_FW_CFG_FILE_DIR 0x0019   /* the directory's selector */
#define ANX_FW_CFG_ENTRY 64          /* bytes per directory entry */
#define ANX_FW_CFG_NAME_MAX 56       /* name bytes of an entry, with its NUL */
#define ANX_FW_CFG_MAX_FILES 4096    /* more is read as a damaged directory */

struct anx_fw_cfg_file {
    char name[ANX_FW_CFG_NAME_MAX];  /* always NUL-terminated */
    uint16_t select;
    uint32_t size;                   /* bytes */
};

/* ---- parsing (pure; dir is len bytes as read from item 0x19) ---------- */

/* The number of entries the directory holds: 0, or ANX_ECORRUPT when len
 * is shorter than its count says (or than the count itself). */
int anx_fw_cfg_dir_count(const uint8_t *dir, size_t len, uint32_t *count);
/* Entry i (below the count): 0, ANX_ECORRUPT for a name that fills all
 * 56 bytes with no NUL (QEMU never writes one) or a damaged directory,
 * ANX_ERANGE past the end. */
int anx_fw_cfg_dir_entry(const uint8_t *dir, size_t len, uint32_t i, struct anx_fw_cfg_file *out);
/* The entry named name (compared byte for byte): 0, ANX_ENOENT,
 * ANX_ECORRUPT. */
int anx_fw_cfg_dir_find(const uint8_t *dir, size_t len, const char *name, struct anx_fw_cfg_file *out);

/* ---- device access ---------------------------------------------------- */

/* True when the board has fw_cfg with DMA. */
int anx_fw_cfg_present(void);
/* The whole directory in a new heap block of *len bytes (anx_free it):
 * 0, ANX_ENOTSUP (no fw_cfg), ANX_ENOMEM, ANX_EIO, ANX_ECORRUPT. */
int anx_fw_cfg_read_dir(uint8_t **dir, size_t *len);
/* The file named name: 0, ANX_ENOENT, or an error of anx_fw_cfg_read_dir. */
int anx_fw_cfg_find(const char *name, struct anx_fw_cfg_file *out);
/* Read the first len bytes of the file with that selector into buf (heap
 * or static memory: identity-mapped RAM the device can write): 0,
 * ANX_ENOTSUP, ANX_EIO. */
int anx_fw_cfg_read(uint16_t select, void *buf, uint32_t len);

#endif
