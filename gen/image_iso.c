/*
 * The ISO image: grub-mkrescue (GRUB + xorriso) makes a hybrid BIOS+UEFI
 * CD/USB image holding /boot/anunix.elf and the platform's grub.cfg.
 * SOURCE_DATE_EPOCH pins the timestamps xorriso writes; the staging files
 * get the same mtime so nothing depends on when the build ran.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define DEFAULT_EPOCH "1704067200"   /* 2024-01-01, when SOURCE_DATE_EPOCH is unset */

static void set_mtime(const char *path, time_t t)
{
    struct timeval tv[2] = {{t, 0}, {t, 0}};
    utimes(path, tv);
}

int iso_build(const char *root, const struct platform *p, const char *elf, const char *iso, const char *workdir)
{
    const char *cfg = path_join(p->dir, "grub.cfg");
    if (!file_exists(cfg)) {
        diag_error(NULL, "platform '%s' lists the iso image but has no %s", p->name, path_rel(root, cfg));
        return 1;
    }
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (!epoch || !*epoch)
        epoch = DEFAULT_EPOCH;
    time_t t = (time_t)strtoll(epoch, NULL, 10);
    char *stage = path_join(workdir, "iso-root");
    rm_rf(stage);
    char *grubdir = path_join(stage, "boot/grub");
    if (mkdir_p(grubdir) || copy_file(elf, path_join(stage, "boot/anunix.elf")) ||
        copy_file(cfg, path_join(grubdir, "grub.cfg"))) {
        diag_error(NULL, "cannot stage the ISO files in %s", path_display(stage));
        return 1;
    }
    set_mtime(path_join(stage, "boot/anunix.elf"), t);
    set_mtime(path_join(grubdir, "grub.cfg"), t);
    set_mtime(grubdir, t);
    set_mtime(path_join(stage, "boot"), t);
    set_mtime(stage, t);
    char *tmp = xasprintf("%s.tmp", iso);
    setenv("SOURCE_DATE_EPOCH", epoch, 1);
    /* xorriso options after "--": fixed volume dates and uuid so two runs
     * give the same bytes. */
    char *argv[] = {"grub-mkrescue", "-o", tmp, stage, "--", "-volume_date", "all_file_dates", "set_to_mtime",
                    NULL};
    struct buf out = {0};
    int rc = run_argv(argv, root, &out);
    if (rc != 0 || rename(tmp, iso) < 0) {
        fputs(buf_cstr(&out), diag_out ? diag_out : stderr);
        unlink(tmp);
        diag_error(NULL, "grub-mkrescue failed (exit %d); it needs grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools",
                   rc);
        return 1;
    }
    return 0;
}
