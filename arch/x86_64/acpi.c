/*
 * ACPI tables, read once at boot while the early identity map covers the
 * low 4 GiB: RSDP (from the loader or the BIOS-area scan) -> RSDT/XSDT ->
 * MADT (local APIC, IOAPICs, ISA overrides), HPET, FADT (PM timer, PM1
 * control, sleep control of hardware-reduced ACPI, DSDT) and the \_S5
 * sleep type from the DSDT for the power-off fallback. Every pointer and
 * length is checked; a bad table is skipped, never trusted.
 */
#include <anx/lib.h>
#include <anx/platform.h>
#include "x86.h"

struct x86_acpi x86_acpi;
static uint64_t dsdt_pa;

struct sdt {
    char sig[4];
    uint32_t len;
    uint8_t rev, csum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

static bool sig_is(const char *a, const char *b)
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static const struct sdt *table_at(uint64_t pa)
{
    if (!pa || pa + sizeof(struct sdt) > x86_mapped_limit)
        return 0;
    const struct sdt *t = (const void *)(uintptr_t)pa;
    if (t->len < sizeof *t || t->len > (1u << 20) || pa + t->len > x86_mapped_limit)
        return 0;
    if (sum((const uint8_t *)t, t->len))
        return 0;
    return t;
}

static bool rsdp_ok(uint64_t pa)
{
    if (!pa || pa + 36 > x86_mapped_limit)
        return false;
    const uint8_t *p = (const void *)(uintptr_t)pa;
    if (!sig_is((const char *)p, "RSD ") || !sig_is((const char *)p + 4, "PTR "))
        return false;
    if (sum(p, 20))
        return false;
    if (p[15] >= 2 && sum(p, 36))
        return false;
    return true;
}

static uint64_t rsdp_scan(uint64_t a, uint64_t b)
{
    for (a &= ~15ULL; a + 36 <= b; a += 16)
        if (rsdp_ok(a))
            return a;
    return 0;
}

static uint64_t rsdp_find(uint64_t hint, bool scan)
{
    if (rsdp_ok(hint))
        return hint;
    if (!scan)
        return 0;
    uintptr_t bda = 0x40E;                     /* BIOS data area: EBDA segment */
    __asm__("" : "+r"(bda));
    uint64_t ebda = (uint64_t)*(volatile uint16_t *)bda << 4;
    uint64_t r = 0;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        r = rsdp_scan(ebda, ebda + 1024);
    if (!r)
        r = rsdp_scan(0xE0000, 0x100000);
    return r;
}

static void add_cpu(uint32_t apic_id)
{
    for (int i = 0; i < x86_acpi.cpu_count; i++)
        if (x86_acpi.cpu_apic_id[i] == apic_id)
            return;
    if (x86_acpi.cpu_count < X86_MAX_CPUS)
        x86_acpi.cpu_apic_id[x86_acpi.cpu_count++] = apic_id;
}

static void parse_madt(const struct sdt *t)
{
    const uint8_t *p = (const uint8_t *)t;
    x86_acpi.lapic_base = *(const uint32_t *)(p + 36);
    x86_acpi.has_8259 = *(const uint32_t *)(p + 40) & 1;
    for (uint32_t off = 44; off + 2 <= t->len;) {
        uint8_t type = p[off], len = p[off + 1];
        if (len < 2 || off + len > t->len)
            break;
        const uint8_t *e = p + off;
        if (type == 1 && len >= 12 && x86_acpi.ioapic_count < 4) {
            x86_acpi.ioapic[x86_acpi.ioapic_count++] = (struct x86_ioapic_info){
                *(const uint32_t *)(e + 4), *(const uint32_t *)(e + 8) };
        } else if (type == 2 && len >= 10 && e[2] == 0 && e[3] < 16) {
            x86_acpi.isa_gsi[e[3]] = *(const uint32_t *)(e + 4);
            x86_acpi.isa_flags[e[3]] = *(const uint16_t *)(e + 8);
        } else if (type == 5 && len >= 12) {
            x86_acpi.lapic_base = *(const uint64_t *)(e + 4);
        } else if (type == 0 && len >= 8 && (*(const uint32_t *)(e + 4) & 1)) {
            add_cpu(e[3]);                              /* local APIC, enabled */
        } else if (type == 9 && len >= 16 && (*(const uint32_t *)(e + 8) & 1)) {
            add_cpu(*(const uint32_t *)(e + 4));        /* local x2APIC, enabled */
        }
        off += len;
    }
}

/* Find Name(_S5_, Package() { SLP_TYPa, SLP_TYPb, ... }) in the AML. */
static void parse_s5(const struct sdt *dsdt)
{
    const uint8_t *p = (const uint8_t *)dsdt + sizeof *dsdt;
    const uint8_t *end = (const uint8_t *)dsdt + dsdt->len;
    for (; p + 4 < end; p++) {
        if (!sig_is((const char *)p, "_S5_"))
            continue;
        if (!(p[-1] == 0x08 || (p[-2] == 0x08 && p[-1] == '\\')))
            continue;
        const uint8_t *q = p + 4;
        if (q >= end || *q++ != 0x12)          /* PackageOp */
            continue;
        if (q >= end)
            return;
        q += (*q >> 6) + 1;                    /* PkgLength */
        q++;                                   /* NumElements */
        uint8_t typ[2];
        for (int i = 0; i < 2; i++) {
            if (q >= end)
                return;
            if (*q == 0x0A) {                  /* BytePrefix */
                if (q + 1 >= end)
                    return;
                typ[i] = q[1];
                q += 2;
            } else if (*q == 0x00 || *q == 0x01) {   /* ZeroOp, OneOp */
                typ[i] = *q++;
            } else {
                return;
            }
        }
        x86_acpi.slp_typa = typ[0];
        x86_acpi.slp_typb = typ[1];
        x86_acpi.s5_valid = true;
        return;
    }
}

static void parse_fadt(const struct sdt *t)
{
    const uint8_t *p = (const uint8_t *)t;
    uint32_t len = t->len;
    uint64_t dsdt = len >= 44 ? *(const uint32_t *)(p + 40) : 0;
    if (len >= 56) {
        x86_acpi.smi_cmd = (uint16_t)*(const uint32_t *)(p + 48);
        x86_acpi.acpi_enable = p[52];
    }
    if (len >= 80) {
        x86_acpi.pm1a_cnt = (uint16_t)*(const uint32_t *)(p + 64);
        x86_acpi.pm1b_cnt = (uint16_t)*(const uint32_t *)(p + 68);
        x86_acpi.pm_timer_port = (uint16_t)*(const uint32_t *)(p + 76);
    }
    if (len >= 116) {
        uint32_t flags = *(const uint32_t *)(p + 112);
        x86_acpi.pm_timer_32 = flags >> 8 & 1;
        x86_acpi.hw_reduced = flags >> 20 & 1;
    }
    if (len >= 148 && *(const uint64_t *)(p + 140))
        dsdt = *(const uint64_t *)(p + 140);
    if (len >= 256 && *(const uint64_t *)(p + 248)) {   /* SLEEP_CONTROL_REG */
        x86_acpi.sleep_ctl_space = p[244];
        x86_acpi.sleep_ctl_addr = *(const uint64_t *)(p + 248);
    }
    if (x86_acpi.hw_reduced)
        x86_acpi.pm_timer_port = 0;
    /* The DSDT is only needed to power off without isa-debug-exit: keep
     * it mapped and parse it then (checksumming it costs boot time). */
    if (dsdt && dsdt + 36 <= x86_mapped_limit) {
        uint32_t dlen = ((const struct sdt *)(uintptr_t)dsdt)->len;
        if (dlen >= 36 && dlen <= (1u << 20)) {
            dsdt_pa = dsdt;
            x86_map_firmware(dsdt, dlen);
        }
    }
}

/* scan: look in the BIOS areas when the loader gave no RSDP. PVH and
 * multiboot2 loaders pass it when there is one, and the scan (128 KiB)
 * costs boot time, so they do not scan. */
/* The Intel MultiProcessor Specification's tables (v1.4, ch. 4): what
 * names the CPUs on a board without ACPI (QEMU microvm with acpi=off, whose
 * qboot writes them). Only the processor entries are read. */
static uint64_t mp_scan(uint64_t a, uint64_t b)
{
    for (a &= ~15ULL; a + 16 <= b; a += 16) {
        const uint8_t *p = (const void *)(uintptr_t)a;
        if (!sig_is((const char *)p, "_MP_") || p[8] != 1)
            continue;
        uint8_t sum = 0;
        for (int i = 0; i < 16; i++)
            sum += p[i];
        if (sum == 0)
            return *(const uint32_t *)(p + 4);
    }
    return 0;
}

static void parse_mptable(void)
{
    uint16_t ebda_seg;
    memcpy(&ebda_seg, (const void *)(uintptr_t)0x40E, 2);   /* the BIOS data area */
    uint64_t ebda = (uint64_t)ebda_seg << 4, cfg = 0;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        cfg = mp_scan(ebda, ebda + 1024);
    if (!cfg)
        cfg = mp_scan(0x9FC00, 0xA0000);
    if (!cfg)
        cfg = mp_scan(0xF0000, 0x100000);
    if (!cfg || cfg >= 0x100000 - 44)
        return;
    const uint8_t *t = (const void *)(uintptr_t)cfg;
    uint16_t len = *(const uint16_t *)(t + 4), count = *(const uint16_t *)(t + 34);
    if (!sig_is((const char *)t, "PCMP") || len < 44 || cfg + len > 0x100000)
        return;
    for (uint32_t off = 44; count-- && off < len;) {
        const uint8_t *e = t + off;
        if (e[0] == 0) {                         /* processor: 20 bytes */
            if (off + 20 > len)
                break;
            if (e[3] & 1)                        /* enabled */
                add_cpu(e[1]);
            off += 20;
        } else if (e[0] <= 4) {
            off += 8;
        } else {
            break;                               /* unknown entry: stop */
        }
    }
}

/* Last resort on a QEMU board with neither table: fw_cfg's CPU count
 * (FW_CFG_NB_CPUS, key 5, over the I/O ports), with QEMU's APIC IDs
 * 0..n-1 of a flat topology (-smp N). */
static void fw_cfg_cpus(void)
{
    if (!x86_fw_cfg_present())
        return;
    outw(0x510, 5);
    unsigned n = inb(0x511);
    n |= (unsigned)inb(0x511) << 8;
    for (unsigned i = 0; i < n && i < X86_MAX_CPUS; i++)
        add_cpu(i);
}

void x86_acpi_init(uint64_t hint, bool scan)
{
    for (int i = 0; i < 16; i++)
        x86_acpi.isa_gsi[i] = i;
    x86_acpi.has_8259 = true;
    uint64_t rsdp = rsdp_find(hint, scan);
    x86_acpi.rsdp = rsdp;
    if (!rsdp) {
        parse_mptable();
        if (!x86_acpi.cpu_count)
            fw_cfg_cpus();
        return;
    }
    const uint8_t *r = (const void *)(uintptr_t)rsdp;
    uint64_t root = *(const uint32_t *)(r + 16);
    int esz = 4;
    if (r[15] >= 2 && *(const uint64_t *)(r + 24) && table_at(*(const uint64_t *)(r + 24))) {
        root = *(const uint64_t *)(r + 24);
        esz = 8;
    }
    const struct sdt *rt = table_at(root);
    if (!rt)
        return;
    const uint8_t *ents = (const uint8_t *)rt + sizeof *rt;
    size_t n = (rt->len - sizeof *rt) / esz;
    for (size_t i = 0; i < n; i++) {
        uint64_t pa = esz == 8 ? *(const uint64_t *)(ents + 8 * i) : *(const uint32_t *)(ents + 4 * i);
        const struct sdt *t = table_at(pa);
        if (!t)
            continue;
        if (sig_is(t->sig, "APIC"))
            parse_madt(t);
        else if (sig_is(t->sig, "HPET") && t->len >= 52)
            x86_acpi.hpet_base = *(const uint64_t *)((const uint8_t *)t + 44);
        else if (sig_is(t->sig, "FACP"))
            parse_fadt(t);
    }
}

/* ACPI S5. Returns if the machine is still running afterwards. */
void x86_acpi_poweroff(void)
{
    const struct sdt *d = table_at(dsdt_pa);
    if (d && sig_is(d->sig, "DSDT"))
        parse_s5(d);
    if (!x86_acpi.s5_valid)
        return;
    if (x86_acpi.sleep_ctl_addr) {             /* hardware-reduced ACPI */
        uint8_t v = (uint8_t)((x86_acpi.slp_typa & 7) << 2 | 1 << 5);
        if (x86_acpi.sleep_ctl_space == 1 && x86_acpi.sleep_ctl_addr < 0x10000)
            outb((uint16_t)x86_acpi.sleep_ctl_addr, v);
        else if (x86_acpi.sleep_ctl_space == 0 && x86_acpi.sleep_ctl_addr < x86_mapped_limit)
            *(volatile uint8_t *)plat_map_mmio(x86_acpi.sleep_ctl_addr, 1) = v;
    }
    if (!x86_acpi.pm1a_cnt)
        return;
    if (x86_acpi.smi_cmd && x86_acpi.acpi_enable && !(inw(x86_acpi.pm1a_cnt) & 1)) {
        outb(x86_acpi.smi_cmd, x86_acpi.acpi_enable);   /* hand ACPI to the OS */
        for (int i = 0; i < 100000 && !(inw(x86_acpi.pm1a_cnt) & 1); i++)
            cpu_pause();
    }
    outw(x86_acpi.pm1a_cnt, (uint16_t)(x86_acpi.slp_typa << 10 | 1 << 13));
    if (x86_acpi.pm1b_cnt)
        outw(x86_acpi.pm1b_cnt, (uint16_t)(x86_acpi.slp_typb << 10 | 1 << 13));
    for (int i = 0; i < 1000000; i++)
        cpu_pause();
}
