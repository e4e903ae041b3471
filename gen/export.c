/*
 * anx export libvirt: a libvirt domain XML for an image, so that virsh (and
 * what drives libvirt: OpenStack's nova, KubeVirt, virt-manager) can run it.
 *
 * The XML is a translation of the QEMU command line `anx run` builds
 * (qemu_argv in qemu.c, from platform.yaml's qemu: section and the
 * manifest), so the domain boots the same machine: each argument that
 * libvirt has an element for becomes that element (machine, memory, CPUs,
 * firmware, kernel and command line, cdrom, disks, the entropy device, the
 * watchdog, video and input devices), and every other argument goes to
 * QEMU unchanged, in order, through <qemu:commandline> (the debug-exit and
 * semihosting devices, the user network with its port forwards, the NIC,
 * anything a platform adds later). Nothing is lost: an argument the
 * translation does not know is passed through, never dropped.
 *
 * Devices libvirt creates get explicit slots on the root bus (pcie.0), as
 * QEMU gives them under anx run: libvirt would otherwise put each behind a
 * pcie-root-port, whose bridge windows no firmware sets up for a direct
 * boot, and the kernel would find the device but not reach its registers.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ---- XML text ------------------------------------------------------------- */

/* The first value XML 1.0 cannot hold (a control character other than tab,
 * newline and carriage return: not even as a character reference). */
static const char *xml_unwritable;

/* s escaped for an attribute in single quotes or for element text. */
static void xml_escape(struct buf *b, const char *s)
{
    for (const char *q = s; *q; q++) {
        unsigned char c = (unsigned char)*q;
        switch (c) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '\'': buf_puts(b, "&apos;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && !xml_unwritable)
                xml_unwritable = s;
            buf_add(b, q, 1);
        }
    }
}

/* printf with %s arguments escaped: each "%s" in fmt takes one string,
 * "%d" one int; nothing else is recognized (enough for this file). */
static void xml_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f; f++) {
        if (f[0] == '%' && f[1] == 's') {
            xml_escape(b, va_arg(ap, const char *));
            f++;
        } else if (f[0] == '%' && f[1] == 'd') {
            buf_printf(b, "%d", va_arg(ap, int));
            f++;
        } else {
            buf_add(b, f, 1);
        }
    }
    va_end(ap);
}

/* Text inside <!-- -->, which may hold no "--" and not end with '-'. */
static void xml_comment_text(struct buf *b, const char *s)
{
    for (const char *q = s; *q; q++) {
        if (*q == '-' && b->n && b->p[b->n - 1] == '-')
            buf_puts(b, " ");
        buf_add(b, q, 1);
    }
}

/* ---- the domain, collected from QEMU's arguments -------------------------- */

struct drive {
    char *id, *file, *format, *value;   /* value: the whole -drive argument */
    bool used;                          /* attached as a native <disk> */
};

struct domain {
    const char *arch;           /* libvirt's name: x86_64, aarch64 */
    char *machine;              /* the machine type (-M's first word) */
    char *gic;                  /* -M gic-version=N */
    bool acpi;                  /* off with -M acpi=off */
    bool kvm;
    bool cpu_set;               /* the first -cpu (anx's max or host) is taken */
    uint64_t mem_mib;
    int vcpus;
    char *loader, *kernel, *cmdline;
    bool no_reboot;
    struct buf dev;             /* native device elements */
    int next_slot;              /* the next free slot on the root bus */
    bool video, vga;
    char *watchdog, *watchdog_action;
    struct drive drives[8];
    size_t ndrives;
    struct strlist pass;        /* arguments for <qemu:commandline>, in order */
    bool pci;                   /* the machine has a PCI root bus */
    int cdroms;
};

/* "driver" of "driver,key=value,...", and whether it had anything after. */
static char *device_driver(const char *value, bool *props)
{
    const char *comma = strchr(value, ',');
    *props = comma != NULL;
    return comma ? xstrndup(value, (size_t)(comma - value)) : xstrdup(value);
}

/* The value of key in "a,key=value,b" (QEMU's ",," escape is not undone:
 * anx's own arguments never use it where this looks). */
static char *prop(const char *value, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = value; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > kl && !strncmp(p, key, kl) && p[kl] == '=')
            return xstrndup(p + kl + 1, len - kl - 1);
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* The <address> of a device: a slot of its own on the root bus for a PCI
 * device, the virtio-mmio transport for QEMU's "-device" (mmio) variants. */
static void address(struct domain *d, bool mmio, int slot)
{
    if (mmio) {
        buf_puts(&d->dev, "      <address type='virtio-mmio'/>\n");
        return;
    }
    if (!d->pci)
        return;
    if (slot < 0)
        slot = d->next_slot++;
    buf_printf(&d->dev, "      <address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x0'/>\n",
               slot);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* -device VALUE as a native element; false when libvirt has none for it
 * (the caller passes it through). */
static bool native_device(struct domain *d, const char *value)
{
    bool props;
    char *drv = device_driver(value, &props);
    bool mmio = ends_with(drv, "-device");
    if (!strcmp(drv, "virtio-blk-pci") || !strcmp(drv, "virtio-blk-device")) {
        char *id = prop(value, "drive");
        for (size_t i = 0; id && i < d->ndrives; i++) {
            struct drive *dr = &d->drives[i];
            if (dr->used || strcmp(dr->id, id))
                continue;
            /* vda, vdb, ...: libvirt's names; the guest sees virtio-blk devices */
            int n = 0;
            for (size_t k = 0; k < d->ndrives; k++)
                n += d->drives[k].used;
            if (n >= 26)
                return false;
            dr->used = true;
            buf_puts(&d->dev, "    <disk type='file' device='disk'>\n");
            xml_printf(&d->dev, "      <driver name='qemu' type='%s'/>\n", dr->format ? dr->format : "raw");
            xml_printf(&d->dev, "      <source file='%s'/>\n", dr->file);
            buf_printf(&d->dev, "      <target dev='vd%c' bus='virtio'/>\n", 'a' + n);
            address(d, mmio, -1);
            buf_puts(&d->dev, "    </disk>\n");
            return true;
        }
        return false;
    }
    if (props)   /* any other device with properties: QEMU's own words */
        return false;
    if (!strcmp(drv, "virtio-rng-pci") || !strcmp(drv, "virtio-rng-device")) {
        buf_puts(&d->dev, "    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n");
        address(d, mmio, -1);
        buf_puts(&d->dev, "    </rng>\n");
        return true;
    }
    if (!strcmp(drv, "i6300esb") && !d->watchdog) {
        d->watchdog = drv;   /* its element waits for -watchdog-action */
        return true;
    }
    static const struct {
        const char *driver, *model;
    } videos[] = {{"virtio-gpu-pci", "virtio"}, {"virtio-gpu-device", "virtio"}, {"bochs-display", "bochs"},
                  {"ramfb", "ramfb"}};
    for (size_t i = 0; i < sizeof videos / sizeof videos[0]; i++) {
        if (strcmp(drv, videos[i].driver))
            continue;
        buf_printf(&d->dev, "    <video>\n      <model type='%s'%s/>\n", videos[i].model,
                   d->video ? "" : " primary='yes'");
        if (strcmp(videos[i].model, "ramfb"))   /* ramfb is no PCI device */
            address(d, mmio, -1);
        buf_puts(&d->dev, "    </video>\n");
        d->video = true;
        return true;
    }
    static const struct {
        const char *driver, *type;
    } inputs[] = {{"virtio-keyboard-pci", "keyboard"}, {"virtio-keyboard-device", "keyboard"},
                  {"virtio-tablet-pci", "tablet"},     {"virtio-tablet-device", "tablet"}};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        if (strcmp(drv, inputs[i].driver))
            continue;
        buf_printf(&d->dev, "    <input type='%s' bus='virtio'>\n", inputs[i].type);
        address(d, mmio, -1);
        buf_puts(&d->dev, "    </input>\n");
        return true;
    }
    return false;
}

/* -M VALUE: the machine type (the first word without '=') and the
 * properties libvirt has elements for; the others pass through as a -M of
 * their own, which QEMU merges into libvirt's. */
static void machine(struct domain *d, const char *value)
{
    struct buf rest = {0};
    for (const char *p = value; p && *p;) {
        const char *end = strchr(p, ',');
        char *item = end ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);
        p = end ? end + 1 : NULL;
        char *eq = strchr(item, '=');
        if (!eq && !d->machine) {
            d->machine = item;
        } else if (eq && !strncmp(item, "gic-version=", 12)) {
            d->gic = eq + 1;
        } else if (!strcmp(item, "acpi=off")) {
            d->acpi = false;
        } else if (!strcmp(item, "acpi=on")) {
            d->acpi = true;
        } else if (*item) {
            buf_printf(&rest, "%s%s", rest.n ? "," : "", item);
        }
    }
    if (rest.n) {
        strlist_push(&d->pass, "-machine");
        strlist_push(&d->pass, buf_cstr(&rest));
    }
}

/* "64M" (qemu_argv's -m) in MiB; 0 when it is not that form. */
static uint64_t mib(const char *v)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v)
        return 0;
    if (!*end || !strcmp(end, "M"))
        return n;
    if (!strcmp(end, "G"))
        return n << 10;
    return 0;
}

/* Options whose value libvirt takes as an element; 1 when arg (with its
 * value v) was taken, 0 when it passes through. */
static int native_option(struct domain *d, const char *arg, const char *v)
{
    if (!strcmp(arg, "-M") || !strcmp(arg, "-machine")) {
        machine(d, v);
        return 1;
    }
    if (!strcmp(arg, "-accel") && (!strcmp(v, "tcg") || !strcmp(v, "kvm"))) {
        d->kvm = !strcmp(v, "kvm");
        return 1;
    }
    if (!strcmp(arg, "-cpu") && !d->cpu_set && (!strcmp(v, "max") || !strcmp(v, "host"))) {
        d->cpu_set = true;   /* a later -cpu (a boot mode's) passes through: QEMU's last one wins */
        return 1;
    }
    if (!strcmp(arg, "-m") && mib(v)) {
        d->mem_mib = mib(v);
        return 1;
    }
    if (!strcmp(arg, "-smp") && atoi(v) > 0 && !strchr(v, ',')) {
        d->vcpus = atoi(v);
        return 1;
    }
    if (!strcmp(arg, "-bios") && !d->loader) {
        d->loader = path_abs(v);
        return 1;
    }
    if (!strcmp(arg, "-kernel") && !d->kernel) {
        d->kernel = path_abs(v);
        return 1;
    }
    if (!strcmp(arg, "-append") && !d->cmdline) {
        d->cmdline = xstrdup(v);
        return 1;
    }
    if (!strcmp(arg, "-cdrom") && d->pci && d->cdroms < 6) {
        /* q35's built-in AHCI (what QEMU's -cdrom uses there too) */
        buf_puts(&d->dev, "    <disk type='file' device='cdrom'>\n      <driver name='qemu' type='raw'/>\n");
        xml_printf(&d->dev, "      <source file='%s'/>\n", path_abs(v));
        buf_printf(&d->dev, "      <target dev='sd%c' bus='sata'/>\n      <readonly/>\n    </disk>\n", 'a' + d->cdroms++);
        return 1;
    }
    if (!strcmp(arg, "-drive") && d->ndrives < sizeof d->drives / sizeof d->drives[0]) {
        char *id = prop(v, "id"), *file = prop(v, "file"), *ifc = prop(v, "if"), *fmt = prop(v, "format");
        bool simple = id && file && ifc && !strcmp(ifc, "none") && (!fmt || !strcmp(fmt, "raw"));
        if (!simple)
            return 0;
        d->drives[d->ndrives++] = (struct drive){id, path_abs(file), fmt, xstrdup(v), false};
        return 1;   /* a <disk> once its -device names it; else passed through at the end */
    }
    if (!strcmp(arg, "-device"))
        return native_device(d, v);
    if (!strcmp(arg, "-vga") && (!strcmp(v, "std") || !strcmp(v, "none"))) {
        if (!strcmp(v, "std") && !d->vga) {   /* std VGA where QEMU puts it: slot 1 */
            buf_printf(&d->dev, "    <video>\n      <model type='vga'%s/>\n", d->video ? "" : " primary='yes'");
            address(d, false, 1);
            buf_puts(&d->dev, "    </video>\n");
            d->video = d->vga = true;
        }
        return 1;   /* none: libvirt adds no VGA of its own (-nodefaults) */
    }
    if (!strcmp(arg, "-watchdog-action") && d->watchdog && !d->watchdog_action) {
        d->watchdog_action = xstrdup(v);
        return 1;
    }
    return 0;
}

/* Options without a value that anx's command line has. */
static bool flag_option(struct domain *d, const char *arg)
{
    if (!strcmp(arg, "-no-reboot")) {
        d->no_reboot = true;
        return true;
    }
    /* the console: a pty and a log file below, never QEMU's stdio */
    return !strcmp(arg, "-nographic");
}

static void collect(struct domain *d, const struct strlist *qa)
{
    for (size_t i = 1; i < qa->n; i++) {
        const char *a = qa->v[i];
        if (flag_option(d, a))
            continue;
        if (a[0] == '-' && i + 1 < qa->n && native_option(d, a, qa->v[i + 1])) {
            i++;
            continue;
        }
        strlist_push(&d->pass, a);
    }
    /* A drive no device of libvirt's uses: QEMU makes drives before
     * devices, so it may follow the device that names it. */
    for (size_t i = 0; i < d->ndrives; i++)
        if (!d->drives[i].used) {
            strlist_push(&d->pass, "-drive");
            strlist_push(&d->pass, d->drives[i].value);
        }
    if (d->watchdog) {
        /* libvirt's actions are QEMU's -watchdog-action words */
        xml_printf(&d->dev, "    <watchdog model='%s' action='%s'>\n", d->watchdog,
                   d->watchdog_action ? d->watchdog_action : "reset");
        address(d, false, -1);
        buf_puts(&d->dev, "    </watchdog>\n");
    }
}

/* ---- the XML ---------------------------------------------------------------- */

struct export_opts {
    const char *name, *out, *console_log;
};

static void header_comment(struct buf *b, const struct manifest *m, const struct platform *p, const char *mode,
                           const struct domain *d, const char *name, const char *file, bool nic, bool passed)
{
    buf_puts(b, "<!--\n  ");
    xml_comment_text(b, xasprintf("Written by anx export libvirt from %s for platform %s (boot mode %s).",
                                  m->abs_path, p->name, mode));
    buf_puts(b, "\n  Run it:  virsh -c qemu:///session define ");
    xml_comment_text(b, file);
    buf_puts(b, "\n          virsh -c qemu:///session start ");
    xml_comment_text(b, name);
    buf_puts(b, "\n          virsh -c qemu:///session console ");
    xml_comment_text(b, name);
    buf_puts(b, "   (Ctrl-] leaves it)\n  (docs/deploy.md: as root, qemu:///session is the system daemon).\n");
    if (d->kvm)
        buf_puts(b, "\n  type='kvm' with the host's CPU: the host needs /dev/kvm and a CPU with vmx or svm.\n");
    else
        buf_puts(b, "\n  type='qemu' is TCG, QEMU's emulation, which runs anywhere but slowly. On a host whose\n"
                    "  CPU has vmx or svm (grep -E 'vmx|svm' /proc/cpuinfo) and a /dev/kvm you may open,\n"
                    "  use KVM: export again with the accel option set to kvm (anx export libvirt's help),\n"
                    "  or edit this file: type='kvm' and <cpu mode='host-passthrough'/>.\n");
    if (nic)
        buf_puts(b, "\n  The NIC is QEMU's user network with the manifest's port forwards (hostfwd on\n"
                    "  127.0.0.1), passed to QEMU in <qemu:commandline>: libvirt 9.0 writes no hostfwd for\n"
                    "  <interface type='user'> (its <portForward> needs the passt backend, which hands the\n"
                    "  guest the host's own addresses instead of QEMU's 10.0.2.x). For a libvirt network,\n"
                    "  replace those arguments with <interface type='network'><source network='default'/>\n"
                    "  <model type='virtio'/></interface> (the image must then use DHCP).\n");
    if (passed && !nic)
        buf_puts(b, "\n  <qemu:commandline> holds the arguments libvirt has no element for.\n");
    else if (passed)
        buf_puts(b, "  <qemu:commandline> also holds the other arguments libvirt has no element for.\n");
    buf_puts(b, "-->\n");
}

static char *domain_xml(const struct manifest *m, const struct platform *p, const char *mode, struct domain *d,
                        const char *emulator, const struct export_opts *o, bool nic)
{
    const char *name = o->name ? o->name : m->name;
    struct buf b = {0};
    header_comment(&b, m, p, mode, d, name, o->out && strcmp(o->out, "-") ? path_abs(o->out) : "FILE.xml", nic,
                   d->pass.n > 0);
    buf_puts(&b, "<domain type='");
    buf_puts(&b, d->kvm ? "kvm" : "qemu");
    buf_puts(&b, "' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n");
    xml_printf(&b, "  <name>%s</name>\n", name);
    buf_printf(&b, "  <memory unit='MiB'>%llu</memory>\n  <vcpu>%d</vcpu>\n", (unsigned long long)d->mem_mib,
               d->vcpus);
    buf_puts(&b, "  <os>\n");
    xml_printf(&b, "    <type arch='%s' machine='%s'>hvm</type>\n", d->arch, d->machine);
    if (d->loader)   /* -bios: a ROM image (qboot, OVMF.fd), as libvirt's type='rom' passes it */
        xml_printf(&b, "    <loader type='rom'>%s</loader>\n", d->loader);
    if (d->kernel)
        xml_printf(&b, "    <kernel>%s</kernel>\n", d->kernel);
    if (d->cmdline)
        xml_printf(&b, "    <cmdline>%s</cmdline>\n", d->cmdline);
    if (!d->kernel && d->cdroms)
        buf_puts(&b, "    <boot dev='cdrom'/>\n");
    buf_puts(&b, "  </os>\n");
    if (d->acpi || d->gic) {
        buf_puts(&b, "  <features>\n");
        if (d->acpi)
            buf_puts(&b, "    <acpi/>\n");
        if (d->gic)
            xml_printf(&b, "    <gic version='%s'/>\n", d->gic);
        buf_puts(&b, "  </features>\n");
    }
    /* TCG's "max" (every feature QEMU emulates), or the host's CPU under KVM */
    buf_printf(&b, "  <cpu mode='%s'/>\n", d->kvm ? "host-passthrough" : "maximum");
    buf_puts(&b, "  <on_poweroff>destroy</on_poweroff>\n");
    /* -no-reboot: a reset ends the domain; without it (the watchdog resets) it boots again */
    buf_printf(&b, "  <on_reboot>%s</on_reboot>\n", d->no_reboot ? "destroy" : "restart");
    buf_puts(&b, "  <on_crash>destroy</on_crash>\n");
    buf_puts(&b, "  <devices>\n");
    xml_printf(&b, "    <emulator>%s</emulator>\n", emulator);
    /* nothing anx run's machine lacks: no USB controller, no balloon */
    buf_puts(&b, "    <controller type='usb' model='none'/>\n");
    buf_puts(&b, d->dev.n ? buf_cstr(&d->dev) : "");
    /* the serial console: a pty for virsh console, everything also in a log file */
    buf_puts(&b, "    <serial type='pty'>\n");
    xml_printf(&b, "      <log file='%s' append='off'/>\n", o->console_log);
    buf_puts(&b, "      <target port='0'/>\n    </serial>\n");
    buf_puts(&b, "    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n");
    if (d->video)   /* the screen over VNC on 127.0.0.1 only: virsh vncdisplay NAME */
        buf_puts(&b, "    <graphics type='vnc' autoport='yes' listen='127.0.0.1'>\n"
                     "      <listen type='address' address='127.0.0.1'/>\n    </graphics>\n");
    buf_puts(&b, "    <memballoon model='none'/>\n");
    buf_puts(&b, "  </devices>\n");
    if (d->pass.n) {
        buf_puts(&b, "  <qemu:commandline>\n");
        for (size_t i = 0; i < d->pass.n; i++)
            xml_printf(&b, "    <qemu:arg value='%s'/>\n", d->pass.v[i]);
        buf_puts(&b, "  </qemu:commandline>\n");
    }
    buf_puts(&b, "</domain>\n");
    return xstrdup(buf_cstr(&b));
}

/* The absolute path of QEMU: platform.yaml's binary found on PATH (a
 * relative path with '/' is relative to the root, as for anx run). */
static char *emulator_path(const char *binary)
{
    if (binary[0] == '/')
        return xstrdup(binary);
    if (strchr(binary, '/'))
        return path_abs(binary);
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; p && *p;) {
        const char *colon = strchr(p, ':');
        char *dir = colon ? xstrndup(p, (size_t)(colon - p)) : xstrdup(p);
        p = colon ? colon + 1 : NULL;
        char *cand = path_abs(path_join(*dir ? dir : ".", binary));
        if (access(cand, X_OK) == 0)
            return cand;
    }
    diag_warning(NULL, "export: %s is not on PATH; the domain names /usr/bin/%s, where Debian's QEMU packages put "
                       "it (install qemu-system-x86 or qemu-system-arm on the host that runs the domain)",
                 binary, binary);
    return xasprintf("/usr/bin/%s", binary);
}

static bool valid_domain_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (const char *q = s; *q; q++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *q))
            return false;
    return true;
}

static const char export_usage[] =
    "usage: anx export libvirt MANIFEST [-p PLATFORM] [-o FILE] [--name NAME] [--console-log FILE]\n"
    "                          [--port HOST:GUEST]... [--disk FILE [--disk-size SIZE]] [--boot MODE]\n"
    "                          [--accel tcg|kvm|auto] [--secret NAME=FILE]... [--out-dir DIR]\n"
    "Builds the image if needed (the step lines go to stderr) and writes a libvirt domain XML\n"
    "that boots it as 'anx run' does: memory, CPUs, machine, firmware, kernel and command line,\n"
    "disks, devices, the NIC with the port forwards, the serial console on a pty (virsh\n"
    "console) and in a log file. Arguments libvirt has no element for go to QEMU unchanged\n"
    "through <qemu:commandline>. Then: virsh -c qemu:///session define FILE; start NAME.\n"
    "  -p, --platform NAME  target platform (default: the manifest's platform:)\n"
    "  -o, --output FILE    the XML file (default DIR/libvirt.xml; '-' for standard output)\n"
    "  --name NAME          the domain's name (default: the manifest's name:)\n"
    "  --console-log FILE   where the serial console is logged (default DIR/libvirt-console.log;\n"
    "                       libvirt writes it as the user its daemon runs as)\n"
    "  --port HOST:GUEST    forward 127.0.0.1:HOST to the guest's GUEST port (repeatable);\n"
    "                       replaces the manifest's forward of the same guest port\n"
    "  --disk FILE          attach FILE (raw) when the image has a disk driver module; default\n"
    "                       with run: disk: in the manifest: DIR/disk.img, made sparse if missing\n"
    "  --disk-size SIZE     size of a disk created now (default the manifest's, else 64M)\n"
    "  --boot MODE          a boot mode of the platform (default: its first, direct boot)\n"
    "  --accel A            tcg (default: domain type qemu), kvm (type kvm, the host's CPU), or\n"
    "                       auto (kvm when this machine could use it)\n"
    "  --secret NAME=FILE   credential NAME's value from FILE, through QEMU's fw_cfg\n"
    "  --out-dir DIR        build folder (default build/NAME-PLATFORM)\n"
    "Exit codes: 0 written, 1 the build failed or the file cannot be written, 2 usage or\n"
    "manifest error. docs/deploy.md says how to run it and how images go to clouds.\n";

/* The build's step lines go to stderr: stdout may be the XML (-o -). */
static int build_quietly(struct catalog *cat, struct manifest *m, struct resolution *r, struct build_opts *bo,
                         struct build_result *res)
{
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved >= 0)
        dup2(STDERR_FILENO, STDOUT_FILENO);
    fprintf(stdout, "  %-9s%s: %zu modules\n", "resolve", r->plat->name, r->n);
    int rc = build(cat, m, r, bo, res);
    if (!rc)
        fprintf(stdout, "built %s in %.3f s\n", path_display(res->main_image), res->total_ms / 1e3);
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    return rc;
}

static int export_libvirt(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"output", required_argument, 0, 'o'},
        {"name", required_argument, 0, 'N'},     {"console-log", required_argument, 0, 'L'},
        {"port", required_argument, 0, 'P'},     {"disk", required_argument, 0, 'd'},
        {"disk-size", required_argument, 0, 'S'}, {"boot", required_argument, 0, 'b'},
        {"accel", required_argument, 0, 'a'},    {"secret", required_argument, 0, 'C'},
        {"out-dir", required_argument, 0, 'O'},  {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct qemu_opts q = {.accel = ACCEL_TCG};
    struct build_opts bo = {0};
    struct export_opts eo = {0};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "p:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            bo.platform = optarg;
            break;
        case 'o':
            eo.out = optarg;
            break;
        case 'O':
            bo.outdir = optarg;
            break;
        case 'N':
            if (!valid_domain_name(optarg)) {
                diag_error(NULL, "export: --name '%s': a domain name is 1-64 letters, digits, '-', '_' and '.'",
                           optarg);
                return EXIT_USAGE;
            }
            eo.name = optarg;
            break;
        case 'L':
            eo.console_log = path_abs(optarg);
            break;
        case 'h':
            fputs(export_usage, stdout);
            return EXIT_OK;
        default:
            switch (qemu_option(c, optarg, &q)) {
            case 1:
                break;
            case 0:
                fputs(export_usage, stderr);
                /* fall through */
            default:
                return EXIT_USAGE;
            }
        }
    }
    if (argc - optind != 1) {
        fputs(export_usage, stderr);
        return EXIT_USAGE;
    }
    if (q.accel == ACCEL_AUTO)
        q.accel = kvm_usable() ? ACCEL_KVM : ACCEL_TCG;
    struct catalog cat;
    struct manifest m;
    struct resolution r;
    int rc = load_and_resolve(argv[optind], bo.platform, &cat, &m, &r);
    if (rc)
        return rc;
    int mode = check_boot_mode(r.plat, q.boot);
    if (mode < 0)
        return EXIT_USAGE;
    if (!eo.name && !valid_domain_name(m.name)) {
        diag_error(NULL, "export: the manifest's name '%s' cannot name a libvirt domain; give one with --name NAME",
                   m.name);
        return EXIT_USAGE;
    }
    struct build_result res = {0};
    if (build_quietly(&cat, &m, &r, &bo, &res))
        return EXIT_FAIL;
    /* libvirt wants absolute paths: it runs QEMU in another folder */
    res.image_elf = res.image_elf ? path_abs(res.image_elf) : NULL;
    res.elf_debug = res.elf_debug ? path_abs(res.elf_debug) : NULL;
    res.iso = res.iso ? path_abs(res.iso) : NULL;
    if (!q.disk && m.disk_size && disk_driver(r.plat, &r))
        q.disk = path_abs(path_join(res.outdir, "disk.img"));
    if (q.disk && disk_driver(r.plat, &r)) {
        /* made now (sparse) when missing, as anx run would; refused when
         * it is not raw or another run holds it */
        int fd = disk_open(q.disk, q.disk_size ? q.disk_size : m.disk_size ? m.disk_size : DISK_SIZE_DEFAULT, false);
        if (fd < 0)
            return fd == -2 ? EXIT_USAGE : EXIT_FAIL;
        close(fd);
    }
    struct strlist qa = {0};
    if (qemu_argv(&m, &r, &res, &q, &qa))
        return EXIT_USAGE;
    struct domain d = {
        .arch = !strcmp(r.plat->arch, "arm64") ? "aarch64" : r.plat->arch,
        .acpi = !strcmp(r.plat->arch, "x86_64"),   /* arm64's ACPI needs UEFI: its DTB instead */
        .mem_mib = m.memory >> 20,
        .vcpus = m.cpus,
        .next_slot = 2,   /* 0 the host bridge, 1 the VGA, as in QEMU's own numbering */
    };
    /* the machines with a PCI root bus that anx's platforms use */
    const char *mach = NULL;
    for (size_t i = 0; i + 1 < r.plat->qemu_machine.n; i++)
        if (!strcmp(r.plat->qemu_machine.v[i], "-M") || !strcmp(r.plat->qemu_machine.v[i], "-machine"))
            mach = r.plat->qemu_machine.v[i + 1];
    d.pci = !mach || strncmp(mach, "microvm", 7);
    collect(&d, &qa);
    if (!d.machine) {
        diag_error(NULL, "export: platform '%s' names no machine type (qemu: machine: [-M, TYPE] in %s); libvirt "
                         "needs one", r.plat->name, path_display(r.plat->yaml_path));
        return EXIT_USAGE;
    }
    if (!eo.console_log)
        eo.console_log = path_abs(path_join(res.outdir, "libvirt-console.log"));
    char *emulator = emulator_path(qa.v[0]);
    const char *out = eo.out ? eo.out : path_join(res.outdir, "libvirt.xml");
    if (strcmp(out, "-"))
        eo.out = out;
    xml_unwritable = NULL;
    char *xml = domain_xml(&m, r.plat, r.plat->boot[mode].name, &d, emulator, &eo, nic_driver(r.plat, &r) != NULL);
    if (xml_unwritable) {
        diag_error(NULL, "export: '%s' holds a control character, which XML cannot hold; remove it (from the "
                         "manifest's cmdline:, a path or an option)", xml_unwritable);
        return EXIT_USAGE;
    }
    const char *name = eo.name ? eo.name : m.name;
    if (!strcmp(out, "-")) {
        fputs(xml, stdout);
        return fflush(stdout) ? EXIT_FAIL : EXIT_OK;
    }
    int e = mkdir_p(path_dirname(path_abs(out)));
    if (!e)
        e = write_file(out, xml, strlen(xml));
    if (e) {
        diag_error(NULL, "export: cannot write %s: %s", path_display(out), strerror(-e));
        return EXIT_FAIL;
    }
    printf("wrote %s (domain %s, type %s)\n", path_display(out), name, d.kvm ? "kvm" : "qemu");
    printf("run it: virsh -c qemu:///session define %s && virsh -c qemu:///session start %s\n",
           path_abs(out), name);
    return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(export_usage, stdout);
        return EXIT_OK;
    }
    if (argc < 2) {
        fputs(export_usage, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "libvirt"))
        return export_libvirt(argc - 1, argv + 1);
    static const char *const formats[] = {"libvirt"};
    diag_error(NULL, "export: unknown target '%s' (libvirt)%s; see 'anx export --help'", argv[1],
               suggest(argv[1], formats, 1));
    return EXIT_USAGE;
}
