/*
 * The simulated PCI bus of the host platform (host_plat.c), for tests of the
 * core's enumeration (core/dev.c): a test fills in functions (config space
 * bytes and BAR sizes), the host bridge's windows, then calls anx_dev_scan().
 * INTx routes like q35: line 20 + (slot + pin - 1) % 4.
 */
#ifndef ANX_TEST_FAKE_PCI_H
#define ANX_TEST_FAKE_PCI_H

#include <stddef.h>
#include <stdint.h>
#include <anx/platform.h>

#define UNIT_PCI_MAX 16

struct unit_pci_fn {
    uint16_t bdf;
    uint8_t cfg[256];       /* vendor, class, header type, BAR type bits ... */
    uint64_t bar_size[6];   /* 0 = no BAR; a 64-bit BAR's size sits in its first slot */
};

extern struct unit_pci_fn unit_pci_fns[UNIT_PCI_MAX];
extern size_t unit_pci_nfns;
extern struct plat_pci_window unit_pci_windows[8];
extern size_t unit_pci_nwindows;
extern unsigned unit_pci_writes;

#endif
