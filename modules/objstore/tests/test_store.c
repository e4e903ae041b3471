/*
 * Host tests of the object store's shared code (format, journal,
 * checkpoint, index, store): API semantics, a crash at every write and
 * flush of a scripted workload, and damaged or foreign disks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store.h"
#include "memdisk.h"

static int pass, fail, cur_fail;
static const char *cur_test;
#define CHECK(c) do { if (!(c)) { if (!cur_fail) printf("FAIL %s\n", cur_test); \
    printf("  %s:%d: %s\n", __FILE__, __LINE__, #c); cur_fail++; } } while (0)
#define RUN(fn) do { cur_test = #fn; cur_fail = 0; fn(); \
    if (cur_fail) fail++; else { pass++; printf("ok   %s\n", #fn); } } while (0)

#define SMALL 1024       /* sectors: the smallest store, 128-sector journal */

static const uint8_t uuid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void fresh(struct memdisk *d, uint64_t sectors)
{
    char err[200];
    md_init(d, sectors, NULL);
    int rc = os_store_format(&d->bio, uuid, err, sizeof(err));
    if (rc)
        printf("  format: %s\n", err);
}

/* content of (name index k, version v): deterministic, varied sizes */
static size_t gen_content(int k, int v, uint8_t *buf)
{
    static const size_t sizes[] = {0, 1, 100, 511, 512, 513, 1500, 4096, 9000};
    size_t n = sizes[(k * 7 + v) % 9];
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(k * 31 + v * 17 + i * 13 + (i >> 8));
    return n;
}

static int read_name(struct os_store *s, const char *name, uint32_t no, void **d, size_t *n)
{
    struct os_name *nm = os_index_name(&s->ix, name);
    if (!nm)
        return ANX_ENOENT;
    for (uint32_t i = 0; i < nm->nver; i++)
        if (nm->v[i].no == no)
            return os_store_read(s, nm->v[i].id, d, n);
    return ANX_ENOENT;
}

static void noreport(void *a, const char *m) { (void)a; printf("  check: %s\n", m); }
static void quiet(void *a, const char *m) { (void)a; (void)m; }

/* ---- API semantics -------------------------------------------------------------- */

static void test_format_open_empty(void)
{
    struct memdisk d;
    struct os_store s;
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    CHECK(s.ix.nobjs == 0 && s.ix.nnames == 0);
    CHECK(os_store_check(&s, noreport, NULL) == 0);
    os_store_close(&s);
    md_free(&d);
}

static void test_put_get(void)
{
    struct memdisk d;
    struct os_store s;
    uint8_t buf[20000];
    fresh(&d, 4096);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    size_t sizes[] = {0, 1, 511, 512, 513, 4096, 20000};
    for (int i = 0; i < 7; i++) {
        char name[32];
        snprintf(name, sizeof(name), "t/obj%d", i);
        for (size_t k = 0; k < sizes[i]; k++)
            buf[k] = (uint8_t)(k * 7 + i);
        struct os_version v;
        CHECK(os_store_put(&s, name, buf, sizes[i], NULL, &v) == 0);
        CHECK(v.no == 1 && v.size == sizes[i] && v.nparents == 0);
        uint8_t id[32];
        anx_sha256(buf, sizes[i], id);
        CHECK(!memcmp(id, v.id, 32));
        void *out;
        size_t n;
        CHECK(os_store_read(&s, v.id, &out, &n) == 0);
        CHECK(n == sizes[i] && !memcmp(out, buf, n));
        free(out);
    }
    uint8_t missing[32] = {0};
    void *out;
    size_t n;
    CHECK(os_store_read(&s, missing, &out, &n) == ANX_ENOENT);
    /* survives a reopen */
    os_store_close(&s);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    CHECK(s.ix.nnames == 7);
    CHECK(read_name(&s, "t/obj6", 1, &out, &n) == 0 && n == 20000);
    free(out);
    os_store_close(&s);
    md_free(&d);
}

static void test_dedupe_and_refs(void)
{
    struct memdisk d;
    struct os_store s;
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    struct os_version a, b;
    CHECK(os_store_put(&s, "a", "same", 4, NULL, &a) == 0);
    CHECK(os_store_put(&s, "b", "same", 4, NULL, &b) == 0);
    CHECK(!memcmp(a.id, b.id, 32));
    CHECK(s.ix.nobjs == 1 && os_index_obj(&s.ix, a.id)->refs == 2);
    CHECK(os_store_delete(&s, "a") == 0);
    CHECK(os_index_obj(&s.ix, a.id)->refs == 1);
    CHECK(os_store_delete(&s, "a") == ANX_ENOENT);
    os_store_close(&s);
    md_free(&d);
}

static void test_versions_provenance(void)
{
    struct memdisk d;
    struct os_store s;
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    uint8_t man[32];
    memset(man, 0xab, 32);
    struct os_meta meta[2] = {{"type", "text/plain"}, {"shape", "2x3"}};
    struct os_put_opts o = {.writer = "infer", .manifest = man, .meta = meta, .nmeta = 2};
    struct os_version v;
    CHECK(os_store_put(&s, "models/tiny", "one", 3, &o, &v) == 0 && v.no == 1);
    CHECK(os_store_put(&s, "models/tiny", "two", 3, &o, &v) == 0 && v.no == 2);
    CHECK(v.nparents == 1 && v.parents[0] == 1);
    uint32_t parents[2] = {1, 2};
    struct os_put_opts merge = {.writer = "merge", .parents = parents, .nparents = 2};
    CHECK(os_store_put(&s, "models/tiny", "three", 5, &merge, &v) == 0 && v.no == 3 && v.nparents == 2);
    uint32_t bad[1] = {4};
    struct os_put_opts badp = {.parents = bad, .nparents = 1};
    CHECK(os_store_put(&s, "models/tiny", "x", 1, &badp, NULL) == ANX_EINVAL);   /* future parent */
    os_store_close(&s);
    CHECK(os_store_open(&s, &d.bio, true) == 0);
    struct os_name *nm = os_index_name(&s.ix, "models/tiny");
    CHECK(nm && nm->nver == 3);
    if (nm) {
        CHECK(!strcmp(nm->v[0].writer, "infer") && !memcmp(nm->v[0].manifest, man, 32));
        CHECK(!strcmp(os_meta_get(&nm->v[1], "type"), "text/plain"));
        CHECK(!strcmp(os_meta_get(&nm->v[1], "shape"), "2x3"));
        CHECK(nm->v[2].nparents == 2 && nm->v[2].parents[1] == 2);
        CHECK(nm->v[0].time_ns > 0 && nm->v[2].time_ns >= nm->v[0].time_ns);
    }
    os_store_close(&s);
    md_free(&d);
}

static void test_name_validation(void)
{
    const char *good[] = {"a", "models/tiny", "a.b-c_d/E9", "x/y/z/..a"};
    const char *bad[] = {"", "/a", "a/", "a//b", "a/../b", ".", "..", "a b", "a\\b", "ä", "a/./b"};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        CHECK(os_name_valid(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        CHECK(!os_name_valid(bad[i]));
    char longn[OS_NAME_MAX + 2];
    memset(longn, 'a', sizeof(longn) - 1);
    longn[OS_NAME_MAX + 1] = 0;
    CHECK(!os_name_valid(longn));
    longn[OS_NAME_MAX] = 0;
    CHECK(os_name_valid(longn));
    struct memdisk d;
    struct os_store s;
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    CHECK(os_store_put(&s, "../etc", "x", 1, NULL, NULL) == ANX_EINVAL);
    struct os_meta m = {"", "v"};
    struct os_put_opts o = {.meta = &m, .nmeta = 1};
    CHECK(os_store_put(&s, "ok", "x", 1, &o, NULL) == ANX_EINVAL);
    CHECK(s.ix.nobjs == 0);
    os_store_close(&s);
    md_free(&d);
}

static void test_gc(void)
{
    struct memdisk d;
    struct os_store s;
    uint8_t buf[9000];
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    size_t n = gen_content(1, 1, buf);
    CHECK(os_store_put(&s, "keep", buf, n, NULL, NULL) == 0);
    CHECK(os_store_put(&s, "drop", "bye", 3, NULL, NULL) == 0);
    CHECK(os_store_put(&s, "drop", "bye2", 4, NULL, NULL) == 0);
    uint8_t loose[32];
    CHECK(os_store_put_object(&s, "loose", 5, loose) == 0);
    CHECK(os_store_delete(&s, "drop") == 0);
    uint32_t objs;
    uint64_t bytes;
    CHECK(os_store_gc(&s, &objs, &bytes) == 0);
    CHECK(objs == 3 && bytes == 12);
    CHECK(s.ix.nobjs == 1 && s.ix.used_bytes == n);
    os_store_close(&s);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    CHECK(s.ix.nobjs == 1 && s.ix.nnames == 1);
    CHECK(os_store_check(&s, noreport, NULL) == 0);
    os_store_close(&s);
    md_free(&d);
}

static void test_quota_and_full(void)
{
    struct memdisk d;
    struct os_store s;
    static uint8_t big[200000];
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    s.quota = 10000;
    CHECK(os_store_put(&s, "a", big, 9000, NULL, NULL) == 0);
    big[0] = 1;
    CHECK(os_store_put(&s, "b", big, 2000, NULL, NULL) == ANX_EDQUOT);
    s.quota = 0;
    int rc = 0, i;
    for (i = 0; i < 10 && !rc; i++) {
        big[1] = (uint8_t)i;
        rc = os_store_put(&s, "fill", big, sizeof(big), NULL, NULL);
    }
    CHECK(rc == ANX_EDQUOT || rc == ANX_ENOSPC);
    CHECK(!s.broken);
    CHECK(os_store_put(&s, "small", "x", 1, NULL, NULL) == 0);
    os_store_close(&s);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    CHECK(os_store_check(&s, noreport, NULL) == 0);
    os_store_close(&s);
    md_free(&d);
}

static void test_journal_wraps(void)
{
    struct memdisk d;
    struct os_store s;
    uint8_t buf[9000];
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    uint64_t gen0 = s.sb.generation;
    for (int i = 0; i < 400; i++) {
        char name[32];
        snprintf(name, sizeof(name), "n%d", i % 13);
        size_t n = gen_content(i % 13, i / 13, buf);
        if (n > 1500)
            n = 1500;
        CHECK(os_store_put(&s, name, buf, n, NULL, NULL) == 0);
        if (i % 50 == 49) {
            uint32_t o;
            uint64_t b;
            CHECK(os_store_delete(&s, name) == 0);
            CHECK(os_store_gc(&s, &o, &b) == 0);
        }
    }
    CHECK(s.sb.generation > gen0 + 3);   /* the journal filled up and checkpointed */
    os_store_close(&s);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    CHECK(os_store_check(&s, noreport, NULL) == 0);
    os_store_close(&s);
    md_free(&d);
}

static void test_readonly_writes_nothing(void)
{
    struct memdisk d;
    struct os_store s;
    fresh(&d, SMALL);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    CHECK(os_store_put(&s, "a", "1", 1, NULL, NULL) == 0);
    os_store_close(&s);
    uint64_t w = d.writes, f = d.flushes;
    CHECK(os_store_open(&s, &d.bio, true) == 0);
    CHECK(os_store_put(&s, "a", "2", 1, NULL, NULL) == ANX_EROFS);
    CHECK(os_index_name(&s.ix, "a") != NULL);
    CHECK(d.writes == w && d.flushes == f);
    os_store_close(&s);
    md_free(&d);
}

/* ---- foreign and damaged disks -------------------------------------------------------- */

static void test_foreign_disks(void)
{
    struct memdisk d;
    struct os_store s;
    md_init(&d, SMALL, NULL);
    CHECK(os_store_open(&s, &d.bio, true) == ANX_ECORRUPT);
    CHECK(strstr(s.err, "not an Anunix store") != NULL);
    for (uint64_t i = 0; i < d.sectors * OS_SECTOR; i++)
        d.img[i] = d.view[i] = (uint8_t)md_rand(&d);
    CHECK(os_store_open(&s, &d.bio, false) == ANX_ECORRUPT);
    md_free(&d);

    fresh(&d, 2048);
    d.bio.sectors = 1500;                   /* image truncated */
    CHECK(os_store_open(&s, &d.bio, false) == ANX_ECORRUPT);
    CHECK(strstr(s.err, "larger than the device") != NULL);
    d.bio.sectors = 2048;
    d.img[100] ^= 1;
    d.view[100] ^= 1;                       /* superblock A damaged, B empty */
    CHECK(os_store_open(&s, &d.bio, false) == ANX_ECORRUPT);
    CHECK(strstr(s.err, "checksum") != NULL);
    md_free(&d);

    md_init(&d, 100, NULL);
    char err[200];
    CHECK(os_store_format(&d.bio, uuid, err, sizeof(err)) == ANX_EINVAL);
    CHECK(strstr(err, "too small") != NULL);
    md_free(&d);
}

static uint8_t *populated(uint64_t sectors, int journal_only)
{
    struct memdisk d;
    struct os_store s;
    uint8_t buf[9000];
    fresh(&d, sectors);
    os_store_open(&s, &d.bio, false);
    for (int i = 0; i < 30; i++) {
        char name[32];
        snprintf(name, sizeof(name), "dir/n%d", i % 7);
        size_t n = gen_content(i % 7, i, buf);
        os_store_put(&s, name, buf, n, NULL, NULL);
        if (i == 15 && !journal_only)
            os_store_sync(&s);
    }
    os_store_delete(&s, "dir/n3");
    os_store_close(&s);
    uint8_t *img = malloc(sectors * OS_SECTOR);
    memcpy(img, d.img, sectors * OS_SECTOR);
    md_free(&d);
    return img;
}

/* Damage random bytes: open fails cleanly or works; reads never return
 * wrong content (hash-verified); nothing crashes (ASan/UBSan watch). */
static void test_random_corruption(void)
{
    uint8_t *base = populated(SMALL, 0);
    uint64_t rng = 12345;
    int refused = 0, opened = 0, bad_reads = 0;
    for (int t = 0; t < 600; t++) {
        struct memdisk d;
        struct os_store s;
        md_init(&d, SMALL, base);
        d.rng = rng + t;
        int flips = 1 + (int)(md_rand(&d) % 8);
        /* aim mostly at the metadata regions (the first ~400 sectors) */
        for (int k = 0; k < flips; k++) {
            uint64_t lim = (md_rand(&d) % 4) ? 400 * OS_SECTOR : SMALL * OS_SECTOR;
            uint64_t at = md_rand(&d) % lim;
            d.img[at] = d.view[at] = (uint8_t)md_rand(&d);
        }
        int rc = os_store_open(&s, &d.bio, t & 1);
        if (rc) {
            CHECK(s.err[0] != 0);
            refused++;
        } else {
            opened++;
            for (size_t i = 0; i < s.ix.nobjs; i++) {
                void *out;
                size_t n;
                int r = os_store_read(&s, s.ix.objs[i].id, &out, &n);
                CHECK(r == 0 || r == ANX_ECORRUPT);
                if (r == 0) {
                    uint8_t h[32];
                    anx_sha256(out, n, h);
                    CHECK(!memcmp(h, s.ix.objs[i].id, 32));
                    free(out);
                } else {
                    bad_reads++;
                }
            }
            os_store_check(&s, quiet, NULL);
            os_store_close(&s);
        }
        md_free(&d);
    }
    printf("  corruption: %d refused, %d opened, %d damaged objects detected\n", refused, opened, bad_reads);
    CHECK(refused > 0 && opened > 0);
    free(base);
}

/* ---- a crash at every write and flush ------------------------------------------------- */

enum { W_PUT, W_DEL, W_GC, W_OBJ, W_SYNC };
struct wop { int type, k; };
#define NAMES 6
#define WOPS 170

struct mver { uint32_t no; int op; };
struct model { int nver[NAMES]; struct mver v[NAMES][WOPS]; };

static struct wop script[WOPS];
static int nscript;

static void wname(int k, char *out) { snprintf(out, 32, "w/name%d", k); }

static size_t wcontent(int op, uint8_t *buf)
{
    size_t n = gen_content(op % 9, op, buf);
    buf[0 % (n ? n : 1)] ^= n ? (uint8_t)op : 0;       /* unique per op */
    if (n)
        buf[n - 1] = (uint8_t)(op >> 3);
    return n;
}

static void model_apply(struct model *m, int i)
{
    const struct wop *o = &script[i];
    if (o->type == W_PUT) {
        int n = m->nver[o->k];
        uint32_t no = n ? m->v[o->k][n - 1].no + 1 : 1;
        m->v[o->k][n] = (struct mver){no, i};
        m->nver[o->k]++;
    } else if (o->type == W_DEL) {
        m->nver[o->k] = 0;
    }
}

static void make_script(void)
{
    struct model m = {0};
    uint64_t r = 777;
    nscript = 0;
    for (int i = 0; i < WOPS; i++) {
        r ^= r << 13; r ^= r >> 7; r ^= r << 17;
        struct wop o = {W_PUT, (int)(r % NAMES)};
        int c = (int)((r >> 20) % 40);
        if (c == 0 && m.nver[o.k]) o.type = W_DEL;
        else if (c == 1) o.type = W_GC;
        else if (c == 2) o.type = W_OBJ;
        else if (c == 3) o.type = W_SYNC;
        script[nscript++] = o;
        model_apply(&m, i);
    }
}

/* Run the script until an operation fails; returns how many succeeded
 * (-1 if the open failed). */
static int run_script(struct memdisk *d)
{
    struct os_store s;
    uint8_t buf[9000];
    if (os_store_open(&s, &d->bio, false))
        return -1;
    int done = 0;
    for (int i = 0; i < nscript; i++) {
        char name[32];
        int rc = 0;
        wname(script[i].k, name);
        uint32_t o;
        uint64_t b;
        uint8_t id[32];
        switch (script[i].type) {
        case W_PUT: { size_t n = wcontent(i, buf); rc = os_store_put(&s, name, buf, n, NULL, NULL); break; }
        case W_DEL: rc = os_store_delete(&s, name); break;
        case W_GC: rc = os_store_gc(&s, &o, &b); break;
        case W_OBJ: { size_t n = wcontent(i, buf); buf[0] ^= 0x5a; rc = os_store_put_object(&s, buf, n, id); break; }
        case W_SYNC: rc = os_store_sync(&s); break;
        }
        if (rc)
            break;
        done++;
    }
    os_store_close(&s);
    return done;
}

/* The recovered store must hold exactly the acknowledged state, or that
 * state plus the operation in flight; every version's content intact. */
static int verify(struct os_store *s, int acked)
{
    struct model ma = {0}, mi = {0};
    for (int i = 0; i < acked; i++) {
        model_apply(&ma, i);
        model_apply(&mi, i);
    }
    if (acked >= 0 && acked < nscript)
        model_apply(&mi, acked);
    int bad = 0;
    uint8_t buf[9000];
    for (int k = 0; k < NAMES; k++) {
        char name[32];
        wname(k, name);
        struct os_name *nm = os_index_name(&s->ix, name);
        int have = nm ? (int)nm->nver : 0;
        const struct model *m = have == ma.nver[k] ? &ma : &mi;
        if (have != m->nver[k]) {
            printf("  %s: %d versions, expected %d or %d\n", name, have, ma.nver[k], mi.nver[k]);
            return 1;
        }
        for (int v = 0; v < have; v++) {
            if (nm->v[v].no != m->v[k][v].no) {
                printf("  %s: version %u, expected %u\n", name, nm->v[v].no, m->v[k][v].no);
                bad++;
                continue;
            }
            void *out;
            size_t n, en = wcontent(m->v[k][v].op, buf);
            int rc = os_store_read(s, nm->v[v].id, &out, &n);
            if (rc || n != en || memcmp(out, buf, n)) {
                printf("  %s v%u: content wrong (%s)\n", name, nm->v[v].no, anx_strerror(rc));
                bad++;
            }
            if (!rc)
                free(out);
        }
    }
    if (os_store_check(s, noreport, NULL))
        bad++;
    return bad;
}

static void crash_points(int double_crash)
{
    make_script();
    struct memdisk d;
    fresh(&d, SMALL);
    uint8_t *formatted = malloc(SMALL * OS_SECTOR);
    memcpy(formatted, d.img, SMALL * OS_SECTOR);
    d.ops = 0;
    CHECK(run_script(&d) == nscript);
    uint64_t total = d.ops;
    md_free(&d);
    int failures = 0, points = 0;
    for (uint64_t n = 1; n <= total && failures < 5; n++) {
        for (int seed = 0; seed < 2 - double_crash; seed++) {
            md_init(&d, SMALL, formatted);
            d.rng += n * 2654435761u + (uint64_t)seed * 97;
            d.crash_at = n;
            int acked = run_script(&d);
            struct memdisk r;
            md_init(&r, SMALL, d.img);
            if (double_crash) {
                /* crash again while recovering and writing on */
                struct memdisk r2;
                md_init(&r2, SMALL, d.img);
                r2.rng = d.rng ^ 0xdeadbeef;
                r2.crash_at = 1 + md_rand(&r2) % 12;
                struct os_store s2;
                if (!os_store_open(&s2, &r2.bio, false)) {
                    os_store_put(&s2, "w/other", "x", 1, NULL, NULL);
                    os_store_close(&s2);
                }
                md_free(&r);
                md_init(&r, SMALL, r2.img);
                md_free(&r2);
            }
            struct os_store s;
            points++;
            int rc = os_store_open(&s, &r.bio, false);
            if (rc) {
                printf("  crash at op %llu: reopen failed: %s\n", (unsigned long long)n, s.err);
                failures++;
            } else {
                if (verify(&s, acked < 0 ? 0 : acked)) {
                    printf("  crash at op %llu (seed %d, %d acknowledged)\n", (unsigned long long)n, seed, acked);
                    failures++;
                }
                /* and the store goes on working */
                if (os_store_put(&s, "after/crash", "ok", 2, NULL, NULL))
                    failures++;
                os_store_close(&s);
                if (os_store_open(&s, &r.bio, true) || !os_index_name(&s.ix, "after/crash"))
                    failures++;
                else
                    os_store_close(&s);
            }
            md_free(&r);
            md_free(&d);
        }
    }
    printf("  %d crash points over %llu operations (%d scripted ops)%s\n", points,
           (unsigned long long)total, nscript, double_crash ? ", crashing again in recovery" : "");
    CHECK(failures == 0);
    CHECK(total > 300);
    free(formatted);
}

/* ---- transient I/O errors --------------------------------------------------------- */

/* A failed write or flush is never acknowledged, and the store does not stay
 * broken: the next write reopens it from the disk and goes on. What the
 * disk holds durably (img, as after a power loss) is every acknowledged
 * version, byte for byte; a failed one is absent or has its own content. */
static void test_transient_errors(void)
{
    struct memdisk d;
    struct os_store s;
    uint8_t buf[9000];
    fresh(&d, 4096);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    s.quota = 3u << 20;
    enum { N = 40 };
    int acked[N] = {0}, failed = 0;
    for (int k = 0; k < N; k++) {
        /* every 5th put meets 1..3 failing writes or flushes */
        if (k % 5 == 2)
            d.fail_writes = (uint32_t)(1 + k % 3);
        if (k % 5 == 4)
            d.fail_flushes = (uint32_t)(1 + k % 3);
        char name[32];
        snprintf(name, sizeof(name), "t/%d", k);
        size_t n = gen_content(k, 1, buf);
        struct os_version v;
        int rc = os_store_put(&s, name, buf, n, NULL, &v);
        CHECK(rc == 0 || rc == ANX_EIO || rc == ANX_EBROKEN);
        acked[k] = rc == 0;
        failed += rc != 0;
        d.fail_writes = d.fail_flushes = 0;
    }
    CHECK(failed >= 8);             /* the faults did reach the store */
    CHECK(s.recoveries >= 8);
    CHECK(s.quota == 3u << 20);     /* recovery keeps the configuration */
    /* after the last fault the store works as ever */
    uint8_t last[100];
    memset(last, 7, sizeof(last));
    CHECK(os_store_put(&s, "t/last", last, sizeof(last), NULL, NULL) == 0);
    CHECK(!s.broken);
    /* an error while recovering keeps it broken, reads still served */
    CHECK(os_store_put(&s, "t/last", last, 1, NULL, NULL) == 0);
    d.fail_writes = 1;
    CHECK(os_store_put(&s, "t/fail", last, 10, NULL, NULL) == ANX_EIO);
    d.fail_writes = 1;              /* the recovery's checkpoint write */
    CHECK(os_store_put(&s, "t/fail", last, 10, NULL, NULL) == ANX_EBROKEN);
    void *out;
    size_t n;
    CHECK(read_name(&s, "t/last", 1, &out, &n) == 0 && n == sizeof(last));
    free(out);
    CHECK(os_store_put(&s, "t/fail", last, 10, NULL, NULL) == 0);
    os_store_close(&s);
    /* power loss: only what was flushed counts */
    memcpy(d.view, d.img, d.sectors * OS_SECTOR);
    memset(d.dirty, 0, d.sectors);
    CHECK(os_store_open(&s, &d.bio, false) == 0);
    for (int k = 0; k < N; k++) {
        char name[32];
        snprintf(name, sizeof(name), "t/%d", k);
        size_t want = gen_content(k, 1, buf);
        int rc = read_name(&s, name, 1, &out, &n);
        if (acked[k])
            CHECK(rc == 0);
        else
            CHECK(rc == 0 || rc == ANX_ENOENT);
        if (rc == 0) {
            CHECK(n == want && !memcmp(out, buf, n));
            free(out);
        }
    }
    CHECK(read_name(&s, "t/last", 2, &out, &n) == 0 && n == 1);
    free(out);
    CHECK(read_name(&s, "t/fail", 1, &out, &n) == 0 && n == 10);
    free(out);
    CHECK(os_store_check(&s, noreport, NULL) == 0);
    os_store_close(&s);
    md_free(&d);
}

static void test_crash_every_point(void) { crash_points(0); }
static void test_crash_during_recovery(void) { crash_points(1); }

int main(void)
{
    RUN(test_format_open_empty);
    RUN(test_put_get);
    RUN(test_dedupe_and_refs);
    RUN(test_versions_provenance);
    RUN(test_name_validation);
    RUN(test_gc);
    RUN(test_quota_and_full);
    RUN(test_journal_wraps);
    RUN(test_readonly_writes_nothing);
    RUN(test_foreign_disks);
    RUN(test_random_corruption);
    RUN(test_transient_errors);
    RUN(test_crash_every_point);
    RUN(test_crash_during_recovery);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
