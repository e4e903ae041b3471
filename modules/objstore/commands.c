/* commands.c - the `store` shell command: ls, cat, put, log, rm, gc, df,
 * check. (The shell already has `ls`-free but `cat` and `log` taken, so
 * everything lives under one command.) */
#include <anx/command.h>
#include <anx/console.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/time.h>
#include "objstore.h"

/* The store command runs as the objstore module (its grants: module.yaml
 * objects:); an operator's SSH key scopes limit who may run it. */
#define SELF "objstore"

static const char *type_of(const struct objstore_version *v)
{
    for (int i = 0; i < v->nmeta; i++)
        if (!strcmp(v->key[i], "type"))
            return v->value[i];
    return "-";
}

static int ls_line(const struct objstore_version *v, void *arg)
{
    (void)arg;
    anx_printf("%-32s v%-3u %10llu  %.12s  %s%s\n", v->name, (unsigned)v->no,
               (unsigned long long)v->size, v->id, type_of(v), v->base ? "  (base)" : "");
    return 0;
}

static int log_line(const struct objstore_version *v, void *arg)
{
    (void)arg;
    char parents[48] = "-";
    size_t n = 0;
    for (int i = 0; i < v->nparents; i++)
        n += (size_t)snprintf(parents + n, sizeof(parents) - n, "%sv%u", i ? "," : "", (unsigned)v->parents[i]);
    anx_printf("v%u %s size %llu time %llu.%09llu writer %s parents %s type %s manifest %.12s\n",
               (unsigned)v->no, v->id, (unsigned long long)v->size,
               (unsigned long long)(v->time_ns / 1000000000ull),
               (unsigned long long)(v->time_ns % 1000000000ull), v->writer, parents, type_of(v),
               v->manifest);
    for (int i = 0; i < v->nmeta; i++)
        if (strcmp(v->key[i], "type"))
            anx_printf("   %s=%s\n", v->key[i], v->value[i]);
    return 0;
}

static void report(const char *msg)
{
    anx_printf("check: %s\n", msg);
}

/* NAME, NAME@V or an object id */
static int cat(const char *arg)
{
    void *data;
    size_t len;
    int rc;
    char name[201];
    const char *at = strchr(arg, '@');
    if (strlen(arg) == 64 && !strchr(arg, '/') && !at && os_get(SELF, arg, &data, &len) == 0) {
        rc = 0;
    } else if (at) {
        size_t nl = (size_t)(at - arg);
        if (nl >= sizeof(name))
            return ANX_EINVAL;
        memcpy(name, arg, nl);
        name[nl] = 0;
        const char *vs = at[1] == 'v' ? at + 2 : at + 1;
        rc = os_read(SELF, name, (uint32_t)strtoul(vs, NULL, 10), &data, &len, NULL);
        if (!rc && !strtoul(vs, NULL, 10))
            rc = ANX_EINVAL;
    } else {
        rc = os_read(SELF, arg, 0, &data, &len, NULL);
    }
    if (rc)
        return rc;
    anx_console_write(data, len);
    if (len && ((const char *)data)[len - 1] != '\n')
        anx_console_write("\n", 1);
    anx_free(data);
    return 0;
}

/* store bench N SIZE: N writes of SIZE bytes (distinct contents) as versions
 * of bench/SIZE, then every version read back; ops/s, MiB/s and latency
 * percentiles measured in the guest (tests/bench/store); then the name is
 * removed and gc frees its objects. */
static void bench_report(const char *what, uint64_t *lat, uint32_t n, uint64_t total_ns, size_t size)
{
    for (uint32_t i = 1; i < n; i++)          /* insertion sort: n is small */
        for (uint32_t k = i; k > 0 && lat[k - 1] > lat[k]; k--) {
            uint64_t t = lat[k];
            lat[k] = lat[k - 1];
            lat[k - 1] = t;
        }
    uint64_t ops_milli = total_ns ? (uint64_t)n * 1000ull * ANX_NS_PER_S / total_ns : 0;
    uint64_t kib_s = total_ns ? (uint64_t)n * size * ANX_NS_PER_S / total_ns / 1024 : 0;
    anx_printf("bench %s %llu x %u: %llu.%03llu ops/s, %llu.%03llu MiB/s, p50 %llu us, p99 %llu us\n", what,
               (unsigned long long)size, (unsigned)n, (unsigned long long)(ops_milli / 1000),
               (unsigned long long)(ops_milli % 1000), (unsigned long long)(kib_s / 1024),
               (unsigned long long)((kib_s % 1024) * 1000 / 1024),
               (unsigned long long)(lat[n / 2] / 1000), (unsigned long long)(lat[(n * 99) / 100] / 1000));
}

static int bench(uint32_t n, size_t size)
{
    char name[32];
    snprintf(name, sizeof(name), "bench/%llu", (unsigned long long)size);
    uint8_t *buf = anx_malloc(size < 16 ? 16 : size);
    uint64_t *lat = anx_malloc(n * sizeof(uint64_t));
    if (!buf || !lat) {
        anx_free(buf);
        anx_free(lat);
        return ANX_ENOMEM;
    }
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    uint64_t salt = anx_time_ns();
    struct objstore_write_opts o = {.writer = "bench", .type = "application/octet-stream"};
    int rc = 0;
    uint32_t first = 0;
    uint64_t t0 = anx_time_ns();
    for (uint32_t i = 0; i < n && !rc; i++) {
        uint64_t tag[2] = {salt, i};
        memcpy(buf, tag, size < 16 ? size : 16);
        struct objstore_version v;
        uint64_t s = anx_time_ns();
        rc = os_write(SELF, name, buf, size, &o, &v);
        lat[i] = anx_time_ns() - s;
        if (!i)
            first = v.no;
    }
    if (!rc)
        bench_report("put", lat, n, anx_time_ns() - t0, size);
    t0 = anx_time_ns();
    for (uint32_t i = 0; i < n && !rc; i++) {
        void *d;
        size_t len;
        struct objstore_version v;
        uint64_t s = anx_time_ns();
        rc = os_read(SELF, name, first + i, &d, &len, &v);
        lat[i] = anx_time_ns() - s;
        if (!rc)
            anx_free(d);
    }
    if (!rc)
        bench_report("get", lat, n, anx_time_ns() - t0, size);
    os_delete(SELF, name);
    uint32_t nobj;
    uint64_t bytes;
    os_gc(&nobj, &bytes);
    anx_free(buf);
    anx_free(lat);
    return rc;
}

static int cmd_store(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    int rc = 0;
    if (!strcmp(sub, "ls") && argc <= 3) {
        rc = os_list(SELF, argc > 2 ? argv[2] : "", ls_line, NULL);
    } else if (!strcmp(sub, "cat") && argc == 3) {
        rc = cat(argv[2]);
    } else if (!strcmp(sub, "put") && argc >= 4) {
        /* the words after NAME, joined by single spaces */
        size_t len = 0;
        for (int i = 3; i < argc; i++)
            len += strlen(argv[i]) + 1;
        char *text = anx_malloc(len + 1);
        if (!text)
            return 1;
        size_t at = 0;
        for (int i = 3; i < argc; i++) {
            if (i > 3)
                text[at++] = ' ';
            size_t n = strlen(argv[i]);
            memcpy(text + at, argv[i], n);
            at += n;
        }
        text[at] = 0;
        struct objstore_write_opts o = {.writer = "shell", .type = "text/plain"};
        struct objstore_version v;
        rc = os_write(SELF, argv[2], text, strlen(text), &o, &v);
        anx_free(text);
        if (!rc)
            anx_printf("%s v%u %s\n", v.name, (unsigned)v.no, v.id);
    } else if (!strcmp(sub, "log") && argc == 3) {
        rc = os_versions(SELF, argv[2], log_line, NULL);
    } else if (!strcmp(sub, "rm") && argc == 3) {
        rc = os_delete(SELF, argv[2]);
        if (!rc)
            anx_printf("removed %s\n", argv[2]);
    } else if (!strcmp(sub, "gc") && argc == 2) {
        uint32_t n;
        uint64_t b;
        rc = os_gc(&n, &b);
        if (!rc)
            anx_printf("gc: freed %u objects, %llu bytes\n", (unsigned)n, (unsigned long long)b);
    } else if (!strcmp(sub, "df") && argc == 2) {
        struct objstore_df d;
        os_df(&d);
        anx_printf("backend %s: %llu of %llu KiB used (quota %llu KiB), %llu names, %llu versions, "
                   "%llu objects (%llu unreferenced)\n",
                   d.backend, (unsigned long long)(d.used >> 10), (unsigned long long)(d.capacity >> 10),
                   (unsigned long long)(d.quota >> 10), (unsigned long long)d.names,
                   (unsigned long long)d.versions, (unsigned long long)d.objects,
                   (unsigned long long)d.unreferenced);
        anx_printf("journal %llu/%llu KiB, index %llu/%llu KiB, base layer %llu files, %llu KiB\n",
                   (unsigned long long)(d.journal_used >> 10), (unsigned long long)(d.journal_size >> 10),
                   (unsigned long long)(d.index_bytes >> 10), (unsigned long long)(d.index_max >> 10),
                   (unsigned long long)d.base_files, (unsigned long long)(d.base_bytes >> 10));
    } else if (!strcmp(sub, "bench") && argc == 4 && atoi(argv[2]) > 0 && atoi(argv[3]) >= 0) {
        rc = bench((uint32_t)atoi(argv[2]), (size_t)atoi(argv[3]));
    } else if (!strcmp(sub, "check") && argc == 2) {
        rc = os_check(report);
        if (rc >= 0) {
            anx_printf("check: %s (%d problems)\n", rc ? "FAILED" : "clean", rc);
            return rc ? 1 : 0;
        }
    } else {
        anx_printf("usage: store ls [PREFIX] | cat NAME[@V]|ID | put NAME TEXT | log NAME | rm NAME | gc | df | check | bench N SIZE\n");
        return 2;
    }
    if (rc < 0) {
        anx_printf("store %s: %s\n", sub, anx_strerror(rc));
        return 1;
    }
    return 0;
}

static struct anx_command store_cmd = {
    .name = "store",
    .scope = "objects",
    .summary = "Object store: ls, cat, put, log, rm, gc, df, check, bench",
    .usage = "store ls [PREFIX] | cat NAME[@V]|ID | put NAME TEXT | log NAME | rm NAME | gc | df | check | bench N SIZE",
    .fn = cmd_store,
};

void os_commands_init(void)
{
    anx_command_register(&store_cmd);
}
