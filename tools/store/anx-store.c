/*
 * anx-store - prepare and inspect object-store disks on the host, with the
 * same format code as the objstore module (modules/objstore, in the host
 * build mode of host/host.mk).
 *
 *   anx-store create DISK [--size SIZE] [--force]
 *   anx-store ls     DISK [PREFIX]
 *   anx-store put    DISK NAME FILE|- [--type T] [--writer W]
 *   anx-store get    DISK NAME[@V]|ID [-o FILE]
 *   anx-store log    DISK NAME
 *   anx-store rm     DISK NAME
 *   anx-store gc     DISK
 *   anx-store df     DISK
 *   anx-store check  DISK
 *
 * Exit status: 0 ok, 1 failure (including a damaged disk or failed check),
 * 2 usage.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <anx/content_type.h>
#include "disk_lock.h"
#include "store.h"

static const char *prog = "anx store";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: anx store COMMAND DISK [ARGS]   (build/host/anx-store)\n"
            "  create DISK [--size SIZE] [--force]   new store (default 64M; K/M/G suffixes)\n"
            "  ls     DISK [PREFIX]                  names with their current version\n"
            "  put    DISK NAME FILE|- [--type T] [--writer W]   a new version of NAME (type\n"
            "                                        from NAME's extension unless --type)\n"
            "  get    DISK NAME[@V]|ID [-o FILE]     content to stdout or FILE\n"
            "  log    DISK NAME                      every version with its provenance\n"
            "  rm     DISK NAME                      forget NAME and its history\n"
            "  gc     DISK                           free unreferenced objects\n"
            "  df     DISK                           space and counts\n"
            "  check  DISK                           verify every object and the index\n"
            "A disk an appliance is running on (anx run, anx test, QEMU) is refused: stop it\n"
            "first. Reading commands (ls, get, log, df, check) may run side by side.\n");
}

static int die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

/* ---- a file as a block device ------------------------------------------------------ */

static int f_read(void *ctx, uint64_t sector, void *buf, uint32_t count)
{
    int fd = *(int *)ctx;
    size_t n = (size_t)count * OS_SECTOR;
    return pread(fd, buf, n, (off_t)(sector * OS_SECTOR)) == (ssize_t)n ? 0 : -1;
}

static int f_write(void *ctx, uint64_t sector, const void *buf, uint32_t count)
{
    int fd = *(int *)ctx;
    size_t n = (size_t)count * OS_SECTOR;
    return pwrite(fd, buf, n, (off_t)(sector * OS_SECTOR)) == (ssize_t)n ? 0 : -1;
}

static int f_flush(void *ctx)
{
    return fsync(*(int *)ctx) ? -1 : 0;
}

static int fd = -1;
static struct os_bio bio = {&fd, 0, f_read, f_write, f_flush};

/* Locks the open disk for reading or writing (disk_lock.c): an appliance
 * running on it, or another anx store writing it, makes the command refuse
 * rather than interleave its writes with theirs. */
static int lock_disk(const char *path, bool rw)
{
    char why[512];
    int r = disk_lock(fd, rw ? DISK_WRITE : DISK_READ, why, sizeof why);
    if (r == 1)
        return die("%s: %s; stop it first (power the appliance off or end its anx run), then try again", path,
                   why);
    if (r < 0)
        return die("%s: %s", path, why);
    return 0;
}

static int open_disk(const char *path, bool rw)
{
    fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return die("%s: %s", path, strerror(errno));
    if (lock_disk(path, rw))
        return 1;
    struct stat st;
    if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)))
        return die("%s: %s", path, "not a regular file or block device");
    off_t size = S_ISBLK(st.st_mode) ? lseek(fd, 0, SEEK_END) : st.st_size;
    bio.sectors = (uint64_t)size / OS_SECTOR;
    return 0;
}

static int open_store(struct os_store *s, const char *path, bool rw)
{
    if (open_disk(path, rw))
        return 1;
    if (os_store_open(s, &bio, !rw))
        return die("%s: %s", path, s->err);
    return 0;
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    }
    if (*end == 'i' || *end == 'B')
        end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
    if (*end || v > (~0ull >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* ---- commands ----------------------------------------------------------------------- */

static int cmd_create(int argc, char **argv)
{
    uint64_t size = 64ull << 20;
    bool force = false;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            if (parse_size(argv[++i], &size))
                return fprintf(stderr, "%s: --size: '%s' is not a size (e.g. 64M)\n", prog, argv[i]), 2;
        } else if (!strcmp(argv[i], "--force")) {
            force = true;
        } else if (!path && argv[i][0] != '-') {
            path = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    if (size < OS_MIN_SECTORS * OS_SECTOR || size % OS_SECTOR)
        return fprintf(stderr, "%s: --size: a store needs at least %u KiB, in whole 512-byte sectors\n",
                       prog, OS_MIN_SECTORS * OS_SECTOR / 1024), 2;
    int flags = O_RDWR | O_CREAT | O_CLOEXEC | (force ? 0 : O_EXCL);
    fd = open(path, flags, 0644);
    if (fd < 0)
        return die(errno == EEXIST ? "%s: exists (use --force to overwrite it)" : "%s: %s", path,
                   strerror(errno));
    /* --force on a disk in use must not truncate it under its user. */
    if (lock_disk(path, true))
        return 1;
    if (ftruncate(fd, 0) || ftruncate(fd, (off_t)size))
        return die("%s: %s", path, strerror(errno));
    bio.sectors = size / OS_SECTOR;
    uint8_t uuid[16];
    int r = open("/dev/urandom", O_RDONLY);
    if (r < 0 || read(r, uuid, 16) != 16)
        return die("%s: %s", "/dev/urandom", strerror(errno));
    close(r);
    char err[200];
    if (os_store_format(&bio, uuid, err, sizeof(err)))
        return die("%s: %s", path, err);
    printf("%s: new store, %llu MiB\n", path, (unsigned long long)(size >> 20));
    return 0;
}

static const char *type_of(const struct os_version *v)
{
    const char *t = os_meta_get(v, "type");
    return t ? t : "-";
}

static int cmd_ls(struct os_store *s, const char *prefix)
{
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < s->ix.nnames; i++) {
        struct os_name *nm = &s->ix.names[i];
        if (strncmp(nm->name, prefix, pl))
            continue;
        struct os_version *v = &nm->v[nm->nver - 1];
        char hex[65];
        anx_sha256_hex(v->id, hex);
        printf("%-32s v%-3u %10llu  %.12s  %s\n", nm->name, v->no, (unsigned long long)v->size, hex,
               type_of(v));
    }
    return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return die("%s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    uint8_t *p = malloc(cap);
    for (;;) {
        if (n == cap)
            p = realloc(p, cap *= 2);
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (!got)
            break;
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(p);
        return die("%s: %s", path, "read error");
    }
    *data = p;
    *len = n;
    return 0;
}

static int cmd_put(struct os_store *s, const char *disk, int argc, char **argv)
{
    const char *type = NULL, *writer = "anx-store", *name = NULL, *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--type") && i + 1 < argc)
            type = argv[++i];
        else if (!strcmp(argv[i], "--writer") && i + 1 < argc)
            writer = argv[++i];
        else if (!name)
            name = argv[i];
        else if (!file)
            file = argv[i];
        else
            return usage(stderr), 2;
    }
    if (!name || !file)
        return usage(stderr), 2;
    if (!os_name_valid(name))
        return die("'%s': %s", name, "not a valid name (segments of A-Z a-z 0-9 . _ - joined by '/')");
    struct os_meta meta = {"type", ""};
    if (!type)
        type = anx_content_type(name, false);
    if (strlen(type) > OS_VAL_MAX)
        return die("--type: %s%s", "too long", "");
    strlcpy(meta.value, type, sizeof(meta.value));
    struct os_put_opts o = {.writer = writer, .meta = &meta, .nmeta = 1};
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_file(file, &data, &len))
        return 1;
    struct os_version v;
    int rc = os_store_put(s, name, data, len, &o, &v);
    free(data);
    if (rc)
        return die("%s: put failed: %s", disk, anx_strerror(rc));
    char hex[65];
    anx_sha256_hex(v.id, hex);
    printf("%s v%u %s %s\n", name, v.no, hex, type);
    return 0;
}

static int cmd_get(struct os_store *s, const char *disk, int argc, char **argv)
{
    const char *what = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!what)
            what = argv[i];
        else
            return usage(stderr), 2;
    }
    if (!what)
        return usage(stderr), 2;
    uint8_t id[32];
    char name[OS_NAME_MAX + 1];
    bool found = false;
    if (os_id_parse(what, id) == 0 && os_index_obj(&s->ix, id)) {
        found = true;
    } else {
        const char *at = strchr(what, '@');
        size_t nl = at ? (size_t)(at - what) : strlen(what);
        if (nl > OS_NAME_MAX)
            return die("'%s': %s", what, "no such name or object");
        memcpy(name, what, nl);
        name[nl] = 0;
        unsigned long no = 0;
        if (at) {
            char *end;
            no = strtoul(at[1] == 'v' ? at + 2 : at + 1, &end, 10);
            if (*end || !no)
                return die("'%s': %s", what, "bad version (NAME@V, V from 1)");
        }
        struct os_name *nm = os_index_name(&s->ix, name);
        for (uint32_t i = 0; nm && i < nm->nver; i++)
            if (no ? nm->v[i].no == no : i == nm->nver - 1) {
                memcpy(id, nm->v[i].id, 32);
                found = true;
            }
    }
    if (!found)
        return die("'%s': %s", what, "no such name, version or object");
    void *data;
    size_t len;
    int rc = os_store_read(s, id, &data, &len);
    if (rc)
        return die("%s: read failed: %s", disk, anx_strerror(rc));
    FILE *f = out ? fopen(out, "wb") : stdout;
    if (!f) {
        free(data);
        return die("%s: %s", out, strerror(errno));
    }
    size_t w = fwrite(data, 1, len, f);
    free(data);
    if ((out ? fclose(f) : fflush(f)) || w != len)
        return die("%s: %s", out ? out : "stdout", "write error");
    return 0;
}

static int cmd_log(struct os_store *s, const char *name)
{
    struct os_name *nm = os_index_name(&s->ix, name);
    if (!nm)
        return die("'%s': %s", name, "no such name");
    for (uint32_t i = 0; i < nm->nver; i++) {
        struct os_version *v = &nm->v[i];
        char hex[65], man[65], parents[64] = "-";
        anx_sha256_hex(v->id, hex);
        anx_sha256_hex(v->manifest, man);
        size_t n = 0;
        for (int k = 0; k < v->nparents; k++)
            n += (size_t)snprintf(parents + n, sizeof(parents) - n, "%sv%u", k ? "," : "", v->parents[k]);
        printf("v%u %s size %llu time %llu.%09llu writer %s parents %s type %s manifest %.12s\n", v->no,
               hex, (unsigned long long)v->size, (unsigned long long)(v->time_ns / 1000000000ull),
               (unsigned long long)(v->time_ns % 1000000000ull), v->writer, parents, type_of(v), man);
        for (int k = 0; k < v->nmeta; k++)
            if (strcmp(v->meta[k].key, "type"))
                printf("   %s=%s\n", v->meta[k].key, v->meta[k].value);
    }
    return 0;
}

static void report(void *arg, const char *msg)
{
    printf("%s: %s\n", (const char *)arg, msg);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1], *disk = argv[2];
    if (!strcmp(cmd, "create"))
        return cmd_create(argc - 2, argv + 2);
    static const char *const ro[] = {"ls", "get", "log", "df", "check"};
    static const char *const rw[] = {"put", "rm", "gc"};
    bool is_ro = false, is_rw = false;
    for (size_t i = 0; i < 5; i++)
        is_ro |= !strcmp(cmd, ro[i]);
    for (size_t i = 0; i < 3; i++)
        is_rw |= !strcmp(cmd, rw[i]);
    if (!is_ro && !is_rw) {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
        usage(stderr);
        return 2;
    }
    int nargs = argc - 3;
    char **args = argv + 3;
    if ((!strcmp(cmd, "ls") && nargs > 1) || ((!strcmp(cmd, "log") || !strcmp(cmd, "rm")) && nargs != 1) ||
        ((!strcmp(cmd, "gc") || !strcmp(cmd, "df") || !strcmp(cmd, "check")) && nargs != 0)) {
        usage(stderr);
        return 2;
    }
    struct os_store s;
    if (open_store(&s, disk, is_rw))
        return 1;
    int rc = 0;
    if (!strcmp(cmd, "ls")) {
        rc = cmd_ls(&s, nargs ? args[0] : "");
    } else if (!strcmp(cmd, "put")) {
        rc = cmd_put(&s, disk, nargs, args);
    } else if (!strcmp(cmd, "get")) {
        rc = cmd_get(&s, disk, nargs, args);
    } else if (!strcmp(cmd, "log")) {
        rc = cmd_log(&s, args[0]);
    } else if (!strcmp(cmd, "rm")) {
        int r = os_store_delete(&s, args[0]);
        if (r)
            rc = die("'%s': %s", args[0], anx_strerror(r));
    } else if (!strcmp(cmd, "gc")) {
        uint32_t n;
        uint64_t b;
        int r = os_store_gc(&s, &n, &b);
        if (r)
            rc = die("%s: gc failed: %s", disk, anx_strerror(r));
        else
            printf("gc: freed %u objects, %llu bytes\n", n, (unsigned long long)b);
    } else if (!strcmp(cmd, "df")) {
        struct os_df d;
        os_store_df(&s, &d);
        printf("%llu of %llu KiB used, %llu names, %llu versions, %llu objects (%llu unreferenced)\n"
               "journal %llu/%llu KiB, index %llu/%llu KiB\n",
               (unsigned long long)(d.used_bytes >> 10), (unsigned long long)(d.data_bytes >> 10),
               (unsigned long long)d.names, (unsigned long long)d.versions, (unsigned long long)d.objects,
               (unsigned long long)d.unreferenced, (unsigned long long)(d.journal_used >> 10),
               (unsigned long long)(d.journal_bytes >> 10), (unsigned long long)(d.index_bytes >> 10),
               (unsigned long long)(d.index_max >> 10));
    } else if (!strcmp(cmd, "check")) {
        int p = os_store_check(&s, report, (void *)disk);
        if (p < 0)
            rc = die("%s: check failed: %s", disk, anx_strerror(p));
        else if (p)
            rc = die("%s: check FAILED (%s problems)", disk, p == 1 ? "1" : "several");
        else
            printf("%s: clean (%llu objects, %llu names%s)\n", disk, (unsigned long long)s.ix.nobjs,
                   (unsigned long long)s.ix.nnames, s.replayed ? ", journal replayed" : "");
    }
    os_store_close(&s);
    close(fd);
    return rc;
}
