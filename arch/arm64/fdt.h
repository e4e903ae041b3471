/*
 * A defensive reader of flattened device trees (the DTB format of libfdt
 * and the Devicetree Specification v0.4). Freestanding, no allocation, no
 * libc; also compiled for the host by arch/arm64/tests/.
 *
 * Nothing in the blob is trusted: fdt_init() checks the header (magic,
 * version, totalsize against the caller's bound, block offsets and sizes),
 * and every token walk re-checks alignment, bounds, NUL termination of
 * names and strings, and property lengths. Offsets are byte offsets into
 * the structure block; a negative return means "not found / malformed".
 */
#ifndef ARCH_ARM64_FDT_H
#define ARCH_ARM64_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_MAX_DEPTH 32

struct fdt {
    const uint8_t *blob;
    uint32_t totalsize;
    const uint8_t *strct;      /* structure block */
    uint32_t strct_size;
    const uint8_t *strings;    /* strings block */
    uint32_t strings_size;
    uint32_t rsvmap_off;
};

/* Errors of fdt_init. */
enum {
    FDT_ERR_NULL = -1,
    FDT_ERR_MAGIC = -2,
    FDT_ERR_SIZE = -3,
    FDT_ERR_VERSION = -4,
    FDT_ERR_LAYOUT = -5,
};

/* Check the header of blob (which may be read up to max bytes; pass the
 * real buffer size in tests, a sane cap in the kernel). 0 or FDT_ERR_*. */
int fdt_init(struct fdt *f, const void *blob, size_t max);
/* Header total size of a blob that passed fdt_init. */
static inline uint32_t fdt_totalsize(const struct fdt *f) { return f->totalsize; }

/* Big-endian reads of possibly unaligned data. */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);

/* Node walk in document order. Start with off = -1 (gives the root, depth
 * 0); returns the next node's offset and sets *depth, or -1 at the end or
 * on malformed input. */
int fdt_next_node(const struct fdt *f, int off, int *depth);
/* Name of the node at off ("" for the root, "memory@40000000"), or NULL. */
const char *fdt_node_name(const struct fdt *f, int off);
/* Offset of the parent node, -1 for the root or on error. */
int fdt_parent(const struct fdt *f, int off);
/* Node by absolute path of plain names ("/chosen", "/psci"): a component
 * without '@' also matches "name@unit". -1 if absent. */
int fdt_path(const struct fdt *f, const char *path);

/* Property value of node off; *len gets its length. NULL if absent. The
 * value may be unaligned: read it with fdt_be32/fdt_be64. */
const void *fdt_getprop(const struct fdt *f, int off, const char *name, int *len);
/* The property as a NUL-terminated string (the terminator lies inside the
 * value), else NULL. */
const char *fdt_getprop_str(const struct fdt *f, int off, const char *name);
/* A u32 property, or dflt when absent or not 4 bytes long. */
uint32_t fdt_getprop_u32(const struct fdt *f, int off, const char *name, uint32_t dflt);
/* Whether the "compatible" string list of off contains compat. */
bool fdt_is_compatible(const struct fdt *f, int off, const char *compat);
/* Next node after off (-1 = from the start) compatible with compat. */
int fdt_find_compatible(const struct fdt *f, int off, const char *compat);

/* Entry idx of the node's "reg" in the parent's #address-cells/#size-cells
 * (1 or 2 each). Only for nodes whose parent is the root or maps 1:1 (an
 * empty "ranges"); returns 0 or -1. */
int fdt_reg(const struct fdt *f, int off, int idx, uint64_t *addr, uint64_t *size);
/* As fdt_reg when the caller knows the parent (a walk that tracks it): no
 * search for the parent, so a one-pass scan of the tree stays linear. */
int fdt_reg_in(const struct fdt *f, int off, int parent, int idx, uint64_t *addr, uint64_t *size);
/* Entry idx of a GIC-style "interrupts" (3 cells: type, number, flags) as
 * a GIC INTID (SPI n -> 32+n, PPI n -> 16+n); *edge = rising edge. -1 if
 * absent or malformed. */
int fdt_irq(const struct fdt *f, int off, int idx, bool *edge);
/* Memory reservation block entry idx; 0, or -1 past the end. */
int fdt_memreserve(const struct fdt *f, int idx, uint64_t *addr, uint64_t *size);

/* One CPU of /cpus: its "reg" (the hardware ID: MPIDR affinity on arm64)
 * and whether its "enable-method" is "psci". */
struct fdt_cpu {
    uint64_t id;
    bool psci;
};
/* The children of /cpus with device_type "cpu" and a usable "reg" (in
 * /cpus' #address-cells, 1 or 2; no size), skipping status other than
 * "okay"; fills at most max in tree order and returns how many there are
 * (may exceed max), or -1 without a /cpus node. */
int fdt_cpus(const struct fdt *f, struct fdt_cpu *out, int max);

#endif
