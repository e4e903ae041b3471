/*
 * Host unit test of arch/arm64/fdt.c (built with ASan + UBSan by run.sh):
 *   test_fdt GICV2.dtb GICV3.dtb
 * Both DTBs are dumped by qemu-system-aarch64 -M virt,...,dumpdtb= with
 * -m 64M -smp 4 and -append "anx.semihosting=1 hello". Checks what the arm64-virt
 * board reads from them, small hand-made trees for the edge cases, then
 * walks thousands of corrupted copies (truncated, header fields and
 * random bytes changed), each in an exactly-sized heap buffer so ASan
 * catches any read outside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fdt_exercise.h"

static int passed, failed;
#define CHECK(cond) do { if (cond) passed++; else { failed++; \
    fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)

static uint8_t *load(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) { perror(path); exit(2); }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    if (!b || fread(b, 1, (size_t)n, fp) != (size_t)n) { perror(path); exit(2); }
    fclose(fp);
    *size = (size_t)n;
    return b;
}

static void test_virt(const uint8_t *b, size_t size, int gicv)
{
    struct fdt f;
    CHECK(fdt_init(&f, b, size) == 0);
    CHECK(fdt_init(&f, b, size - 1) == FDT_ERR_SIZE);  /* totalsize > bound */
    CHECK(fdt_init(&f, b, size) == 0);
    uint64_t a = 0, s = 0;
    int mem = fdt_path(&f, "/memory");
    CHECK(mem > 0);
    CHECK(fdt_reg(&f, mem, 0, &a, &s) == 0 && a == 0x40000000 && s == 64 << 20);
    CHECK(fdt_reg(&f, mem, 1, &a, &s) == -1);
    CHECK(fdt_path(&f, "/memory@40000000") == mem);
    CHECK(fdt_path(&f, "/memory@50000000") == -1);
    const char *dt = fdt_getprop_str(&f, mem, "device_type");
    CHECK(dt && strcmp(dt, "memory") == 0);

    int chosen = fdt_path(&f, "/chosen");
    const char *args = fdt_getprop_str(&f, chosen, "bootargs");
    CHECK(args && strcmp(args, "anx.semihosting=1 hello") == 0);

    int uart = fdt_find_compatible(&f, -1, "arm,pl011");
    bool edge = true;
    CHECK(uart > 0 && fdt_reg(&f, uart, 0, &a, &s) == 0 && a == 0x09000000 && s == 0x1000);
    CHECK(fdt_irq(&f, uart, 0, &edge) == 33 && !edge);
    CHECK(fdt_irq(&f, uart, 1, &edge) == -1);
    CHECK(fdt_find_compatible(&f, uart, "arm,pl011") == -1);

    int gic = fdt_find_compatible(&f, -1, gicv == 3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
    CHECK(gic > 0);
    CHECK(fdt_find_compatible(&f, -1, gicv == 3 ? "arm,cortex-a15-gic" : "arm,gic-v3") == -1);
    CHECK(fdt_reg(&f, gic, 0, &a, &s) == 0 && a == 0x08000000 && s == 0x10000);
    CHECK(fdt_reg(&f, gic, 1, &a, &s) == 0 &&
          a == (gicv == 3 ? 0x080a0000u : 0x08010000u));
    int sub = fdt_path(&f, gicv == 3 ? "/intc/its" : "/intc/v2m");
    CHECK(sub > 0 && fdt_parent(&f, sub) == gic);
    CHECK(fdt_reg(&f, sub, 0, &a, &s) == 0 && a == (gicv == 3 ? 0x08080000u : 0x08020000u));

    int timer = fdt_find_compatible(&f, -1, "arm,armv8-timer");
    CHECK(timer > 0 && fdt_irq(&f, timer, 2, &edge) == 27 && !edge);
    CHECK(fdt_irq(&f, timer, 1, &edge) == 30);

    int nv = 0, lowest = 1 << 30;
    for (int n = fdt_find_compatible(&f, -1, "virtio,mmio"); n >= 0;
         n = fdt_find_compatible(&f, n, "virtio,mmio")) {
        int irq = fdt_irq(&f, n, 0, &edge);
        CHECK(fdt_reg(&f, n, 0, &a, &s) == 0 && s == 0x200 && a >= 0x0a000000 && a < 0x0a004000);
        CHECK(irq >= 48 && irq < 80 && edge);
        if (irq < lowest)
            lowest = irq;
        nv++;
    }
    CHECK(nv == 32 && lowest == 48);

    int pci = fdt_find_compatible(&f, -1, "pci-host-ecam-generic");
    CHECK(pci > 0 && fdt_reg(&f, pci, 0, &a, &s) == 0 && a == 0x4010000000ull && s == 0x10000000);
    int blen = 0;
    const uint8_t *br = fdt_getprop(&f, pci, "bus-range", &blen);
    CHECK(br && blen == 8 && fdt_be32(br) == 0 && fdt_be32(br + 4) == 255);
    /* virt's windows: I/O at 0x3eff0000 (PCI port 0), 32-bit memory at
     * 0x10000000 and 64-bit memory at 512 GiB, each 1:1 */
    struct fdt_pci_range r[4];
    int nr = 0;
    while (nr < 4 && fdt_pci_range(&f, pci, 0, nr, &r[nr]) == 0)
        nr++;
    CHECK(nr == 3);
    CHECK(r[0].io && r[0].pci == 0 && r[0].cpu == 0x3eff0000 && r[0].size == 0x10000);
    CHECK(!r[1].io && !r[1].mem64 && r[1].pci == 0x10000000 && r[1].cpu == 0x10000000 && r[1].size == 0x2eff0000);
    CHECK(r[2].mem64 && r[2].pci == 0x8000000000ull && r[2].cpu == r[2].pci && r[2].size == 0x8000000000ull);
    CHECK(fdt_pci_range(&f, pci, 0, 3, &r[3]) == -1 && fdt_pci_range(&f, pci, 0, -1, &r[3]) == -1);
    /* INTx: virt swizzles slot and pin over SPIs 3-6, level-triggered */
    for (unsigned slot = 0; slot < 32; slot++)
        for (unsigned pin = 1; pin <= 4; pin++) {
            edge = true;
            CHECK(fdt_pci_intx(&f, pci, slot, pin, &edge) == 32 + 3 + (int)((slot + pin - 1) % 4) && !edge);
        }
    CHECK(fdt_pci_intx(&f, pci, 1, 0, &edge) == -1 && fdt_pci_intx(&f, pci, 1, 5, &edge) == -1);
    CHECK(fdt_pci_intx(&f, pci, 32, 1, &edge) == -1);
    CHECK(fdt_pci_intx(&f, uart, 1, 1, &edge) == -1);   /* no interrupt-map */

    int psci = fdt_path(&f, "/psci");
    const char *m = fdt_getprop_str(&f, psci, "method");
    CHECK(m && strcmp(m, "hvc") == 0);
    CHECK(fdt_path(&f, "/cpus/cpu@0") > 0);
    /* -smp 4: MPIDRs 0-3 (one cluster), each started through PSCI; a
     * shorter array gets the first ones and the full count */
    struct fdt_cpu cpu[8];
    CHECK(fdt_cpus(&f, cpu, 8) == 4);
    for (int i = 0; i < 4; i++)
        CHECK(cpu[i].id == (uint64_t)i && cpu[i].psci);
    memset(cpu, 0xff, sizeof cpu);
    CHECK(fdt_cpus(&f, cpu, 2) == 4 && cpu[1].id == 1 && cpu[2].id == ~0ull);
    CHECK(fdt_cpus(&f, NULL, 0) == 4);
    CHECK(fdt_path(&f, "/cpus/cpu-map/socket0/cluster0/core0") > 0);
    CHECK(fdt_path(&f, "/nonexistent") == -1);
    CHECK(fdt_path(&f, "/") == 0);
    CHECK(fdt_parent(&f, 0) == -1);
    /* a node nested below a non-identity bus has no usable reg here */
    CHECK(fdt_node_name(&f, 0) && fdt_node_name(&f, 0)[0] == 0);
    CHECK(fdt_node_name(&f, 4) == NULL);   /* not a node token */
    CHECK(fdt_getprop(&f, 2, "x", NULL) == NULL);  /* misaligned offset */
    CHECK(fdt_exercise(b, size) != 0);
}

/* ---- a tiny DTB builder for hand-made trees ---- */
struct builder { uint8_t s[4096]; size_t sn; char str[512]; size_t strn; };
static void put32(struct builder *b, uint32_t v)
{
    b->s[b->sn++] = v >> 24; b->s[b->sn++] = v >> 16; b->s[b->sn++] = v >> 8; b->s[b->sn++] = v;
}
static void begin(struct builder *b, const char *name)
{
    put32(b, 1);
    size_t n = strlen(name) + 1;
    memcpy(b->s + b->sn, name, n);
    b->sn += n;
    while (b->sn & 3) b->s[b->sn++] = 0;
}
static void prop(struct builder *b, const char *name, const void *val, uint32_t len)
{
    put32(b, 3); put32(b, len); put32(b, (uint32_t)b->strn);
    strcpy(b->str + b->strn, name); b->strn += strlen(name) + 1;
    memcpy(b->s + b->sn, val, len); b->sn += len;
    while (b->sn & 3) b->s[b->sn++] = 0;
}
static uint8_t *finish(struct builder *b, size_t *size, const uint64_t *rsv, int nrsv)
{
    size_t off_rsv = 40, off_struct = off_rsv + 16 * (nrsv + 1), off_str = off_struct + b->sn;
    size_t total = off_str + b->strn;
    uint8_t *o = calloc(1, total);
    uint32_t hdr[10] = { FDT_MAGIC, total, off_struct, off_str, off_rsv, 17, 16, 0, b->strn, b->sn };
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 4; j++) o[i * 4 + j] = hdr[i] >> (24 - 8 * j);
    for (int i = 0; i < 2 * nrsv; i++)
        for (int j = 0; j < 8; j++) o[off_rsv + i * 8 + j] = rsv[i] >> (56 - 8 * j);
    memcpy(o + off_struct, b->s, b->sn);
    memcpy(o + off_str, b->str, b->strn);
    *size = total;
    return o;
}

static void test_handmade(void)
{
    struct builder b = {0};
    struct fdt f;
    size_t size;
    uint64_t a, s;
    const uint8_t one[4] = {0, 0, 0, 1}, two[4] = {0, 0, 0, 2};
    const uint8_t reg[12] = {0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0x10, 0, 0};
    begin(&b, "");
    prop(&b, "#address-cells", two, 4);
    prop(&b, "#size-cells", one, 4);
    begin(&b, "memory@40000000");
    prop(&b, "reg", reg, 12);
    prop(&b, "compatible", "a\0b", 3);            /* last entry unterminated */
    prop(&b, "bad", "xyz", 3);
    put32(&b, 2);
    begin(&b, "bus");                               /* non-identity ranges */
    prop(&b, "ranges", reg, 12);
    begin(&b, "dev");
    prop(&b, "reg", reg, 12);
    put32(&b, 2);
    put32(&b, 2);
    put32(&b, 2);
    put32(&b, 9);
    uint64_t rsv[2] = { 0x48000000, 0x1000 };
    uint8_t *o = finish(&b, &size, rsv, 1);
    CHECK(fdt_init(&f, o, size) == 0);
    int mem = fdt_path(&f, "/memory");
    CHECK(mem > 0 && fdt_reg(&f, mem, 0, &a, &s) == 0 && a == 0x40000000 && s == 0x100000);
    CHECK(fdt_is_compatible(&f, mem, "a"));
    CHECK(!fdt_is_compatible(&f, mem, "b"));        /* unterminated: not matched */
    CHECK(fdt_getprop_str(&f, mem, "bad") == NULL);
    CHECK(fdt_getprop_u32(&f, mem, "bad", 77) == 77);
    int dev = fdt_path(&f, "/bus/dev");
    CHECK(dev > 0 && fdt_reg(&f, dev, 0, &a, &s) == -1);
    CHECK(fdt_memreserve(&f, 0, &a, &s) == 0 && a == 0x48000000 && s == 0x1000);
    CHECK(fdt_memreserve(&f, 1, &a, &s) == -1);
    CHECK(fdt_irq(&f, mem, 0, NULL) == -1);
    /* bad header fields */
    uint8_t *c = malloc(size);
    memcpy(c, o, size); c[0] ^= 1;
    CHECK(fdt_init(&f, c, size) == FDT_ERR_MAGIC);
    memcpy(c, o, size); c[23] = 16;                 /* version 16 */
    CHECK(fdt_init(&f, c, size) == FDT_ERR_VERSION);
    memcpy(c, o, size); c[11] |= 2;                 /* misaligned struct block */
    CHECK(fdt_init(&f, c, size) == FDT_ERR_LAYOUT);
    memcpy(c, o, size); c[36] = 0x7f;               /* huge struct size */
    CHECK(fdt_init(&f, c, size) == FDT_ERR_LAYOUT);
    memcpy(c, o, size); c[32] = 0xff;               /* strings size wraps */
    CHECK(fdt_init(&f, c, size) == FDT_ERR_LAYOUT);
    CHECK(fdt_init(&f, o, 39) == FDT_ERR_SIZE);
    CHECK(fdt_init(&f, NULL, 100) == FDT_ERR_NULL);
    free(c);
    free(o);

    /* nesting deeper than FDT_MAX_DEPTH ends the walk instead of overflowing */
    struct builder d = {0};
    for (int i = 0; i < 40; i++) begin(&d, "n");
    for (int i = 0; i < 40; i++) put32(&d, 2);
    put32(&d, 9);
    o = finish(&d, &size, NULL, 0);
    CHECK(fdt_init(&f, o, size) == 0);
    int depth = 0, count = 0;
    for (int n = fdt_next_node(&f, -1, &depth); n >= 0; n = fdt_next_node(&f, n, &depth))
        count++;
    CHECK(count == FDT_MAX_DEPTH);
    fdt_exercise(o, size);
    free(o);

    /* /cpus with 2 address cells: disabled CPUs, short regs and nodes that
     * are not CPUs (or not children of /cpus) do not count */
    struct builder g = {0};
    const uint8_t id0[8] = {0}, id1[8] = {0, 0, 0, 1, 0, 0, 1, 0}, zero[4] = {0};
    begin(&g, "");
    begin(&g, "cpus");
    prop(&g, "#address-cells", two, 4);
    prop(&g, "#size-cells", zero, 4);
    begin(&g, "cpu@0");
    prop(&g, "device_type", "cpu", 4);
    prop(&g, "reg", id0, 8);
    prop(&g, "enable-method", "psci", 5);
    put32(&g, 2);
    begin(&g, "cpu@1");
    prop(&g, "device_type", "cpu", 4);
    prop(&g, "reg", id1, 8);
    prop(&g, "status", "disabled", 9);
    put32(&g, 2);
    begin(&g, "cpu@2");
    prop(&g, "device_type", "cpu", 4);
    prop(&g, "reg", one, 4);                        /* shorter than 2 cells */
    put32(&g, 2);
    begin(&g, "cpu-map");
    begin(&g, "cpu@3");                             /* a grandchild */
    prop(&g, "device_type", "cpu", 4);
    prop(&g, "reg", id0, 8);
    put32(&g, 2);
    put32(&g, 2);
    begin(&g, "cpu@100000100");
    prop(&g, "device_type", "cpu", 4);
    prop(&g, "reg", id1, 8);
    prop(&g, "enable-method", "spin-table", 11);
    prop(&g, "status", "okay", 5);
    put32(&g, 2);
    put32(&g, 2);
    put32(&g, 2);
    put32(&g, 9);
    o = finish(&g, &size, NULL, 0);
    CHECK(fdt_init(&f, o, size) == 0);
    struct fdt_cpu cpu[4];
    CHECK(fdt_cpus(&f, cpu, 4) == 2);
    CHECK(cpu[0].id == 0 && cpu[0].psci);
    CHECK(cpu[1].id == 0x100000100ull && !cpu[1].psci);
    fdt_exercise(o, size);
    free(o);
    struct builder h = {0};                         /* no /cpus at all */
    begin(&h, "");
    put32(&h, 2); put32(&h, 9);
    o = finish(&h, &size, NULL, 0);
    CHECK(fdt_init(&f, o, size) == 0 && fdt_cpus(&f, cpu, 4) == -1);
    free(o);

    /* a property name offset outside the strings block */
    struct builder e = {0};
    begin(&e, "");
    prop(&e, "compatible", "x", 2);
    put32(&e, 2); put32(&e, 9);
    o = finish(&e, &size, NULL, 0);
    o[fdt_be32(o + 8) + 8 + 4 + 3] = 0x40;          /* nameoff = 0x40 */
    CHECK(fdt_init(&f, o, size) == 0);
    CHECK(fdt_getprop(&f, 0, "compatible", NULL) == NULL);
    free(o);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)rng; }

static void test_corrupt(const uint8_t *orig, size_t size, int rounds)
{
    struct fdt f;
    fdt_init(&f, orig, size);
    size_t used = f.totalsize;
    /* shrink the dumped 1 MiB blob to its used part for speed */
    size_t real = fdt_be32(orig + 12) + fdt_be32(orig + 32);
    if (real < size) used = real;
    uint8_t *base = malloc(used);
    memcpy(base, orig, used);
    base[4] = used >> 24; base[5] = used >> 16; base[6] = used >> 8; base[7] = used;
    CHECK(fdt_exercise(base, used) != 0);
    int survived = 0;
    /* truncations */
    for (size_t n = 0; n < used; n += 7) {
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, base, n);
        fdt_exercise(c, n);
        free(c);
    }
    /* header words set to interesting values */
    static const uint32_t vals[] = {0, 1, 3, 4, 40, 0x7fffffff, 0x80000000u, 0xffffffffu, 0xfffffffcu};
    for (int w = 1; w < 10; w++)
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
            uint8_t *c = malloc(used);
            memcpy(c, base, used);
            for (int j = 0; j < 4; j++) c[w * 4 + j] = vals[v] >> (24 - 8 * j);
            fdt_exercise(c, used);
            free(c);
        }
    /* random byte / word corruption of the structure and strings blocks */
    for (int r = 0; r < rounds; r++) {
        uint8_t *c = malloc(used);
        memcpy(c, base, used);
        int k = 1 + rnd() % 4;
        for (int i = 0; i < k; i++) {
            size_t at = 40 + rnd() % (used - 40);
            switch (rnd() % 4) {
            case 0: c[at] = (uint8_t)rnd(); break;
            case 1: c[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 2: at &= ~(size_t)3; if (at + 4 <= used) {
                    uint32_t v = vals[rnd() % (sizeof vals / sizeof vals[0])];
                    for (int j = 0; j < 4; j++) c[at + j] = v >> (24 - 8 * j); } break;
            case 3: at &= ~(size_t)3; if (at + 4 <= used) c[at + 3] = (uint8_t)(rnd() % 10); break;
            }
        }
        if (fdt_exercise(c, used))
            survived++;
        free(c);
    }
    printf("corruption: %d random mutants, %d still parsed (no crash)\n", rounds, survived);
    passed++;
    free(base);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s GICV2.dtb GICV3.dtb [rounds]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 20000;
    size_t s2, s3;
    uint8_t *b2 = load(argv[1], &s2), *b3 = load(argv[2], &s3);
    test_virt(b2, s2, 2);
    test_virt(b3, s3, 3);
    test_handmade();
    test_corrupt(b2, s2, rounds);
    test_corrupt(b3, s3, rounds);
    free(b2);
    free(b3);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
