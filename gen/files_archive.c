/*
 * files.bin: the manifest's `files:` packed into one archive the core reads
 * in place (core/files.c). Little-endian, offsets from the archive start:
 *
 *   0   "ANXFILES"  8 bytes
 *   8   version 1   u32
 *   12  count       u32
 *   16  entries, 64 bytes each: path_off u32, path_len u32, data_off u64,
 *       size u64, sha256[32], reserved 8 (zero)
 *   ... the paths (no NUL), then the data, each data_off aligned to 16
 *
 * Entries are sorted by path (the manifest parser sorts them), so the bytes
 * depend only on the files' names and contents. A folder in `files:` is
 * listed here (files_list_folder) into one entry per file before that.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define HDR 16
#define ENTRY 64
#define MAX_FILE ((size_t)1 << 32)
#define MAX_FOLDER_DEPTH 32

int files_folder_limit = 65536;   /* per folder entry of files:, subfolders included */

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- folders: every file below, named relative to the folder ---------- */

struct walk {
    const char *shown;          /* the folder as the manifest writes it */
    const struct mark *mark;    /* its entry in the manifest */
    struct strlist *out;
    size_t entries;
    int errors;
};

static const char *kind_of(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a named pipe";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a regular file";
}

/* "'site/a/b' is ...": every message names the path as the user knows it. */
static void walk_error(struct walk *w, const char *rel, const char *what)
{
    diag_error(w->mark, "'%s/%s' %s", yshow(w->shown, strlen(w->shown)), yshow(rel, strlen(rel)), what);
    w->errors++;
}

/* One entry of a folder: a file is listed; a link to a file is listed and
 * embeds the target's content; everything else is an error, never a silent
 * skip, so the image holds exactly what the folder shows. */
static void walk_dir(struct walk *w, const char *abs, const char *rel, int depth);

static void walk_entry(struct walk *w, const char *abs, const char *rel, int depth)
{
    struct stat st, target;
    if (lstat(abs, &st)) {
        walk_error(w, rel, xasprintf("cannot be read: %s", strerror(errno)));
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(abs, &target))
            walk_error(w, rel, xasprintf("is a symbolic link to nothing (%s); remove it or fix its target",
                                         strerror(errno)));
        else if (S_ISDIR(target.st_mode))
            walk_error(w, rel, "is a symbolic link to a folder; links to folders are not followed: add the "
                               "folder as an entry of its own in 'files'");
        else if (S_ISREG(target.st_mode))
            strlist_push(w->out, rel);
        else
            walk_error(w, rel, xasprintf("is a symbolic link to %s; only regular files can be embedded",
                                         kind_of(target.st_mode)));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth >= MAX_FOLDER_DEPTH)
            walk_error(w, rel, xasprintf("is nested more than %d folders deep; embed it as an entry of its own",
                                         MAX_FOLDER_DEPTH));
        else
            walk_dir(w, abs, rel, depth + 1);
        return;
    }
    if (S_ISREG(st.st_mode))
        strlist_push(w->out, rel);
    else
        walk_error(w, rel, xasprintf("is %s; only regular files can be embedded: move it out of the folder",
                                     kind_of(st.st_mode)));
}

static void walk_dir(struct walk *w, const char *abs, const char *rel, int depth)
{
    DIR *d = opendir(abs);
    if (!d) {
        walk_error(w, rel, xasprintf("cannot be read: %s", strerror(errno)));
        return;
    }
    struct strlist names = {0};
    struct dirent *e;
    while ((e = readdir(d)) && names.n <= (size_t)files_folder_limit)   /* more is an error below */
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            strlist_push(&names, e->d_name);
    closedir(d);
    /* readdir's order is the file system's; sorting here makes the
     * messages repeatable (the manifest sorts the entries themselves). */
    strlist_sort(&names);
    for (size_t i = 0; i < names.n && w->entries <= (size_t)files_folder_limit; i++) {
        if (++w->entries > (size_t)files_folder_limit) {
            diag_error(w->mark, "folder '%s' holds more than %d files and folders; embed smaller folders",
                       yshow(w->shown, strlen(w->shown)), files_folder_limit);
            w->errors++;
            break;
        }
        char *sub = rel[0] ? xasprintf("%s/%s", rel, names.v[i]) : names.v[i];
        walk_entry(w, path_join(abs, names.v[i]), sub, depth);
    }
}

int files_list_folder(const char *dir, const char *shown, const struct mark *mk, struct strlist *out)
{
    struct walk w = {.shown = shown, .mark = mk, .out = out};
    walk_dir(&w, dir, "", 0);
    return w.errors;
}

int files_archive_build(const struct manifest *m, struct buf *out)
{
    size_t n = m->nfiles;
    /* The image looks paths up by bisection: they must be sorted, once each. */
    for (size_t i = 1; i < n; i++)
        if (strcmp(m->files[i - 1].image_path, m->files[i].image_path) >= 0) {
            diag_error(&m->files[i].mark, "files archive: image path '%s' is out of order or repeated",
                       m->files[i].image_path);
            return -1;
        }
    char **data = xcalloc(n + 1, sizeof *data);
    size_t *len = xcalloc(n + 1, sizeof *len);
    for (size_t i = 0; i < n; i++) {
        int e = read_file(m->files[i].abs_path, &data[i], &len[i], MAX_FILE);
        if (e) {
            diag_error(&m->files[i].mark, "cannot read '%s': %s", m->files[i].host_path, strerror(-e));
            return -1;
        }
    }
    size_t head = HDR + ENTRY * n, paths = 0;
    for (size_t i = 0; i < n; i++)
        paths += strlen(m->files[i].image_path);
    size_t off = head + paths, total = off;
    uint64_t *data_off = xcalloc(n + 1, sizeof *data_off);
    for (size_t i = 0; i < n; i++) {
        total = (total + 15) & ~(size_t)15;
        data_off[i] = total;
        total += len[i];
    }
    uint8_t *a = xcalloc(total ? total : 1, 1);
    memcpy(a, "ANXFILES", 8);
    put_le(a + 8, 1, 4);
    put_le(a + 12, (uint32_t)n, 4);
    size_t poff = head;
    for (size_t i = 0; i < n; i++) {
        uint8_t *e = a + HDR + ENTRY * i;
        size_t pl = strlen(m->files[i].image_path);
        put_le(e, (uint32_t)poff, 4);
        put_le(e + 4, (uint32_t)pl, 4);
        put_le(e + 8, data_off[i], 8);
        put_le(e + 16, len[i], 8);
        struct anx_sha256 s;
        anx_sha256_init(&s);
        anx_sha256_update(&s, data[i], len[i]);
        anx_sha256_final(&s, e + 24);
        memcpy(a + poff, m->files[i].image_path, pl);
        poff += pl;
        memcpy(a + data_off[i], data[i], len[i]);
    }
    out->n = 0;
    buf_add(out, a, total);
    return 0;
}

int files_archive_check(const uint8_t *a, size_t len)
{
    if (len < HDR || memcmp(a, "ANXFILES", 8) || get32(a + 8) != 1)
        return -1;
    uint64_t n = get32(a + 12);
    if (n > (len - HDR) / ENTRY)
        return -1;
    const char *prev = NULL;
    uint32_t prevlen = 0;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *e = a + HDR + ENTRY * i;
        uint64_t po = get32(e), pl = get32(e + 4), doff = get64(e + 8), size = get64(e + 16);
        if (po > len || pl > len - po || doff > len || size > len - doff || doff % 16)
            return -1;
        for (int k = 56; k < 64; k++)
            if (e[k])
                return -1;
        uint8_t d[32];
        struct anx_sha256 s;
        anx_sha256_init(&s);
        anx_sha256_update(&s, a + doff, size);
        anx_sha256_final(&s, d);
        if (memcmp(d, e + 24, 32))
            return -1;
        const char *p = (const char *)a + po;
        if (prev) {
            uint32_t l = prevlen < pl ? prevlen : (uint32_t)pl;
            int c = memcmp(prev, p, l);
            if (c > 0 || (c == 0 && prevlen >= pl))
                return -1;   /* not strictly sorted */
        }
        prev = p;
        prevlen = (uint32_t)pl;
    }
    return (int)n;
}
