/*
 * Disk images: `raw`, a GPT disk that boots under BIOS and UEFI, and
 * `qcow2`, the same disk converted by qemu-img (Debian's qemu-utils).
 *
 * The raw disk is what grub-install makes of a GPT disk, assembled in a
 * file so it needs neither root nor loop devices:
 *   LBA 0          protective MBR holding GRUB's boot.img (BIOS stage 1)
 *   LBA 1..33      GPT header and partition entries
 *   1 MiB..2 MiB   partition 2, BIOS boot: GRUB's i386-pc core.img
 *   2 MiB..        partition 1, EFI system partition (FAT, made by mtools):
 *                  /EFI/BOOT/BOOTX64.EFI, /boot/grub/grub.cfg, /boot/anunix.elf
 *   last 33 LBAs   backup partition entries and header
 * Both GRUBs read the platform's grub.cfg (the ISO's) and the kernel from
 * the ESP, so BIOS and UEFI boot the same files. The GRUB modules the
 * config uses are built into core.img and BOOTX64.EFI: the ESP holds no
 * module folder.
 *
 * arm64 boots UEFI only, and without GRUB: the kernel is its own EFI
 * application (the PE header and EFI stub of arch/arm64/entry.S and efi.c,
 * as Linux's), so the ESP holds /EFI/BOOT/BOOTAA64.EFI, the raw Image
 * (objcopy -O binary) padded to the PE file alignment, and the disk has no
 * BIOS boot partition and no MBR code. (Debian builds grub-efi-arm64-bin
 * for arm64 hosts only, and GRUB 2.06's arm64 `linux` loader would need the
 * same EFI stub anyway.)
 *
 * Reproducibility: grub-mkimage's output is deterministic; SOURCE_DATE_EPOCH
 * (honoured by mtools) plus mcopy -m from files with pinned dates fix the
 * FAT's dates; the FAT serial is fixed like the ISO's; the disk GUID,
 * partition GUIDs and MBR signature are derived from the image key (the
 * hash of the kernel, grub.cfg and epoch).
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SECTOR 512u
#define FAT_SERIAL "414e5831"        /* "ANX1", as the ISO's EFI image */
#define MIB_SECTORS 2048u
#define BIOS_BOOT_LBA MIB_SECTORS      /* partition 2: 1 MiB */
#define ESP_LBA (2 * MIB_SECTORS)      /* partition 1: from 2 MiB */
#define GPT_ENTRIES 128u
#define GPT_ENTRY_SIZE 128u
#define GPT_ENTRY_SECTORS (GPT_ENTRIES * GPT_ENTRY_SIZE / SECTOR)   /* 32 */

/* The GRUB modules grub.cfg needs (modules they depend on come along). */
static const char *const efi_modules[] = {"part_gpt", "fat", "normal", "configfile", "multiboot2", "serial",
                                          "terminal", "test", "echo", "efi_gop", "efi_uga"};
static const char *const bios_modules[] = {"biosdisk", "part_gpt", "fat", "normal", "configfile", "multiboot2",
                                           "serial", "terminal", "test", "echo", "vbe"};

/* GRUB's i386-pc boot.img and diskboot (core.img's first sector) fields:
 * grub-core/boot/i386/pc/boot.S and util/setup.c. */
#define BOOT_KERNEL_SECTOR 0x5c    /* 64-bit LBA of core.img's first sector */
#define BOOT_DRIVE 0x64            /* 0xff: the drive the BIOS booted from */
#define BOOT_DRIVE_CHECK 0x66      /* a jump that grub-install nops for hard disks */
#define MBR_SIGNATURE 0x1b8
#define MBR_PART0 0x1be
#define BLOCKLIST_START (SECTOR - 12)   /* first blocklist entry: start (8), len (2), segment (2) */

static void set_mtime(const char *path, time_t t)
{
    struct timeval tv[2] = {{t, 0}, {t, 0}};
    utimes(path, tv);
}

/* The CRC-32 of GPT headers and entry arrays (IEEE 802.3, as zlib's crc32). */
static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

/* A version-4-shaped GUID (as stored on disk) from the image key and a
 * label: the same image always gets the same GUIDs, two images differ. */
static void derived_guid(const char *key, const char *label, uint8_t g[16])
{
    char *text = xasprintf("anx-disk-guid %s %s", key, label);
    struct anx_sha256 s;
    uint8_t d[32];
    anx_sha256_init(&s);
    anx_sha256_update(&s, text, strlen(text));
    anx_sha256_final(&s, d);
    memcpy(g, d, 16);
    g[7] = (uint8_t)((g[7] & 0x0f) | 0x40);   /* time_hi_and_version is little-endian on disk */
    g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);
}

/* Partition type GUIDs in their on-disk (mixed-endian) byte order. */
static const uint8_t esp_type[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                     0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};
static const uint8_t bios_boot_type[16] = {'H', 'a', 'h', '!', 'I', 'd', 'o', 'n',
                                           't', 'N', 'e', 'e', 'd', 'E', 'F', 'I'};

static void gpt_entry(uint8_t *e, const uint8_t type[16], const uint8_t id[16], uint64_t first, uint64_t last,
                      const char *name)
{
    memcpy(e, type, 16);
    memcpy(e + 16, id, 16);
    put_le(e + 32, first, 8);
    put_le(e + 40, last, 8);
    for (size_t i = 0; name[i] && i < 36; i++)
        put_le(e + 56 + 2 * i, (uint8_t)name[i], 2);
}

static void gpt_header(uint8_t *h, uint64_t self, uint64_t alt, uint64_t entries_lba, uint64_t last_usable,
                       const uint8_t disk_guid[16], uint32_t entries_crc)
{
    memset(h, 0, SECTOR);
    memcpy(h, "EFI PART", 8);
    put_le(h + 8, 0x00010000, 4);
    put_le(h + 12, 92, 4);
    put_le(h + 24, self, 8);
    put_le(h + 32, alt, 8);
    put_le(h + 40, 2 + GPT_ENTRY_SECTORS, 8);
    put_le(h + 48, last_usable, 8);
    memcpy(h + 56, disk_guid, 16);
    put_le(h + 72, entries_lba, 8);
    put_le(h + 80, GPT_ENTRIES, 4);
    put_le(h + 84, GPT_ENTRY_SIZE, 4);
    put_le(h + 88, entries_crc, 4);
    put_le(h + 16, crc32(h, 92), 4);
}

static int pwrite_all(int fd, const void *p, size_t n, uint64_t lba)
{
    const uint8_t *b = p;
    off_t off = (off_t)(lba * SECTOR);
    while (n) {
        ssize_t w = pwrite(fd, b, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

/* Copies the FAT image into the disk at lba, skipping zero blocks: the
 * disk file was sized with ftruncate, so they stay holes (a sparse file). */
static int copy_sparse(int fd, const char *from, uint64_t lba)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    static uint8_t blk[64 * 1024], zero[64 * 1024];
    uint64_t at = lba;
    ssize_t r;
    int rc = 0;
    while ((r = read(in, blk, sizeof blk)) > 0) {
        if (memcmp(blk, zero, (size_t)r) && pwrite_all(fd, blk, (size_t)r, at)) {
            rc = -1;
            break;
        }
        at += (uint64_t)r / SECTOR;
    }
    close(in);
    return r < 0 ? -1 : rc;
}

/* Runs a tool; on failure prints its output and names the package. */
static int tool(char *const *argv, const char *pkg)
{
    struct buf out = {0};
    int rc = run_argv(argv, NULL, &out);
    if (rc != 0) {
        fputs(buf_cstr(&out), diag_out ? diag_out : stderr);
        diag_error(NULL, "%s failed (exit %d) making the raw disk image; it comes with Debian's %s "
                   "(scripts/setup.sh installs it)", argv[0], rc, pkg);
        return -1;
    }
    return 0;
}

static int grub_mkimage(const char *format, const char *prefix, const char *out, const char *const *mods,
                        size_t nmods)
{
    const char *dir = !strcmp(format, "i386-pc") ? "/usr/lib/grub/i386-pc" : "/usr/lib/grub/x86_64-efi";
    char *argv[32] = {"grub-mkimage", "-O", (char *)format, "-d", (char *)dir, "-p", (char *)prefix, "-o",
                      (char *)out};
    size_t n = 9;
    for (size_t i = 0; i < nmods && n < 31; i++)
        argv[n++] = (char *)mods[i];
    argv[n] = NULL;
    return tool(argv, !strcmp(format, "i386-pc") ? "grub-pc-bin" : "grub-efi-amd64-bin");
}

/* One file for the ESP: the staged file and its path there. */
struct esp_file {
    const char *from, *to;
};

/* The ESP: a FAT file system made with mtools holding the files (x86_64:
 * GRUB for UEFI, the config and the kernel; arm64: the kernel as EFI
 * application) in the folders named. */
static int make_esp(const char *esp, uint64_t sectors, char *const *dirs, const struct esp_file *files, size_t n)
{
    unlink(esp);
    char *total = xasprintf("%llu", (unsigned long long)sectors);
    char *fmt[] = {"mformat", "-i", (char *)esp, "-C", "-T", total, "-h", "64", "-s", "32", "-N", FAT_SERIAL,
                   "-v", "ANUNIX", "::", NULL};
    if (tool(fmt, "mtools"))
        return -1;
    char *mmd[8] = {"mmd", "-i", (char *)esp};
    size_t k = 3;
    for (size_t i = 0; dirs[i] && k < 7; i++)
        mmd[k++] = dirs[i];
    mmd[k] = NULL;
    if (tool(mmd, "mtools"))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *cp[] = {"mcopy", "-m", "-i", (char *)esp, (char *)files[i].from, (char *)files[i].to, NULL};
        if (tool(cp, "mtools"))
            return -1;
    }
    return 0;
}

/* Stage 1 in the MBR (boot.img pointed at core.img) and the protective
 * partition entry, as grub-install writes them for a GPT disk. */
static int write_mbr(int fd, const uint8_t *boot_img, uint64_t total, const uint8_t sig[4])
{
    uint8_t mbr[SECTOR] = {0};
    if (boot_img) {   /* no boot code on a UEFI-only disk */
        memcpy(mbr, boot_img, MBR_SIGNATURE);
        put_le(mbr + BOOT_KERNEL_SECTOR, BIOS_BOOT_LBA, 8);
        mbr[BOOT_DRIVE] = 0xff;
        mbr[BOOT_DRIVE_CHECK] = 0x90;
        mbr[BOOT_DRIVE_CHECK + 1] = 0x90;
    }
    memcpy(mbr + MBR_SIGNATURE, sig, 4);
    uint8_t *p = mbr + MBR_PART0;
    p[1] = 0x00, p[2] = 0x02, p[3] = 0x00;   /* CHS of LBA 1 */
    p[4] = 0xee;                             /* GPT protective */
    p[5] = 0xff, p[6] = 0xff, p[7] = 0xff;
    put_le(p + 8, 1, 4);
    put_le(p + 12, total - 1 > 0xffffffffu ? 0xffffffffu : (uint32_t)(total - 1), 4);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    return pwrite_all(fd, mbr, SECTOR, 0);
}

/* core.img into the BIOS boot partition, its first sector's blocklist
 * pointing at the rest (grub-mkimage fills in the length and segment). */
static int write_core(int fd, char *core, size_t len)
{
    size_t sectors = (len + SECTOR - 1) / SECTOR;
    if (sectors > MIB_SECTORS || len < SECTOR) {
        diag_error(NULL, "GRUB's core.img is %zu bytes; the BIOS boot partition holds 1 MiB", len);
        return -1;
    }
    uint8_t *c = xcalloc(sectors, SECTOR);
    memcpy(c, core, len);
    put_le(c + BLOCKLIST_START, BIOS_BOOT_LBA + 1, 8);
    uint16_t listed = (uint16_t)(c[BLOCKLIST_START + 8] | c[BLOCKLIST_START + 9] << 8);
    if (listed != sectors - 1) {
        diag_error(NULL, "GRUB's core.img lists %u sectors after its first, expected %zu (unknown GRUB layout)",
                   listed, sectors - 1);
        return -1;
    }
    return pwrite_all(fd, c, sectors * SECTOR, BIOS_BOOT_LBA);
}

static int write_gpt(int fd, uint64_t total, uint64_t esp_sectors, bool bios, const char *key)
{
    uint8_t disk[16], id1[16], id2[16];
    derived_guid(key, "disk", disk);
    derived_guid(key, "esp", id1);
    derived_guid(key, "bios-boot", id2);
    uint8_t *entries = xcalloc(GPT_ENTRIES, GPT_ENTRY_SIZE);
    gpt_entry(entries, esp_type, id1, ESP_LBA, ESP_LBA + esp_sectors - 1, "EFI system partition");
    if (bios)
        gpt_entry(entries + GPT_ENTRY_SIZE, bios_boot_type, id2, BIOS_BOOT_LBA, ESP_LBA - 1, "BIOS boot partition");
    uint32_t ecrc = crc32(entries, GPT_ENTRIES * GPT_ENTRY_SIZE);
    uint64_t last = total - 1, backup_entries = last - GPT_ENTRY_SECTORS, last_usable = backup_entries - 1;
    uint8_t primary[SECTOR], backup[SECTOR];
    gpt_header(primary, 1, last, 2, last_usable, disk, ecrc);
    gpt_header(backup, last, 1, backup_entries, last_usable, disk, ecrc);
    size_t elen = GPT_ENTRIES * GPT_ENTRY_SIZE;
    return pwrite_all(fd, primary, SECTOR, 1) || pwrite_all(fd, entries, elen, 2) ||
                   pwrite_all(fd, entries, elen, backup_entries) || pwrite_all(fd, backup, SECTOR, last)
               ? -1
               : 0;
}

/* ESP size: the files plus a quarter and 4 MiB, rounded up to whole MiB
 * (FAT geometry 64 heads x 32 sectors), at least 16 MiB. */
static uint64_t esp_size(const char *elf, const char *efi)
{
    struct stat a, b;
    uint64_t files = (stat(elf, &a) ? 0 : (uint64_t)a.st_size) + (!efi || stat(efi, &b) ? 0 : (uint64_t)b.st_size);
    uint64_t bytes = files + files / 4 + (4u << 20);
    uint64_t sectors = (bytes / SECTOR + MIB_SECTORS - 1) / MIB_SECTORS * MIB_SECTORS;
    return sectors < 16 * MIB_SECTORS ? 16 * MIB_SECTORS : sectors;
}

/* The disk: MBR, GPT, the ESP and, given boot_img_path and core_path, GRUB
 * for BIOS in the MBR and the BIOS boot partition. */
static int assemble(const char *out, const char *boot_img_path, const char *core_path, const char *esp,
                    uint64_t esp_sectors, const char *key)
{
    char *boot_img = NULL, *core = NULL;
    size_t boot_len = 0, core_len = 0;
    if (boot_img_path && (read_file(boot_img_path, &boot_img, &boot_len, SECTOR) || boot_len != SECTOR)) {
        diag_error(NULL, "cannot read GRUB's %s (512 bytes; Debian's grub-pc-bin)", boot_img_path);
        return -1;
    }
    if (core_path && read_file(core_path, &core, &core_len, 4u << 20)) {
        diag_error(NULL, "cannot read %s", path_display(core_path));
        return -1;
    }
    /* The last MiB holds the backup GPT, keeping the disk a whole number of MiB. */
    uint64_t total = ESP_LBA + esp_sectors + MIB_SECTORS;
    uint8_t sig[16];
    derived_guid(key, "mbr", sig);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        diag_error(NULL, "cannot create %s: %s", path_display(out), strerror(errno));
        return -1;
    }
    int rc = ftruncate(fd, (off_t)(total * SECTOR)) || write_mbr(fd, (uint8_t *)boot_img, total, sig) ||
             (core && write_core(fd, core, core_len)) || write_gpt(fd, total, esp_sectors, core != NULL, key) ||
             copy_sparse(fd, esp, ESP_LBA);
    if (close(fd) || rc) {
        diag_error(NULL, "cannot write %s: %s", path_display(out), strerror(errno));
        return -1;
    }
    return 0;
}

/* x86_64: GRUB for UEFI on the ESP with grub.cfg and the kernel, GRUB for
 * BIOS in the MBR and the BIOS boot partition. */
static int disk_x86_64(const struct platform *p, const char *elf, const char *tmp, const char *stage, time_t t,
                       const char *key)
{
    const char *cfg = path_join(p->dir, "grub.cfg");
    if (!file_exists(cfg)) {
        diag_error(NULL, "platform '%s' lists the raw image but has no %s", p->name, path_display(cfg));
        return -1;
    }
    char *s_elf = path_join(stage, "anunix.elf"), *s_cfg = path_join(stage, "grub.cfg");
    char *efi = path_join(stage, "BOOTX64.EFI"), *core = path_join(stage, "core.img");
    char *esp = path_join(stage, "esp.img");
    if (copy_file(elf, s_elf) || copy_file(cfg, s_cfg)) {
        diag_error(NULL, "cannot stage the disk image's files in %s", path_display(stage));
        return -1;
    }
    if (grub_mkimage("x86_64-efi", "/boot/grub", efi, efi_modules, COUNT(efi_modules)) ||
        /* "(,gpt1)": partition 1 of the disk the BIOS booted from. */
        grub_mkimage("i386-pc", "(,gpt1)/boot/grub", core, bios_modules, COUNT(bios_modules)))
        return -1;
    set_mtime(s_elf, t);
    set_mtime(s_cfg, t);
    set_mtime(efi, t);
    uint64_t esp_sectors = esp_size(s_elf, efi);
    char *dirs[] = {"::/EFI", "::/EFI/BOOT", "::/boot", "::/boot/grub", NULL};
    struct esp_file files[] = {{efi, "::/EFI/BOOT/BOOTX64.EFI"}, {s_cfg, "::/boot/grub/grub.cfg"},
                               {s_elf, "::/boot/anunix.elf"}};
    return make_esp(esp, esp_sectors, dirs, files, COUNT(files)) ||
                   assemble(tmp, "/usr/lib/grub/i386-pc/boot.img", core, esp, esp_sectors, key)
               ? -1
               : 0;
}

/* arm64: the kernel is the EFI application (arch/arm64/entry.S's PE
 * header): the raw Image, padded to the PE FileAlignment (512) that its
 * SizeOfRawData counts in. */
static int disk_arm64(const struct platform *p, const char *elf, const char *tmp, const char *stage, time_t t,
                      const char *key)
{
    char *efi = path_join(stage, "BOOTAA64.EFI"), *esp = path_join(stage, "esp.img");
    char *objcopy = xasprintf("%sobjcopy", p->cross_compile ? p->cross_compile : "");
    char *argv[] = {objcopy, "-O", "binary", (char *)elf, efi, NULL};
    struct stat st;
    if (tool(argv, "binutils-aarch64-linux-gnu") || stat(efi, &st) ||
        truncate(efi, (st.st_size + SECTOR - 1) / SECTOR * SECTOR)) {
        diag_error(NULL, "cannot write %s", path_display(efi));
        return -1;
    }
    char head[64] = {0};
    int fd = open(efi, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof head);
    if (fd >= 0)
        close(fd);
    if (n < 64 || memcmp(head, "MZ", 2) || memcmp(head + 56, "ARM\x64", 4)) {
        diag_error(NULL, "platform '%s': the kernel is not an EFI application (no \"MZ\" PE header in its arm64 "
                   "Image header: arch/arm64/entry.S); its raw image cannot boot under UEFI", p->name);
        return -1;
    }
    set_mtime(efi, t);
    uint64_t esp_sectors = esp_size(efi, NULL);
    char *dirs[] = {"::/EFI", "::/EFI/BOOT", NULL};
    struct esp_file files[] = {{efi, "::/EFI/BOOT/BOOTAA64.EFI"}};
    return make_esp(esp, esp_sectors, dirs, files, COUNT(files)) ||
                   assemble(tmp, NULL, NULL, esp, esp_sectors, key)
               ? -1
               : 0;
}

int disk_build(const struct platform *p, const char *elf, const char *raw, const char *workdir, const char *key)
{
    bool x86 = !strcmp(p->arch, "x86_64"), arm64 = !strcmp(p->arch, "arm64");
    if (!x86 && !arm64) {
        diag_error(NULL, "platform '%s': anx makes raw disk images for x86_64 and arm64 only; remove raw and qcow2 "
                   "from its images: list", p->name);
        return 1;
    }
    /* Per process: anx matrix boots two modes of one build at once, and
     * each `anx test` makes the disk its mode names; both write the same
     * bytes, and the rename makes either result whole. */
    char *stage = path_join(workdir, xasprintf("disk-root.%d", (int)getpid()));
    rm_rf(stage);
    char *tmp = xasprintf("%s.%d.tmp", raw, (int)getpid());
    if (mkdir_p(stage)) {
        diag_error(NULL, "cannot create %s", path_display(stage));
        return 1;
    }
    /* mtools takes file dates from SOURCE_DATE_EPOCH (directories, label)
     * and, with mcopy -m, from the files: both pinned, in UTC (image_env.c) */
    struct tool_env env;
    time_t t = tool_env_enter(&env);
    int rc = x86 ? disk_x86_64(p, elf, tmp, stage, t, key) : disk_arm64(p, elf, tmp, stage, t, key);
    tool_env_leave(&env);
    if (rc || rename(tmp, raw) < 0) {
        unlink(tmp);
        if (!rc)
            diag_error(NULL, "cannot write %s: %s", path_display(raw), strerror(errno));
        rm_rf(stage);
        return 1;
    }
    rm_rf(stage);
    return 0;
}

int qcow2_build(const char *raw, const char *qcow2)
{
    char *tmp = xasprintf("%s.%d.tmp", qcow2, (int)getpid());   /* per process, as disk_build's */
    unlink(tmp);
    char *argv[] = {"qemu-img", "convert", "-f", "raw", "-O", "qcow2", (char *)raw, tmp, NULL};
    struct buf out = {0};
    int rc = run_argv(argv, NULL, &out);
    if (rc != 0 || rename(tmp, qcow2) < 0) {
        fputs(buf_cstr(&out), diag_out ? diag_out : stderr);
        unlink(tmp);
        diag_error(NULL, "qemu-img convert failed (exit %d) making %s; it comes with Debian's qemu-utils "
                   "(scripts/setup.sh installs it)", rc, path_display(qcow2));
        return 1;
    }
    return 0;
}
