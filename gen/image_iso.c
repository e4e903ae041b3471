/*
 * The ISO image: grub-mkrescue (GRUB + xorriso) makes a hybrid BIOS+UEFI
 * CD/USB image holding /boot/anunix.elf and the platform's grub.cfg.
 *
 * Reproducibility takes three things: the tools' environment
 * (image_env.c: SOURCE_DATE_EPOCH, TZ=UTC) plus explicit
 * xorriso options pin every file date, the volume uuid and the GPT disk
 * GUID; and the EFI boot image's FAT gets a fixed volume serial through an
 * mformat wrapper put first on PATH (grub-mkrescue offers no option for
 * it, and mformat otherwise picks a random one). Two builds of the same
 * kernel then give the same ISO bytes.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>


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
    time_t t = build_epoch();
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
    char *tools = path_join(workdir, "iso-tools");
    mkdir_p(tools);
    char *wrapper = path_join(tools, "mformat");
    const char *script = "#!/bin/sh\n# Fixed FAT volume serial for a reproducible EFI image (see gen/image_iso.c).\n"
                         "PATH=${ANX_ORIG_PATH}\nexec mformat -N 414e5831 \"$@\"\n";
    if (write_file(wrapper, script, strlen(script)) || chmod(wrapper, 0755)) {
        diag_error(NULL, "cannot write %s", path_display(wrapper));
        return 1;
    }
    const char *path = getenv("PATH");
    char *orig = xstrdup(path ? path : "/usr/bin:/bin");
    setenv("ANX_ORIG_PATH", orig, 1);
    setenv("PATH", xasprintf("%s:%s", tools, orig), 1);
    struct tool_env env;
    tool_env_enter(&env);
    struct tm tm;
    gmtime_r(&t, &tm);
    char uuid[64];
    snprintf(uuid, sizeof uuid, "%04d%02d%02d%02d%02d%02d00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
    char *dates = xasprintf("=%lld", (long long)t);
    /* xorriso options after "--". */
    char *argv[] = {"grub-mkrescue", "-o", tmp, stage, "--", "-volume_date", "all_file_dates", dates,
                    "-volume_date", "uuid", uuid, "-boot_image", "any", "gpt_disk_guid=volume_date_uuid", NULL};
    struct buf out = {0};
    int rc = run_argv(argv, root, &out);
    setenv("PATH", orig, 1);
    unsetenv("ANX_ORIG_PATH");
    tool_env_leave(&env);
    if (rc != 0 || rename(tmp, iso) < 0) {
        fputs(buf_cstr(&out), diag_out ? diag_out : stderr);
        unlink(tmp);
        diag_error(NULL, "grub-mkrescue failed (exit %d); it needs grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools",
                   rc);
        return 1;
    }
    return 0;
}
