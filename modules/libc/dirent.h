/*
 * <dirent.h>: list a folder of the image's files archive (dirent.c). The
 * archive is a sorted list of full paths, so a folder is a common prefix:
 * readdir gives each name under it once, in sorted order, files as DT_REG
 * and sub-folders as DT_DIR; no "." and "..". dirfd gives a descriptor of
 * the folder (closed by closedir). scandir/alphasort (scandir.c) list
 * through a filter into a sorted heap array (free each entry, then the
 * array). Missing: seekdir/telldir, versionsort.
 */
#ifndef LIBC_DIRENT_H
#define LIBC_DIRENT_H

#include "libc_defs.h"
#include "sys/types.h"

#define DT_UNKNOWN 0
#define DT_DIR 4
#define DT_REG 8

struct dirent {
    ino_t d_ino;
    unsigned char d_type;
    char d_name[256];
};

typedef struct libc_dir DIR;

DIR *opendir(const char *path) LIBC_SYM(opendir);
struct dirent *readdir(DIR *d) LIBC_SYM(readdir);
int closedir(DIR *d) LIBC_SYM(closedir);
void rewinddir(DIR *d) LIBC_SYM(rewinddir);
int dirfd(DIR *d) LIBC_SYM(dirfd);
int scandir(const char *path, struct dirent ***out, int (*filter)(const struct dirent *),
            int (*cmp)(const struct dirent **, const struct dirent **)) LIBC_SYM(scandir);
int alphasort(const struct dirent **a, const struct dirent **b) LIBC_SYM(alphasort);

#endif
