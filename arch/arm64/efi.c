/*
 * The EFI stub: what runs when UEFI firmware (QEMU's AAVMF) or a UEFI boot
 * loader starts the Image as an EFI application (entry.S's PE header,
 * arm64_efi_entry). It finds the device tree UEFI installed in its
 * configuration table and exits boot services; entry.S then turns the MMU
 * off, arm64_efi_move_dtb moves the device tree to the 2 MiB below the
 * image (where a direct boot has it too, and where the kernel's memory
 * allocator never looks) and entry.S enters arm64_entry.
 *
 * It runs at the link address (UEFI loads the image at its ImageBase) with
 * the firmware's MMU on, and writes nothing in the image, which the
 * firmware may map read-only: the memory map goes into pool memory.
 * The command line stays the device tree's /chosen bootargs (UEFI's load
 * options are not read).
 */
#include <stddef.h>
#include <stdint.h>

typedef uint64_t efi_status;
#define EFI_SUCCESS 0
#define EFI_BUFFER_TOO_SMALL (0x8000000000000000ull | 5)
#define EFI_LOADER_DATA 2
#define DTB_MAX (1u << 20)   /* the 2 MiB below the image also hold arm64_ram_check's stack */

struct efi_table_header {
    uint64_t signature;
    uint32_t revision, header_size, crc32, reserved;
};

struct efi_text_output {
    void *reset;
    efi_status (*output_string)(struct efi_text_output *self, const uint16_t *s);
};

/* Only the members used, the rest as padding (UEFI spec 4.4). */
struct efi_boot_services {
    struct efi_table_header hdr;
    void *raise_tpl, *restore_tpl, *allocate_pages, *free_pages;
    efi_status (*get_memory_map)(uint64_t *size, void *map, uint64_t *key, uint64_t *desc_size,
                                 uint32_t *desc_version);
    efi_status (*allocate_pool)(uint32_t type, uint64_t size, void **buf);
    void *free_pool;
    void *between[19];   /* CreateEvent .. UnloadImage */
    efi_status (*exit_boot_services)(void *image, uint64_t key);
};

struct efi_config_table {
    uint8_t guid[16];
    void *table;
};

struct efi_system_table {
    struct efi_table_header hdr;
    void *firmware_vendor;
    uint32_t firmware_revision;
    void *con_in_handle, *con_in, *con_out_handle;
    struct efi_text_output *con_out;
    void *stderr_handle, *stderr_out, *runtime;
    struct efi_boot_services *boot;
    uint64_t nr_tables;
    struct efi_config_table *tables;
};

/* b1b621d5-f19c-41a5-830b-d9152c69aae0, the device tree table, as stored. */
static const uint8_t dtb_guid[16] = {0xd5, 0x21, 0xb6, 0xb1, 0x9c, 0xf1, 0xa5, 0x41,
                                     0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0};

extern char __image_start[], __image_end[];
void *arm64_efi_main(void *image, struct efi_system_table *st);
void *arm64_efi_move_dtb(const uint64_t *dtb);

static void say(struct efi_system_table *st, const uint16_t *s)
{
    if (st->con_out)
        st->con_out->output_string(st->con_out, s);
}

static int guid_eq(const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < 16; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The bytes of the device tree in use: UEFI's copy (QEMU's, which EDK2
 * may edit) keeps free space after its blocks, and its totalsize can be
 * more than the room below the image. The memory reservation block comes
 * first (DT spec 5.1), so the end of the last of the other two is the end. */
static uint32_t dtb_used(const uint8_t *dtb)
{
    uint32_t end_struct = be32(dtb + 8) + be32(dtb + 36), end_strings = be32(dtb + 12) + be32(dtb + 32);
    uint32_t end = end_struct > end_strings ? end_struct : end_strings;
    return end > be32(dtb + 4) ? be32(dtb + 4) : end;
}

/* Cleans [p, p + n) to the point of coherency: the MMU and caches go off
 * next, and the kernel then reads memory, not the cache. */
static void clean_dcache(uintptr_t p, size_t n)
{
    uint64_t ctr;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    uintptr_t line = 4u << ((ctr >> 16) & 15);
    for (uintptr_t a = p & ~(line - 1); a < p + n; a += line)
        __asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb sy" ::: "memory");
}

/* ExitBootServices with the key of a fresh memory map, once more if the
 * map changed in between (the spec allows that failure). */
static int exit_boot_services(void *image, struct efi_system_table *st)
{
    struct efi_boot_services *bs = st->boot;
    uint64_t size = 0, key, dsize;
    uint32_t dver;
    void *map = NULL;
    if (bs->get_memory_map(&size, NULL, &key, &dsize, &dver) != EFI_BUFFER_TOO_SMALL)
        return -1;
    size += 16 * dsize;   /* room for the pool allocation's own entries */
    if (bs->allocate_pool(EFI_LOADER_DATA, size, &map) != EFI_SUCCESS)
        return -1;
    for (int tries = 0; tries < 2; tries++) {
        uint64_t n = size;
        if (bs->get_memory_map(&n, map, &key, &dsize, &dver) != EFI_SUCCESS)
            return -1;
        if (bs->exit_boot_services(image, key) == EFI_SUCCESS)
            return 0;
    }
    return -1;
}

void *arm64_efi_main(void *image, struct efi_system_table *st)
{
    const uint8_t *dtb = NULL;
    for (uint64_t i = 0; i < st->nr_tables; i++)
        if (guid_eq(st->tables[i].guid, dtb_guid))
            dtb = st->tables[i].table;
    if (!dtb || be32(dtb) != 0xd00dfeed) {
        say(st, u"anunix: no device tree in the UEFI configuration table\r\n");
        return NULL;
    }
    uint32_t size = dtb_used(dtb);
    if (size > DTB_MAX) {
        say(st, u"anunix: the device tree is larger than 1 MiB\r\n");
        return NULL;
    }
    if (exit_boot_services(image, st)) {
        say(st, u"anunix: ExitBootServices failed\r\n");
        return NULL;
    }
    /* The firmware's memory is ours now. What the MMU-off code reads must
     * be in memory, not only in the cache. */
    clean_dcache((uintptr_t)dtb, size);
    clean_dcache((uintptr_t)__image_start, (size_t)(__image_end - __image_start));
    return (void *)dtb;
}

/* With the MMU off (Device memory: aligned accesses only; UEFI's tables are
 * 8-byte aligned): the firmware's page tables no longer decide what may be
 * written. Copies forward or backward as the two places overlap. */
void *arm64_efi_move_dtb(const uint64_t *dtb)
{
    uint64_t *to = (uint64_t *)(__image_start - 0x200000);
    uint32_t used = dtb_used((const uint8_t *)dtb);
    size_t n = (used + 7) / 8;
    if (to < dtb)
        for (size_t i = 0; i < n; i++)
            to[i] = dtb[i];
    else if (to > dtb)
        for (size_t i = n; i-- > 0;)
            to[i] = dtb[i];
    /* totalsize, big-endian: the copy ends after its last block */
    uint32_t be = (used >> 24) | ((used >> 8) & 0xff00) | ((used << 8) & 0xff0000) | (used << 24);
    ((uint32_t *)to)[1] = be;
    return to;
}
