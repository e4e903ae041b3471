/*
 * Flattened device tree reader; see fdt.h. Every read is bounds-checked
 * against the blocks the header describes; loops advance by at least one
 * token, so malformed input ends in -1 rather than a hang or a wild read.
 */
#include "fdt.h"

#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE 2u
#define TOK_PROP 3u
#define TOK_NOP 4u
#define TOK_END 9u

uint32_t fdt_be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

static size_t str_len_bounded(const uint8_t *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;                  /* == max: no terminator inside */
}

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Devicetree spec v0.4 §5.2: the 40-byte big-endian header (magic 0xd00dfeed); version 17
 * (§5.1); every block must lie inside totalsize, aligned as §5.6 asks. */
int fdt_init(struct fdt *f, const void *blob, size_t max)
{
    const uint8_t *b = blob;
    if (!f || !b)
        return FDT_ERR_NULL;
    if (max < 40)
        return FDT_ERR_SIZE;
    if (fdt_be32(b) != FDT_MAGIC)
        return FDT_ERR_MAGIC;
    uint32_t total = fdt_be32(b + 4);
    uint32_t off_struct = fdt_be32(b + 8), off_strings = fdt_be32(b + 12);
    uint32_t off_rsv = fdt_be32(b + 16), version = fdt_be32(b + 20);
    uint32_t last_comp = fdt_be32(b + 24);
    uint32_t size_strings = fdt_be32(b + 32), size_struct = fdt_be32(b + 36);
    if (total < 40 || total > max)
        return FDT_ERR_SIZE;
    if (version < 17 || last_comp > 17)
        return FDT_ERR_VERSION;
    /* uint64_t sums: no wrap-around */
    if ((off_struct & 3) || (off_rsv & 7) || off_rsv < 40 ||
        (uint64_t)off_struct + size_struct > total ||
        (uint64_t)off_strings + size_strings > total ||
        (uint64_t)off_rsv + 16 > total || size_struct < 8 ||
        off_struct < 40 || off_strings < 40)
        return FDT_ERR_LAYOUT;
    f->blob = b;
    f->totalsize = total;
    f->strct = b + off_struct;
    f->strct_size = size_struct;
    f->strings = b + off_strings;
    f->strings_size = size_strings;
    f->rsvmap_off = off_rsv;
    return 0;
}

/* Decode the token at off: its tag, and the offset of the next token.
 * Returns false on any malformation. For PROP also the value and name. */
struct tok {
    uint32_t tag;
    uint32_t next;
    const char *name;          /* node name or property name */
    const uint8_t *val;
    uint32_t len;
};

/* Devicetree spec v0.4 §5.4.1: BEGIN_NODE + NUL-terminated name, PROP + len + nameoff
 * (into the strings block, §5.5) + value, END_NODE, NOP, END; each padded to 4 bytes. */
static bool token(const struct fdt *f, int off, struct tok *t)
{
    if (off < 0 || (off & 3) || (uint64_t)off + 4 > f->strct_size)
        return false;
    uint32_t o = (uint32_t)off, lim = f->strct_size;
    t->tag = fdt_be32(f->strct + o);
    t->name = 0;
    t->val = 0;
    t->len = 0;
    switch (t->tag) {
    case TOK_BEGIN_NODE: {
        size_t n = str_len_bounded(f->strct + o + 4, lim - o - 4);
        if (n == lim - o - 4)
            return false;
        t->name = (const char *)(f->strct + o + 4);
        t->next = (uint32_t)((o + 4 + n + 1 + 3) & ~(uint64_t)3);
        return t->next <= lim;
    }
    case TOK_PROP: {
        if ((uint64_t)o + 12 > lim)
            return false;
        uint32_t len = fdt_be32(f->strct + o + 4);
        uint32_t nameoff = fdt_be32(f->strct + o + 8);
        if ((uint64_t)o + 12 + len > lim || nameoff >= f->strings_size)
            return false;
        size_t n = str_len_bounded(f->strings + nameoff, f->strings_size - nameoff);
        if (n == f->strings_size - nameoff)
            return false;
        t->name = (const char *)(f->strings + nameoff);
        t->val = f->strct + o + 12;
        t->len = len;
        uint64_t next = ((uint64_t)o + 12 + len + 3) & ~(uint64_t)3;
        if (next > lim)
            return false;
        t->next = (uint32_t)next;
        return true;
    }
    case TOK_END_NODE:
    case TOK_NOP:
    case TOK_END:
        t->next = o + 4;
        return true;
    default:
        return false;
    }
}

/* Devicetree spec v0.4 §5.4.2: nodes nest as BEGIN_NODE ... END_NODE; the tree is over
 * when the root closes. */
int fdt_next_node(const struct fdt *f, int off, int *depth)
{
    struct tok t;
    int open;
    uint32_t p;
    if (off < 0) {
        p = 0;
        open = 0;
    } else {
        if (!token(f, off, &t) || t.tag != TOK_BEGIN_NODE)
            return -1;
        if (*depth < 0 || *depth >= FDT_MAX_DEPTH)
            return -1;
        p = t.next;
        open = *depth + 1;
    }
    /* every iteration advances p by >= 4, so this ends within size/4 steps */
    for (;;) {
        if (!token(f, (int)p, &t))
            return -1;
        switch (t.tag) {
        case TOK_BEGIN_NODE:
            if (open >= FDT_MAX_DEPTH)
                return -1;
            *depth = open;
            return (int)p;
        case TOK_END_NODE:
            if (--open <= 0)
                return -1;     /* root closed: end of tree */
            break;
        case TOK_END:
            return -1;
        default:               /* PROP, NOP */
            if (t.tag == TOK_PROP && open == 0)
                return -1;     /* property outside any node */
            break;
        }
        p = t.next;
    }
}

const char *fdt_node_name(const struct fdt *f, int off)
{
    struct tok t;
    if (!token(f, off, &t) || t.tag != TOK_BEGIN_NODE)
        return 0;
    return t.name;
}

int fdt_parent(const struct fdt *f, int off)
{
    int stack[FDT_MAX_DEPTH];
    int depth = 0;
    for (int n = fdt_next_node(f, -1, &depth); n >= 0; n = fdt_next_node(f, n, &depth)) {
        if (depth < 0 || depth >= FDT_MAX_DEPTH)
            return -1;
        stack[depth] = n;
        if (n == off)
            return depth > 0 ? stack[depth - 1] : -1;
        if (n > off)
            return -1;
    }
    return -1;
}

/* Does node name `name` match path component comp[0..len)? */
static bool name_matches(const char *name, const char *comp, size_t len)
{
    size_t i = 0;
    for (; i < len; i++)
        if (name[i] != comp[i])
            return false;
    if (name[i] == 0)
        return true;
    /* "memory" matches "memory@40000000" unless the component has a unit */
    for (size_t j = 0; j < len; j++)
        if (comp[j] == '@')
            return false;
    return name[i] == '@';
}

/* Devicetree spec v0.4 §2.2.3: /node-name/node-name...; the unit address of a name
 * (node-name@unit-address, §2.2.1) may be left out where that is unambiguous. */
int fdt_path(const struct fdt *f, const char *path)
{
    int depth = 0;
    int node = fdt_next_node(f, -1, &depth);
    if (node < 0 || !path || path[0] != '/')
        return -1;
    const char *p = path + 1;
    int want = 0;              /* depth of the node we are in */
    while (*p) {
        size_t len = 0;
        while (p[len] && p[len] != '/')
            len++;
        if (len == 0) {
            p++;
            continue;
        }
        /* search the children of node (depth want+1) */
        int d = want, found = -1;
        int n = node;
        for (n = fdt_next_node(f, n, &d); n >= 0 && d > want; n = fdt_next_node(f, n, &d)) {
            if (d != want + 1)
                continue;
            const char *name = fdt_node_name(f, n);
            if (name && name_matches(name, p, len)) {
                found = n;
                break;
            }
        }
        if (found < 0)
            return -1;
        node = found;
        want++;
        p += len;
    }
    return node;
}

/* Devicetree spec v0.4 §5.4.2: a node's properties come before its subnodes, so the
 * search stops at the first BEGIN_NODE or END_NODE. */
const void *fdt_getprop(const struct fdt *f, int off, const char *name, int *len)
{
    struct tok t;
    if (!token(f, off, &t) || t.tag != TOK_BEGIN_NODE)
        return 0;
    uint32_t p = t.next;
    for (;;) {
        if (!token(f, (int)p, &t))
            return 0;
        if (t.tag == TOK_PROP) {
            if (str_eq(t.name, name)) {
                if (t.len > 0x7fffffff)
                    return 0;
                if (len)
                    *len = (int)t.len;
                return t.val;
            }
        } else if (t.tag != TOK_NOP) {
            return 0;          /* properties precede subnodes */
        }
        p = t.next;
    }
}

/* §2.2.4 <string>: NUL-terminated within the value. */
const char *fdt_getprop_str(const struct fdt *f, int off, const char *name)
{
    int len = 0;
    const char *v = fdt_getprop(f, off, name, &len);
    if (!v || len < 1)
        return 0;
    if (str_len_bounded((const uint8_t *)v, (size_t)len) == (size_t)len)
        return 0;
    return v;
}

/* §2.2.4 <u32>: one big-endian cell. */
uint32_t fdt_getprop_u32(const struct fdt *f, int off, const char *name, uint32_t dflt)
{
    int len = 0;
    const void *v = fdt_getprop(f, off, name, &len);
    return v && len == 4 ? fdt_be32(v) : dflt;
}

/* Devicetree spec v0.4 §2.3.1: compatible is a <stringlist>, most specific first; a
 * driver matches any entry. */
bool fdt_is_compatible(const struct fdt *f, int off, const char *compat)
{
    int len = 0;
    const char *v = fdt_getprop(f, off, "compatible", &len);
    if (!v)
        return false;
    size_t i = 0, n = (size_t)len;
    while (i < n) {
        size_t l = str_len_bounded((const uint8_t *)v + i, n - i);
        if (l == n - i)
            return false;      /* unterminated entry */
        if (str_eq(v + i, compat))
            return true;
        i += l + 1;
    }
    return false;
}

int fdt_find_compatible(const struct fdt *f, int off, const char *compat)
{
    int depth = 0;
    int n;
    if (off < 0) {
        n = fdt_next_node(f, -1, &depth);
    } else {
        /* recover the depth of off by walking to it */
        int d = 0;
        for (n = fdt_next_node(f, -1, &d); n >= 0 && n != off; n = fdt_next_node(f, n, &d))
            if (n > off)
                return -1;
        if (n < 0)
            return -1;
        depth = d;
        n = fdt_next_node(f, n, &depth);
    }
    for (; n >= 0; n = fdt_next_node(f, n, &depth))
        if (fdt_is_compatible(f, n, compat))
            return n;
    return -1;
}

int fdt_reg(const struct fdt *f, int off, int idx, uint64_t *addr, uint64_t *size)
{
    return fdt_reg_in(f, off, fdt_parent(f, off), idx, addr, size);
}

/* Devicetree spec v0.4 §2.3.6: reg is (address, size) pairs in the parent's #address-cells
 * and #size-cells (§2.3.5: 2 and 1 if absent); §2.3.8: only empty (identity) ranges here. */
int fdt_reg_in(const struct fdt *f, int off, int parent, int idx, uint64_t *addr, uint64_t *size)
{
    int depth = 0;
    if (parent < 0 || idx < 0)
        return -1;
    if (parent != fdt_next_node(f, -1, &depth)) {
        /* not a child of the root: only 1:1 (empty) ranges are understood */
        int rlen = -1;
        if (!fdt_getprop(f, parent, "ranges", &rlen) || rlen != 0)
            return -1;
    }
    uint32_t ac = fdt_getprop_u32(f, parent, "#address-cells", 2);
    uint32_t sc = fdt_getprop_u32(f, parent, "#size-cells", 1);
    if (ac < 1 || ac > 2 || sc > 2)
        return -1;
    int len = 0;
    const uint8_t *v = fdt_getprop(f, off, "reg", &len);
    if (!v)
        return -1;
    uint64_t stride = (uint64_t)(ac + sc) * 4;
    if ((uint64_t)(idx + 1) * stride > (uint64_t)len)
        return -1;
    v += (uint64_t)idx * stride;
    *addr = ac == 2 ? fdt_be64(v) : fdt_be32(v);
    v += ac * 4;
    *size = sc == 2 ? fdt_be64(v) : sc == 1 ? fdt_be32(v) : 0;
    return 0;
}

/* §2.4.1 interrupts, as the arm,gic binding's 3 cells: type (0 SPI, 1 PPI), number (SPI n
 * is INTID 32 + n, PPI n is 16 + n), flags (1 or 2 = edge-triggered). */
int fdt_irq(const struct fdt *f, int off, int idx, bool *edge)
{
    int len = 0;
    const uint8_t *v = fdt_getprop(f, off, "interrupts", &len);
    if (!v || idx < 0 || (uint64_t)(idx + 1) * 12 > (uint64_t)len)
        return -1;
    v += idx * 12;
    uint32_t type = fdt_be32(v), num = fdt_be32(v + 4), flags = fdt_be32(v + 8);
    if (edge)
        *edge = (flags & 0xf) == 1 || (flags & 0xf) == 2;
    if (type == 0 && num < 988)
        return (int)num + 32;
    if (type == 1 && num < 16)
        return (int)num + 16;
    return -1;
}

/* Devicetree spec v0.4 §5.3: the memory reservation block, big-endian u64 (address, size)
 * pairs ending with (0, 0). */
int fdt_memreserve(const struct fdt *f, int idx, uint64_t *addr, uint64_t *size)
{
    if (idx < 0 || idx > 1024)
        return -1;
    uint64_t o = (uint64_t)f->rsvmap_off + (uint64_t)idx * 16;
    if (o + 16 > f->totalsize)
        return -1;
    uint64_t a = fdt_be64(f->blob + o), s = fdt_be64(f->blob + o + 8);
    if (a == 0 && s == 0)
        return -1;
    *addr = a;
    *size = s;
    return 0;
}

/* §3.7, §3.8: /cpus has #address-cells 1 or 2 and #size-cells 0; each cpu node's reg holds
 * its ID (on arm64 the MPIDR affinity fields); "status" other than "okay" means unusable. */
int fdt_cpus(const struct fdt *f, struct fdt_cpu *out, int max)
{
    int cpus = fdt_path(f, "/cpus");
    if (cpus < 0)
        return -1;
    uint32_t ac = fdt_getprop_u32(f, cpus, "#address-cells", 2);   /* §2.3.5's default */
    if (ac < 1 || ac > 2)
        return 0;
    int count = 0, depth = 1;       /* /cpus is a child of the root */
    for (int n = fdt_next_node(f, cpus, &depth); n >= 0 && depth > 1;
         n = fdt_next_node(f, n, &depth)) {
        if (depth != 2)
            continue;
        const char *dt = fdt_getprop_str(f, n, "device_type");
        const char *st = fdt_getprop_str(f, n, "status");
        int len = 0;
        const uint8_t *reg = fdt_getprop(f, n, "reg", &len);
        if (!dt || !str_eq(dt, "cpu") || (st && !str_eq(st, "okay") && !str_eq(st, "ok")) ||
            !reg || len < (int)ac * 4)
            continue;
        if (count < max) {
            const char *em = fdt_getprop_str(f, n, "enable-method");
            out[count].id = ac == 2 ? fdt_be64(reg) : fdt_be32(reg);
            out[count].psci = em && str_eq(em, "psci");
        }
        count++;
    }
    return count;
}
