/*
 * The QEMU command line of an image, from the platform's qemu: section
 * plus the manifest (memory, cpus, ports) and the command's options, and
 * the mapping from QEMU's exit code back to the guest's exit status.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "disk_lock.h"

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
    const char *elf, *elf_debug, *iso, *cmdline, *disk, *raw, *qcow2;
};

/* Replaces {elf}, {iso}, {cmdline} ... in one argument. Returns NULL (after
 * an error) when the argument needs something this build doesn't have. */
static char *substitute(const char *arg, const struct subst *s, const struct platform *p)
{
    struct buf b = {0};
    static const char *const names[] = {"{elf}", "{elf_debug}", "{iso}", "{cmdline}", "{disk}", "{raw}", "{qcow2}"};
    const char *vals[] = {s->elf, s->elf_debug, s->iso, s->cmdline, s->disk, s->raw, s->qcow2};
    const char *q = arg;
    while (*q) {
        bool done = false;
        for (size_t i = 0; i < 7 && !done; i++) {
            size_t l = strlen(names[i]);
            if (strncmp(q, names[i], l))
                continue;
            if (!vals[i]) {
                diag_error(NULL, "platform '%s': QEMU argument '%s' needs %s, which this build has not made%s", p->name,
                           arg, names[i], !strcmp(names[i], "{iso}")    ? " (add iso to 'images')"
                                          : !strcmp(names[i], "{raw}")  ? " (add raw to 'images')"
                                          : !strcmp(names[i], "{qcow2}") ? " (add qcow2 to 'images')"
                                                                         : "");
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

static bool same_args(const struct strlist *a, const struct strlist *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]))
            return false;
    return true;
}

/* The arguments of every entry of map (qemu: display:, input: or devices:) whose
 * module the image holds, in the map's order; a list equal to one already
 * added is skipped (boot-fb and bochs-display both say -vga std). */
static int push_present(struct strlist *argv, const struct nic_args *map, size_t n, const struct resolution *r,
                        const struct subst *s, const struct platform *p)
{
    for (size_t i = 0; i < n; i++) {
        if (!resolved_find(r, map[i].module))
            continue;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = resolved_find(r, map[j].module) && same_args(&map[j].args, &map[i].args);
        if (!dup && push_all(argv, &map[i].args, s, p))
            return -1;
    }
    return 0;
}

/* --secret: each file as the fw_cfg file opt/anunix/secret/NAME, which
 * the cred module reads at boot (docs/credentials.md). QEMU reads the file;
 * its path is on the command line, its contents nowhere in anx's output.
 * A name the manifest does not declare is warned about once per manifest
 * (the image would ignore it). */
static void push_secrets(const struct manifest *m, const struct qemu_opts *o, struct strlist *argv)
{
    static const struct manifest *warned;
    for (size_t i = 0; i < o->nsecrets; i++) {
        const struct secret_arg *sa = &o->secrets[i];
        bool declared = false;
        for (size_t k = 0; k < m->ncreds && !declared; k++)
            declared = !strcmp(m->creds[k].name, sa->name);
        if (!declared && warned != m) {
            struct buf names = {0};
            for (size_t k = 0; k < m->ncreds; k++)
                buf_printf(&names, "%s%s", k ? ", " : "", m->creds[k].name);
            diag_warning(NULL, "--secret %s: the manifest declares no credential '%s' (%s%s); the image ignores it",
                         sa->name, sa->name, m->ncreds ? "its credentials: " : "it has no credentials: section",
                         buf_cstr(&names));
        }
        struct buf f = {0};
        buf_printf(&f, "name=opt/anunix/secret/%s,file=", sa->name);
        for (const char *c = sa->path; *c; c++)   /* QEMU's option syntax: ',' is written ',,' */
            buf_puts(&f, *c == ',' ? ",," : (char[2]){*c, 0});
        strlist_push(argv, "-fw_cfg");
        strlist_push(argv, buf_cstr(&f));
    }
    warned = m;
}

/* True when a device list of the image (platform.yaml qemu: devices:, the
 * watchdog module's) asks QEMU to reset the machine when its watchdog
 * fires (-watchdog-action reset): -no-reboot would turn that reset into
 * QEMU's exit, so such an image boots again instead (docs/watchdog.md). */
static bool watchdog_resets(const struct platform *p, const struct resolution *r)
{
    for (size_t i = 0; i < p->ndevices; i++) {
        if (!resolved_find(r, p->devices[i].module))
            continue;
        const struct strlist *a = &p->devices[i].args;
        for (size_t k = 0; k + 1 < a->n; k++)
            if (!strcmp(a->v[k], "-watchdog-action") && !strcmp(a->v[k + 1], "reset"))
                return true;
    }
    return false;
}

int qemu_argv(const struct manifest *m, const struct resolution *r, const struct build_result *b,
              const struct qemu_opts *o, struct strlist *argv)
{
    const struct platform *p = r->plat;
    int mode = check_boot_mode(p, o->boot);
    if (mode < 0)
        return -1;
    /* --disk-fault: QEMU's blkdebug protocol between the disk's format and
     * its file; the rules file's I/O errors then reach the guest's driver. */
    const char *disk = o->disk;
    if (disk && o->disk_fault)
        disk = xasprintf("blkdebug:%s:%s", o->disk_fault, o->disk);
    struct subst s = {b->image_elf, b->elf_debug, b->iso, m->cmdline, disk, b->raw, b->qcow2};
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
    if (!watchdog_resets(p, r))
        strlist_push(argv, "-no-reboot");
    if (o->for_test) {
        strlist_push(argv, "-display");
        strlist_push(argv, "none");
        strlist_push(argv, "-serial");
        strlist_push(argv, "stdio");
        strlist_push(argv, "-monitor");
        strlist_push(argv, "none");
    } else if (o->display) {   /* a window (or VNC); the console stays on stdio */
        strlist_push(argv, "-display");
        strlist_push(argv, o->display);
        strlist_push(argv, "-serial");
        strlist_push(argv, "mon:stdio");
    } else {
        strlist_push(argv, "-nographic");
    }
    /* The screen, the input and the other devices of the image's drivers,
     * for anx run and anx test alike (a headless test still reads the screen). */
    if (push_present(argv, p->displays, p->ndisplays, r, &s, p) ||
        push_present(argv, p->inputs, p->ninputs, r, &s, p) ||
        push_present(argv, p->devices, p->ndevices, r, &s, p))
        return -1;

    struct port_fwd *ports;
    size_t np = qemu_ports(m, o, &ports);
    const struct nic_args *nic = nic_driver(p, r);
    if (nic) {
        struct buf nd = {0};
        if (o->tap) {
            /* an existing tap device: the host's own network stack (and its
             * tc qdiscs) in front of the guest; no forwards there */
            buf_printf(&nd, "tap,id=net0,ifname=%s,script=no,downscript=no", o->tap);
        } else {
            buf_puts(&nd, "user,id=net0");
            for (size_t i = 0; i < np; i++)
                buf_printf(&nd, ",hostfwd=tcp:127.0.0.1:%d-:%d", ports[i].host, ports[i].guest);
        }
        strlist_push(argv, "-netdev");
        strlist_push(argv, buf_cstr(&nd));
        if (push_all(argv, &nic->args, &s, p))
            return -1;
    } else if (o->tap) {
        diag_error(NULL, "--tap %s: the image has no NIC driver module for platform '%s' "
                         "(qemu: nic: in platform.yaml)", o->tap, p->name);
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
    } else if (o->disk_fault) {
        diag_error(NULL, "--disk-fault needs a disk: give --disk FILE, or run: disk: in the "
                         "manifest");
        return -1;
    }
    push_secrets(m, o, argv);
    /* QEMU's image locking is what stops a second QEMU, or anx store, from
     * writing the disk under this one (disk_lock.c): never run without it. */
    for (size_t i = 0; i < argv->n; i++)
        if (strstr(argv->v[i], "locking=off")) {
            diag_error(NULL, "platform '%s': the QEMU argument '%s' turns off QEMU's image locking, which keeps "
                       "other programs from writing the disk while the guest runs; remove locking=off from %s",
                       p->name, argv->v[i], path_display(p->yaml_path));
            return -1;
        }
    return 0;
}

size_t qemu_ports(const struct manifest *m, const struct qemu_opts *o, struct port_fwd **out)
{
    /* The manifest's, with --port replacing a forward of the same guest port. */
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
    *out = ports;
    return np;
}

/* The NIC: the platform's arguments for the first NIC module the image
 * contains; an image without a NIC driver gets no network device. */
const struct nic_args *nic_driver(const struct platform *p, const struct resolution *r)
{
    for (size_t i = 0; i < p->nnics; i++)
        for (size_t k = 0; k < r->n; k++)
            if (!strcmp(r->mods[k].mod->name, p->nics[i].module))
                return &p->nics[i];
    return NULL;
}

/* ---- forwarded ports ------------------------------------------------------ */

struct socket_search {
    unsigned long inode;
    pid_t pid;
};

static int match_socket(pid_t pid, int fd, const char *fdpath, void *arg)
{
    (void)fd;   /* the link of fdpath says what it is */
    struct socket_search *s = arg;
    char link[64], want[64];
    ssize_t n = readlink(fdpath, link, sizeof link - 1);
    if (n <= 0)
        return 0;
    link[n] = 0;
    snprintf(want, sizeof want, "socket:[%lu]", s->inode);
    if (strcmp(link, want))
        return 0;
    s->pid = pid;
    return 1;
}

/* The inode of a TCP socket bound to port that would keep 127.0.0.1:port
 * from being bound (listening first), from /proc/net/tcp and tcp6; 0 if
 * none is listed. */
static unsigned long port_socket(int port)
{
    static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    unsigned long found = 0;
    for (size_t t = 0; t < 2; t++) {
        FILE *f = fopen(tables[t], "r");
        if (!f)
            continue;
        char line[512];
        while (fgets(line, sizeof line, f)) {
            char local[64];
            unsigned st;
            unsigned long inode;
            /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
            if (sscanf(line, " %*s %63s %*s %x %*s %*s %*s %*s %*s %lu", local, &st, &inode) != 3)
                continue;
            char *colon = strrchr(local, ':');
            if (!colon || strtol(colon + 1, NULL, 16) != port || !inode)
                continue;
            if (st == 0x0A) {   /* LISTEN */
                fclose(f);
                return inode;
            }
            if (!found && st != 0x06)   /* anything but TIME_WAIT */
                found = inode;
        }
        fclose(f);
    }
    return found;
}

/* "python3 (pid 12)" for the process holding port, or "" when it cannot
 * be seen (another user's process, or a socket already closing). */
static void port_owner(int port, char *who, size_t n)
{
    who[0] = 0;
    struct socket_search s = {port_socket(port), 0};
    if (!s.inode || !each_process_fd(match_socket, &s))
        return;
    char name[256];
    process_name(s.pid, name, sizeof name);
    snprintf(who, n, "%s (pid %d)", name, (int)s.pid);
}

/* True when 127.0.0.1:port can be bound, as QEMU's user network will
 * (SO_REUSEADDR like it, so a closing connection does not count). */
static bool port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true;   /* cannot tell: let QEMU try */
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 || errno != EADDRINUSE;
    close(fd);
    return ok;
}

/* "port N is already in use by P (pid N); choose another with --port ..." */
static char *port_busy_message(int port, int guest)
{
    char who[300];
    port_owner(port, who, sizeof who);
    /* Suggest the next free port, so the fix can be copied. */
    int other = 0;
    for (int p = port + 1; p <= 65535 && p < port + 100 && !other; p++)
        if (port_free(p))
            other = p;
    return xasprintf("port %d is already in use%s%s; choose another with --port HOST:GUEST%s", port,
                     who[0] ? " by " : "", who,
                     other ? xasprintf(" (e.g. --port %d:%d)", other, guest) : "");
}

char *ports_problem(const struct port_fwd *ports, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++)
            if (ports[k].host == ports[i].host)
                return xasprintf("host port %d is forwarded twice (to guest ports %d and %d); give each its own "
                                 "with --port HOST:GUEST", ports[i].host, ports[k].guest, ports[i].guest);
        if (!port_free(ports[i].host))
            return port_busy_message(ports[i].host, ports[i].guest);
    }
    return NULL;
}

/* QEMU's "-netdev user,...: Could not set up host forwarding rule
 * 'tcp:127.0.0.1:8080-:80'" (slirp's bind failed: the port was taken after
 * anx checked it): -1 when stderr does not say so, else 1 with the rule's
 * ports, or 0 when the rule cannot be read. */
static int hostfwd_rule(const char *qemu_stderr, int *host, int *guest)
{
    const char *s = strstr(qemu_stderr, "Could not set up host forwarding rule");
    if (!s)
        return -1;
    const char *rule = strstr(s, "127.0.0.1:");
    return rule && sscanf(rule, "127.0.0.1:%d-:%d", host, guest) == 2;
}

char *hostfwd_failure(const char *qemu_stderr)
{
    int host = 0, guest = 0;
    int r = hostfwd_rule(qemu_stderr, &host, &guest);
    if (r < 0)
        return NULL;
    if (r == 0)
        return xstrdup("QEMU could not set up a port forward: a forwarded port is already in use; choose another "
                       "with --port HOST:GUEST");
    return port_busy_message(host, guest);
}

int hostfwd_failed_port(const char *qemu_stderr)
{
    int host = 0, guest = 0;
    int r = hostfwd_rule(qemu_stderr, &host, &guest);
    return r < 0 ? -1 : r == 0 ? 0 : host;
}

/* A socket bound to a port of 127.0.0.1 that the kernel chose free (a bind
 * to port 0); *port gets its number. -1 with errno on failure. */
static int bind_free_port(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || getsockname(fd, (struct sockaddr *)&sa, &len)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

int pick_free_ports(struct port_fwd *ports, size_t n, const bool *pick)
{
    /* Every socket stays bound until all are picked, so the kernel never
     * hands out one port twice; a port that a fixed forward names is kept
     * bound too, and another one asked for. */
    int *held = xcalloc(2 * n + 17, sizeof *held);
    size_t nheld = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!pick[i])
            continue;
        for (int tries = 0;; tries++) {
            int port, fd = bind_free_port(&port);
            if (fd < 0 || tries > 16) {
                if (fd >= 0)
                    close(fd);
                rc = -1;
                break;
            }
            held[nheld++] = fd;
            bool fixed = false;
            for (size_t k = 0; k < n; k++)
                fixed |= !pick[k] && ports[k].host == port;
            if (!fixed) {
                ports[i].host = port;
                break;
            }
        }
    }
    int e = errno;
    for (size_t i = 0; i < nheld; i++)
        close(held[i]);
    errno = e;
    return rc;
}

/* ---- disks ------------------------------------------------------------------ */

/* Image formats QEMU would read as a raw disk full of their metadata; anx
 * attaches every disk with format=raw. */
static const char *image_format(int fd)
{
    static const struct {
        const char *name;
        size_t off, len;
        const char *magic;
    } formats[] = {
        {"qcow2", 0, 4, "QFI\xfb"},
        {"VMDK", 0, 4, "KDMV"},
        {"VHDX", 0, 8, "vhdxfile"},
        {"VDI", 64, 4, "\x7f\x10\xda\xbe"},
        {"VHD", 0, 8, "conectix"},
    };
    unsigned char head[80];
    ssize_t n = pread(fd, head, sizeof head, 0);
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (n >= (ssize_t)(formats[i].off + formats[i].len) &&
            !memcmp(head + formats[i].off, formats[i].magic, formats[i].len))
            return formats[i].name;
    return NULL;
}

int disk_open(const char *path, uint64_t size, bool fresh)
{
    struct stat st;
    bool existed = stat(path, &st) == 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        diag_error(NULL, "cannot open the disk '%s': %s", path_display(path), strerror(errno));
        return -1;
    }
    /* Lock before touching anything: the disk may be another run's. */
    char why[600];
    int r = disk_lock(fd, DISK_QEMU, why, sizeof why);
    if (r) {
        if (r > 0)
            diag_error(NULL, "cannot use %s: %s; stop it first (or wait for it to end), or give this one another disk "
                       "with --disk FILE", path_display(path), why);
        else
            diag_error(NULL, "%s: %s", path_display(path), why);
        close(fd);
        return -1;
    }
    const char *format = existed && !fresh ? image_format(fd) : NULL;
    if (format) {
        diag_error(NULL, "%s is a %s image, and anx attaches disks as raw images (format=raw); convert it with: "
                   "qemu-img convert -O raw %s DISK.img (qemu-utils), then give --disk DISK.img",
                   path_display(path), format, path_display(path));
        close(fd);
        return -2;
    }
    if ((fresh || !existed) && (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)size) != 0)) {
        diag_error(NULL, "cannot create the disk '%s': %s", path_display(path), strerror(errno));
        close(fd);
        return -1;
    }
    if (!existed && !fresh)
        fprintf(stderr, "anx: created disk %s (%llu MiB, sparse)\n", path_display(path),
                (unsigned long long)(size >> 20));
    return fd;
}

const struct nic_args *disk_driver(const struct platform *p, const struct resolution *r)
{
    for (size_t i = 0; i < p->ndisks; i++)
        for (size_t k = 0; k < r->n; k++)
            if (!strcmp(r->mods[k].mod->name, p->disks[i].module))
                return &p->disks[i];
    return NULL;
}

char *qemu_error(const char *binary, int wstatus, const char *err)
{
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 1)
        return NULL;
    const char *base = strrchr(binary, '/') ? strrchr(binary, '/') + 1 : binary;
    size_t bl = strlen(base);
    for (const char *line = err; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *l = xstrndup(line, len);
        if (!strncmp(l, base, bl) && l[bl] == ':' && !strstr(l, "warning:"))
            return l;
        line += len + (nl != NULL);
    }
    return NULL;
}

const char *signal_name(int sig)
{
    /* A table, not strsignal(): this runs in signal handlers too. */
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGKILL: return "SIGKILL";
    default: return "a signal";
    }
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

pid_t qemu_spawn(struct strlist *qa, int in, int out, int err, int death_signal, bool own_group)
{
    strlist_push(qa, "");
    qa->v[qa->n - 1] = NULL;
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* QEMU dies with us even when we are killed without a chance to stop
     * it (SIGKILL); a parent already gone before prctl took effect too. */
    prctl(PR_SET_PDEATHSIG, death_signal);
    if (getppid() != parent)
        _exit(127);
    if (own_group)
        setpgid(0, 0);
    if (in >= 0)
        dup2(in, STDIN_FILENO);
    if (out >= 0)
        dup2(out, STDOUT_FILENO);
    if (err >= 0)
        dup2(err, STDERR_FILENO);
    execvp(qa->v[0], qa->v);
    fprintf(stderr, "anx: cannot run %s: %s\n", qa->v[0], strerror(errno));
    _exit(127);
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
