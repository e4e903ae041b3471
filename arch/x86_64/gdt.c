/*
 * GDT (flat 64-bit code/data + one TSS per CPU), each TSS with IST stacks
 * for double fault, NMI and machine check, and the IDT pointing at the
 * stubs of vectors.S, shared by all CPUs. All entries are interrupt gates
 * (interrupts off in handlers).
 */
#include <anx/platform.h>
#include "x86.h"

/* This runs once at boot; under TCG a vectorized loop costs more time
 * than it saves. */
#pragma GCC optimize("no-tree-vectorize")

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

/* null, code64, data, code32, then a 16-byte TSS descriptor per CPU */
static uint64_t gdt[4 + 2 * CONFIG_CPUS] __attribute__((aligned(16)));
static struct tss tss[CONFIG_CPUS] __attribute__((aligned(16)));
static uint64_t idt[512] __attribute__((aligned(16)));   /* 256 gates of 16 bytes */
#define IST_SIZE 4096
static uint8_t ist_stacks[CONFIG_CPUS][3][IST_SIZE]
    __attribute__((aligned(16), section(".noinit.ist")));

static void lgdt_lidt(unsigned cpu)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed))
        g = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt },
        i = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lgdt %0" :: "m"(g));
    __asm__ volatile("lidt %0" :: "m"(i));
    /* reload CS through a far return, then the data segments and TR */
    __asm__ volatile(
        "pushq %0\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movl %1, %%eax\n\t"
        "movl %%eax, %%ds\n\t"
        "movl %%eax, %%es\n\t"
        "movl %%eax, %%ss\n\t"
        "movl %%eax, %%fs\n\t"
        "movl %%eax, %%gs\n\t"
        "ltr %w2"
        :: "i"(X86_SEL_CODE64), "i"(X86_SEL_DATA), "r"(X86_SEL_TSS + 16 * cpu) : "rax", "memory");
}

void x86_gdt_idt_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffULL;     /* code64, accessed */
    gdt[2] = 0x00cf93000000ffffULL;     /* data, accessed */
    gdt[3] = 0x00cf9b000000ffffULL;     /* code32 (unused after boot) */
    for (unsigned c = 0; c < CONFIG_CPUS; c++) {
        uint64_t b = (uint64_t)(uintptr_t)&tss[c], l = sizeof tss[c] - 1;
        gdt[4 + 2 * c] = (l & 0xffff) | (b & 0xffffff) << 16 | 0x89ULL << 40 |
                         ((l >> 16) & 0xf) << 48 | ((b >> 24) & 0xff) << 56;
        gdt[5 + 2 * c] = b >> 32;
        for (int i = 0; i < 3; i++)
            tss[c].ist[i] = (uint64_t)(uintptr_t)(ist_stacks[c][i] + IST_SIZE);
        tss[c].iomap_base = sizeof tss[c];
    }

    /* 256 interrupt gates; stubs lie below 4 GiB, so offset bits 32+ are 0 */
    uint64_t *e = idt;
    uint64_t stub = (uint64_t)(uintptr_t)x86_isr_stubs;
    for (int v = 0; v < 256; v++, stub += X86_ISR_STUB) {
        e[2 * v] = (stub & 0xffff) | (uint64_t)X86_SEL_CODE64 << 16 | 0x8EULL << 40 |
                   (stub >> 16 & 0xffff) << 48;
        e[2 * v + 1] = stub >> 32;
    }
    idt[2 * 8] |= 1ULL << 32;           /* #DF on IST1 */
    idt[2 * 2] |= 2ULL << 32;           /* NMI on IST2 */
    idt[2 * 18] |= 3ULL << 32;          /* #MC on IST3 */
    lgdt_lidt(0);
}

/* A started CPU: the shared GDT and IDT, its own TSS. */
void x86_gdt_idt_load(unsigned cpu)
{
    lgdt_lidt(cpu);
}
