/*
 * The QEMU command line of an image, from the platform's qemu: section
 * plus the manifest (memory, cpus, ports) and the command's options, and
 * the mapping from QEMU's exit code back to the guest's exit status.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* KVM only helps when the CPU really virtualizes: a /dev/kvm that opens on
 * a CPU without vmx/svm emulates and is far slower than TCG. */
bool kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    char *data;
    size_t len;
    if (read_file("/proc/cpuinfo", &data, &len, 1 << 24))
        return false;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "flags", 5))
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        for (char *w = strtok(colon + 1, " \t"); w; w = strtok(NULL, " \t"))
            if (!strcmp(w, "vmx") || !strcmp(w, "svm"))
                return true;
        return false;
    }
    return false;
}

int check_boot_mode(const struct platform *p, const char *boot)
{
    if (!boot)
        return 0;
    for (size_t i = 0; i < p->nboot; i++)
        if (!strcmp(p->boot[i].name, boot))
            return (int)i;
    const char **names = xcalloc(p->nboot + 1, sizeof *names);
    struct buf b = {0};
    for (size_t i = 0; i < p->nboot; i++) {
        names[i] = p->boot[i].name;
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    }
    diag_error(NULL, "platform '%s' has no boot mode '%s' (it has: %s)%s", p->name, yshow(boot, strlen(boot)),
               buf_cstr(&b), suggest(boot, names, p->nboot));
    return -1;
}

struct subst {
    const char *elf, *elf_debug, *iso, *cmdline, *disk;
};

/* Replaces {elf}, {iso}, {cmdline} ... in one argument. Returns NULL (after
 * an error) when the argument needs something this build doesn't have. */
static char *substitute(const char *arg, const struct subst *s, const struct platform *p)
{
    struct buf b = {0};
    static const char *const names[] = {"{elf}", "{elf_debug}", "{iso}", "{cmdline}", "{disk}"};
    const char *vals[] = {s->elf, s->elf_debug, s->iso, s->cmdline, s->disk};
    const char *q = arg;
    while (*q) {
        bool done = false;
        for (size_t i = 0; i < 5 && !done; i++) {
            size_t l = strlen(names[i]);
            if (strncmp(q, names[i], l))
                continue;
            if (!vals[i]) {
                diag_error(NULL, "platform '%s': QEMU argument '%s' needs %s, which this build has not made%s", p->name,
                           arg, names[i], !strcmp(names[i], "{iso}") ? " (add iso to 'images')" : "");
                return NULL;
            }
            buf_puts(&b, vals[i]);
            q += l;
            done = true;
        }
        if (!done)
            buf_add(&b, q++, 1);
    }
    return xstrdup(buf_cstr(&b));
}

static int push_all(struct strlist *argv, const struct strlist *args, const struct subst *s, const struct platform *p)
{
    for (size_t i = 0; i < args->n; i++) {
        char *a = substitute(args->v[i], s, p);
        if (!a)
            return -1;
        strlist_push(argv, a);
    }
    return 0;
}

int qemu_argv(const struct manifest *m, const struct resolution *r, const struct build_result *b,
              const struct qemu_opts *o, struct strlist *argv)
{
    const struct platform *p = r->plat;
    int mode = check_boot_mode(p, o->boot);
    if (mode < 0)
        return -1;
    struct subst s = {b->image_elf, b->elf_debug, b->iso, m->cmdline, o->disk};
    /* A binary given as a relative path (a test double) is relative to the root. */
    if (strchr(p->qemu_binary, '/') && p->qemu_binary[0] != '/')
        strlist_push(argv, path_join(anx_root(), p->qemu_binary));
    else
        strlist_push(argv, p->qemu_binary);
    if (push_all(argv, &p->qemu_machine, &s, p))
        return -1;
    bool kvm = o->accel == ACCEL_KVM || (o->accel == ACCEL_AUTO && kvm_usable());
    strlist_push(argv, "-accel");
    strlist_push(argv, kvm ? "kvm" : "tcg");
    strlist_push(argv, "-cpu");
    strlist_push(argv, kvm ? "host" : "max");
    strlist_push(argv, "-m");
    strlist_push(argv, xasprintf("%lluM", (unsigned long long)(m->memory >> 20)));
    strlist_push(argv, "-smp");
    strlist_push(argv, xasprintf("%d", m->cpus));
    if (push_all(argv, &p->qemu_common, &s, p) || push_all(argv, &p->boot[mode].args, &s, p))
        return -1;
    strlist_push(argv, "-no-reboot");
    if (o->for_test) {
        strlist_push(argv, "-display");
        strlist_push(argv, "none");
        strlist_push(argv, "-serial");
        strlist_push(argv, "stdio");
        strlist_push(argv, "-monitor");
        strlist_push(argv, "none");
    } else if (o->display) {
        strlist_push(argv, "-serial");
        strlist_push(argv, "mon:stdio");
    } else {
        strlist_push(argv, "-nographic");
    }

    /* Ports: the manifest's, with --port replacing a forward of the same guest port. */
    struct port_fwd *ports = xcalloc(m->nports + o->nports + 1, sizeof *ports);
    size_t np = 0;
    for (size_t i = 0; i < m->nports; i++) {
        bool replaced = false;
        for (size_t k = 0; k < o->nports; k++)
            replaced |= o->ports[k].guest == m->ports[i].guest;
        if (!replaced)
            ports[np++] = m->ports[i];
    }
    for (size_t k = 0; k < o->nports; k++)
        ports[np++] = o->ports[k];
    /* The NIC: the platform's arguments for the first NIC module the image
     * contains; an image without a NIC driver gets no network device. */
    const struct nic_args *nic = NULL;
    for (size_t i = 0; i < p->nnics && !nic; i++)
        for (size_t k = 0; k < r->n; k++)
            if (!strcmp(r->mods[k].mod->name, p->nics[i].module))
                nic = &p->nics[i];
    if (nic) {
        struct buf nd = {0};
        buf_puts(&nd, "user,id=net0");
        for (size_t i = 0; i < np; i++)
            buf_printf(&nd, ",hostfwd=tcp:127.0.0.1:%d-:%d", ports[i].host, ports[i].guest);
        strlist_push(argv, "-netdev");
        strlist_push(argv, buf_cstr(&nd));
        if (push_all(argv, &nic->args, &s, p))
            return -1;
    } else if (np) {
        diag_warning(NULL, "the image has no NIC driver module for platform '%s' (qemu: nic: in platform.yaml), so the port forwards are ignored",
                     p->name);
    }
    /* The disk: like the NIC, only for an image with a disk driver module. */
    if (o->disk) {
        const struct nic_args *d = disk_driver(p, r);
        if (d) {
            if (push_all(argv, &d->args, &s, p))
                return -1;
        } else {
            diag_warning(NULL, "the image has no disk driver module for platform '%s' (qemu: disk: in platform.yaml), so the disk is not attached",
                         p->name);
        }
    }
    return 0;
}

const struct nic_args *disk_driver(const struct platform *p, const struct resolution *r)
{
    for (size_t i = 0; i < p->ndisks; i++)
        for (size_t k = 0; k < r->n; k++)
            if (!strcmp(r->mods[k].mod->name, p->disks[i].module))
                return &p->disks[i];
    return NULL;
}

int disk_prepare(const char *path, uint64_t size, bool fresh)
{
    if (!fresh && file_exists(path))
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        diag_error(NULL, "cannot create the disk '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    if (!fresh)
        fprintf(stderr, "anx: created disk %s (%llu MiB, sparse)\n", path_display(path),
                (unsigned long long)(size >> 20));
    return 0;
}

int guest_status(const struct platform *p, int wstatus, char *why, size_t whylen)
{
    if (WIFSIGNALED(wstatus)) {
        snprintf(why, whylen, "QEMU was killed by signal %d", WTERMSIG(wstatus));
        return -1;
    }
    int c = WEXITSTATUS(wstatus);
    if (p->exit_mode == EXIT_DIRECT)
        return c;
    if (c == 0) {
        snprintf(why, whylen, "the guest reset or stopped without an exit status (a triple fault under -no-reboot?)");
        return -1;
    }
    if (!(c & 1)) {
        snprintf(why, whylen, "QEMU failed with exit code %d", c);
        return -1;
    }
    return (c - 1) / 2;
}

char *argv_text(const struct strlist *argv)
{
    struct buf b = {0};
    for (size_t i = 0; i < argv->n && argv->v[i]; i++) {
        const char *a = argv->v[i];
        bool plain = *a != 0;
        for (const char *q = a; *q && plain; q++)
            plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:@+%", *q) != NULL;
        if (i)
            buf_puts(&b, " ");
        if (plain) {
            buf_puts(&b, a);
            continue;
        }
        buf_puts(&b, "'");
        for (const char *q = a; *q; q++) {
            if (*q == '\'')
                buf_puts(&b, "'\\''");
            else
                buf_add(&b, q, 1);
        }
        buf_puts(&b, "'");
    }
    return xstrdup(buf_cstr(&b));
}
