/*
 * anx sign, anx verify and anx run --verify: Ed25519 signatures over an
 * image's files in minisign's formats (gen/minisign.c), so that people
 * verify with Debian's `minisign -V` and keys come from `minisign -G -W`.
 *
 * What an image is, for signing: the files of its build folder that
 * report.json lists as outputs (anunix.elf with symbols, image.elf, and
 * anunix.iso on platforms with ISO images), plus report.json itself,
 * which holds every input's and output's sha256. The rest of the folder
 * (objects, gen/, stamps, a run's disk.img) is not the image. Each file F
 * gets F.minisig beside it.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char sign_usage[] =
    "usage: anx sign -s SECRET_KEY [-p PUBLIC_KEY] [-t COMMENT] [--platform P] [-o DIR] MANIFEST|DIR|FILE...\n"
    "Signs an image's files with a minisign secret key, writing FILE.minisig beside each (minisign's\n"
    "format: 'minisign -Vm FILE -p PUBLIC_KEY' verifies them). For a MANIFEST (a .yaml or .yml file)\n"
    "or a build folder DIR, the files are the outputs that DIR/report.json lists (anunix.elf,\n"
    "image.elf, anunix.iso) and report.json; they must be as the build left them. Any other FILE is\n"
    "signed as it is.\n"
    "  -s FILE           the secret key, unencrypted: make a pair with 'minisign -G -W -p KEY.pub -s KEY'\n"
    "  -p FILE           a public key the secret key must match (a check against signing with the wrong key)\n"
    "  -t COMMENT        the trusted comment (one line; default: timestamp:T<tab>file:NAME<tab>hashed,\n"
    "                    as minisign writes)\n"
    "  --platform NAME   the platform of a MANIFEST's build folder (default: the manifest's)\n"
    "  -o, --out DIR     a MANIFEST's build folder (default build/NAME-PLATFORM, as anx build)\n";

static const char verify_usage[] =
    "usage: anx verify (-p PUBLIC_KEY_FILE | -P BASE64) [--platform P] [-o DIR] MANIFEST|DIR|FILE...\n"
    "Checks each file against FILE.minisig (minisign's format, from anx sign or 'minisign -S') and\n"
    "prints one line per file. For a MANIFEST or a build folder DIR, the files are those anx sign\n"
    "signs: the outputs DIR/report.json lists, and report.json. Exits 1 when a file is missing, has\n"
    "no signature, a malformed one, one by another key, or does not match it.\n"
    "  -p FILE           the public key file (minisign.pub, from 'minisign -G')\n"
    "  -P BASE64         the public key as a string (what 'minisign -G' prints, RW...)\n"
    "  --platform NAME   the platform of a MANIFEST's build folder (default: the manifest's)\n"
    "  -o, --out DIR     a MANIFEST's build folder (default build/NAME-PLATFORM)\n";

/* One file to sign or verify; sha: its sha256 in report.json ("" when
 * it is not an output there). */
struct target {
    char *path;
    char sha[65];
};
struct targets {
    struct target *v;
    size_t n;
};

static void target_add(struct targets *t, const char *path, const char *sha)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].path, path))
            return;
    t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
    t->v[t->n].path = xstrdup(path);
    snprintf(t->v[t->n].sha, sizeof t->v[t->n].sha, "%s", sha ? sha : "");
    t->n++;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The image files of build folder dir: report.json's outputs, by their
 * names in dir (the folder may have moved since the build, as CI
 * artifacts do), then report.json. 0, or -1 after an error. */
static int image_files(const char *dir, const char *cmd, struct targets *t)
{
    char *report = path_join(dir, "report.json");
    if (!file_exists(report)) {
        diag_error(NULL, "%s: %s has no report.json: build the image first (anx build MANIFEST)", cmd,
                   path_display(dir));
        return -1;
    }
    json_error_t je;
    json_t *j = json_load_file(report, 0, &je);
    json_t *outs = j ? json_object_get(j, "outputs") : NULL;
    if (!json_is_array(outs) || !json_array_size(outs)) {
        diag_error(NULL, "%s: %s: not a report of anx build (%s)", cmd, path_display(report),
                   j ? "no \"outputs\" list" : je.text);
        json_decref(j);
        return -1;
    }
    size_t i;
    json_t *o;
    json_array_foreach(outs, i, o) {
        const char *p = json_string_value(json_object_get(o, "path"));
        const char *sha = json_string_value(json_object_get(o, "sha256"));
        if (!p || !*base_name(p) || !strcmp(base_name(p), "..") || !sha || strlen(sha) != 64) {
            diag_error(NULL, "%s: %s: output %zu has no path or sha256", cmd, path_display(report), i + 1);
            json_decref(j);
            return -1;
        }
        target_add(t, path_join(dir, base_name(p)), sha);
    }
    json_decref(j);
    target_add(t, report, NULL);
    return 0;
}

static bool is_manifest_name(const char *s)
{
    size_t n = strlen(s);
    return (n > 5 && !strcmp(s + n - 5, ".yaml")) || (n > 4 && !strcmp(s + n - 4, ".yml"));
}

/* The files of every argument: a manifest's build folder, a build folder,
 * or a file. Returns 0, or an exit code after an error. */
static int collect(int argc, char **argv, const char *platform, const char *out, const char *cmd,
                   struct targets *t)
{
    int manifests = 0;
    for (int i = 0; i < argc; i++)
        manifests += !is_dir(argv[i]) && is_manifest_name(argv[i]);
    if (out && manifests != 1) {
        diag_error(NULL, "%s: -o DIR is the build folder of one MANIFEST; give exactly one with it (or give "
                   "the folder itself)", cmd);
        return EXIT_USAGE;
    }
    if (platform && !manifests) {
        diag_error(NULL, "%s: --platform picks a MANIFEST's build folder, and no MANIFEST is given", cmd);
        return EXIT_USAGE;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (is_dir(a)) {
            if (image_files(path_abs(a), cmd, t))
                return EXIT_FAIL;
        } else if (is_manifest_name(a)) {
            struct catalog cat;
            struct manifest m;
            struct resolution r;
            int rc = load_and_resolve(a, platform, &cat, &m, &r);
            if (rc)
                return rc;
            if (image_files(out ? path_abs(out) : default_outdir(&m, &r), cmd, t))
                return EXIT_FAIL;
        } else {
            target_add(t, path_abs(a), NULL);
        }
    }
    return EXIT_OK;
}

/* ---- keys ---------------------------------------------------------------------- */

static int read_key_file(const char *path, const char *cmd, const char *opt, char **data, size_t *len)
{
    int e = read_file(path, data, len, 64 * 1024);
    if (e == -EFBIG)
        diag_error(NULL, "%s: %s %s: larger than 64 KiB; a minisign key file is two short lines", cmd, opt, path);
    else if (e)
        diag_error(NULL, "%s: %s %s: cannot read it: %s", cmd, opt, path, strerror(-e));
    return e ? -1 : 0;
}

static int load_pubkey_file(const char *path, const char *cmd, const char *opt, struct mini_pubkey *k)
{
    char *data, why[256];
    size_t len;
    int line;
    if (read_key_file(path, cmd, opt, &data, &len))
        return -1;
    if (mini_pubkey_parse(data, len, true, k, &line, why, sizeof why)) {
        if (line)
            diag_error(NULL, "%s: %s %s:%d: %s", cmd, opt, path, line, why);
        else
            diag_error(NULL, "%s: %s %s: %s", cmd, opt, path, why);
        return -1;
    }
    return 0;
}

static int load_pubkey_string(const char *s, const char *cmd, const char *opt, struct mini_pubkey *k)
{
    char why[256];
    int line;
    if (mini_pubkey_parse(s, strlen(s), false, k, &line, why, sizeof why)) {
        diag_error(NULL, "%s: %s: %s", cmd, opt, why);
        return -1;
    }
    return 0;
}

/* ---- anx sign -------------------------------------------------------------------- */

static int load_seckey(const char *path, struct mini_seckey *k)
{
    char *data, why[320];
    size_t len;
    int line;
    if (read_key_file(path, "sign", "-s", &data, &len))
        return -1;
    int rc = mini_seckey_parse(data, len, k, &line, why, sizeof why);
    sodium_memzero(data, len);   /* gen's blocks live until exit (xfree_all): wipe, not free */
    if (rc) {
        if (line)
            diag_error(NULL, "sign: -s %s:%d: %s", path, line, why);
        else
            diag_error(NULL, "sign: -s %s: %s", path, why);
        return -1;
    }
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        diag_warning(NULL, "sign: -s %s: others can read the secret key (chmod 600 %s)", path, path);
    return 0;
}

static int sign_one(const struct target *t, const struct mini_seckey *k, const char *comment)
{
    uint8_t hash[64];
    int e = mini_hash_file(t->path, hash);
    if (e) {
        diag_error(NULL, "sign: %s: cannot read it: %s", path_display(t->path), strerror(-e));
        return -1;
    }
    if (t->sha[0]) {   /* an output of the build: still what report.json says? */
        char sha[65];
        if (sha256_file(t->path, sha, NULL) || strcmp(sha, t->sha)) {
            diag_error(NULL, "sign: %s changed since the build (its sha256 is not the one report.json lists): "
                       "rebuild with 'anx build' before signing", path_display(t->path));
            return -1;
        }
    }
    char *trusted = comment ? xstrdup(comment)
                            : xasprintf("timestamp:%lld\tfile:%s\thashed", (long long)time(NULL), base_name(t->path));
    char *text = mini_sign_text(k, hash, trusted);
    char *sig = xasprintf("%s.minisig", t->path);
    if (write_file(sig, text, strlen(text))) {
        diag_error(NULL, "sign: cannot write %s: %s", path_display(sig), strerror(errno));
        return -1;
    }
    printf("  %-9s%s\n", "sign", path_display(sig));
    return 0;
}

int cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"secret-key", required_argument, 0, 's'}, {"public-key", required_argument, 0, 'p'},
        {"comment", required_argument, 0, 't'},    {"platform", required_argument, 0, 'L'},
        {"out", required_argument, 0, 'o'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *skfile = NULL, *pkfile = NULL, *comment = NULL, *platform = NULL, *out = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:p:t:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': skfile = optarg; break;
        case 'p': pkfile = optarg; break;
        case 't': comment = optarg; break;
        case 'L': platform = optarg; break;
        case 'o': out = optarg; break;
        case 'h':
            fputs(sign_usage, stdout);
            return EXIT_OK;
        default:
            fputs(sign_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (!skfile) {
        diag_error(NULL, "sign: -s SECRET_KEY is required (make a key pair with 'minisign -G -W -p KEY.pub -s KEY')");
        return EXIT_USAGE;
    }
    if (optind == argc) {
        diag_error(NULL, "sign: nothing to sign: give a MANIFEST, a build folder or files");
        return EXIT_USAGE;
    }
    if (comment && (strpbrk(comment, "\r\n") || strlen(comment) > MINI_TRUSTED_MAX)) {
        diag_error(NULL, "sign: -t: a trusted comment is one line of at most %d bytes", MINI_TRUSTED_MAX);
        return EXIT_USAGE;
    }
    struct mini_seckey sk;
    struct mini_pubkey mine, given;
    if (load_seckey(skfile, &sk))
        return EXIT_USAGE;
    mini_seckey_public(&sk, &mine);
    char id[17], gid[17];
    mini_key_id_hex(mine.id, id);
    if (pkfile) {
        if (load_pubkey_file(pkfile, "sign", "-p", &given))
            return EXIT_USAGE;
        mini_key_id_hex(given.id, gid);
        if (memcmp(given.id, mine.id, 8) || memcmp(given.pk, mine.pk, 32)) {
            diag_error(NULL, "sign: -s %s (key ID %s) is not the secret key of -p %s (key ID %s%s); nothing signed",
                       skfile, id, pkfile, gid, memcmp(given.id, mine.id, 8) ? "" : ", another public key");
            return EXIT_USAGE;
        }
    }
    struct targets t = {0};
    int rc = collect(argc - optind, argv + optind, platform, out, "sign", &t);
    if (rc)
        return rc;
    for (size_t i = 0; i < t.n; i++)
        if (sign_one(&t.v[i], &sk, comment)) {
            sodium_memzero(&sk, sizeof sk);
            return EXIT_FAIL;
        }
    sodium_memzero(&sk, sizeof sk);
    printf("signed %zu file%s with key ID %s\n", t.n, t.n == 1 ? "" : "s", id);
    return EXIT_OK;
}

/* ---- anx verify ------------------------------------------------------------------ */

/* Checks one file against FILE.minisig: 0 (and a line on stdout), or -1
 * after an error line saying what is wrong. */
static int verify_one(const char *path, const struct mini_pubkey *k, const char *cmd)
{
    const char *shown = path_display(path);
    char *sigpath = xasprintf("%s.minisig", path);
    bool have_file = file_exists(path), have_sig = file_exists(sigpath);
    if (!have_file) {
        diag_error(NULL, "%s: %s is missing%s", cmd, shown, have_sig ? " (its signature is there)" : "");
        return -1;
    }
    if (!have_sig) {
        diag_error(NULL, "%s: %s has no signature: %s.minisig is missing (sign it with 'anx sign -s KEY ...')", cmd,
                   shown, shown);
        return -1;
    }
    char *text, why[320];
    size_t len;
    int line, e = read_file(sigpath, &text, &len, 64 * 1024);
    if (e) {
        diag_error(NULL, "%s: %s.minisig: %s", cmd, shown,
                   e == -EFBIG ? "larger than 64 KiB: not a minisign signature" : strerror(-e));
        return -1;
    }
    struct mini_sig s;
    if (mini_sig_parse(text, len, &s, &line, why, sizeof why)) {
        if (line)
            diag_error(NULL, "%s: %s.minisig:%d: malformed signature: %s", cmd, shown, line, why);
        else
            diag_error(NULL, "%s: %s.minisig: malformed signature: %s", cmd, shown, why);
        return -1;
    }
    char kid[17], sid[17];
    mini_key_id_hex(k->id, kid);
    mini_key_id_hex(s.id, sid);
    if (memcmp(s.id, k->id, 8)) {
        diag_error(NULL, "%s: %s: signed with key ID %s, not with this public key (key ID %s): another key made "
                   "%s.minisig, or this is the wrong public key", cmd, shown, sid, kid, shown);
        return -1;
    }
    uint8_t hash[64];
    const uint8_t *msg = hash;
    size_t mlen = sizeof hash;
    if (s.prehashed) {
        e = mini_hash_file(path, hash);
    } else {   /* minisign -l signs the file itself */
        char *data;
        e = read_file(path, &data, &mlen, (size_t)1 << 30);
        msg = (const uint8_t *)data;
    }
    if (e) {
        diag_error(NULL, "%s: %s: cannot read it: %s", cmd, shown,
                   e == -EFBIG ? "larger than 1 GiB, too large for a legacy (minisign -l) signature" : strerror(-e));
        return -1;
    }
    switch (mini_verify(k, &s, msg, mlen)) {
    case MINI_OK:
        break;
    case MINI_WRONG_KEY:   /* checked above */
    case MINI_BAD_SIG:
        diag_error(NULL, "%s: %s: BAD SIGNATURE: the file is not what key ID %s signed (changed after signing, or "
                   "%s.minisig altered)", cmd, shown, kid, shown);
        return -1;
    case MINI_BAD_COMMENT:
        diag_error(NULL, "%s: %s: the file matches, but the trusted comment of %s.minisig was altered (its "
                   "signature does not match)", cmd, shown, shown);
        return -1;
    }
    for (char *p = s.trusted; *p; p++)   /* minisign's comment separates fields with tabs */
        if (*p == '\t')
            *p = ' ';
    printf("verified %s (key ID %s; trusted comment: %s)\n", shown, kid, yshow(s.trusted, strlen(s.trusted)));
    return 0;
}

/* Verifies every target; returns the number that failed. */
static size_t verify_all(const struct targets *t, const struct mini_pubkey *k, const char *cmd)
{
    size_t bad = 0;
    for (size_t i = 0; i < t->n; i++)
        bad += verify_one(t->v[i].path, k, cmd) != 0;
    return bad;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"public-key", required_argument, 0, 'p'}, {"public-key-string", required_argument, 0, 'P'},
        {"platform", required_argument, 0, 'L'},   {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0},
    };
    const char *pkfile = NULL, *pkstr = NULL, *platform = NULL, *out = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "p:P:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pkfile = optarg; break;
        case 'P': pkstr = optarg; break;
        case 'L': platform = optarg; break;
        case 'o': out = optarg; break;
        case 'h':
            fputs(verify_usage, stdout);
            return EXIT_OK;
        default:
            fputs(verify_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (!pkfile == !pkstr) {
        diag_error(NULL, "verify: give the public key once: -p FILE (minisign.pub) or -P BASE64 (RW...)");
        return EXIT_USAGE;
    }
    if (optind == argc) {
        diag_error(NULL, "verify: nothing to verify: give a MANIFEST, a build folder or files");
        return EXIT_USAGE;
    }
    struct mini_pubkey k;
    if (pkfile ? load_pubkey_file(pkfile, "verify", "-p", &k) : load_pubkey_string(pkstr, "verify", "-P", &k))
        return EXIT_USAGE;
    struct targets t = {0};
    int rc = collect(argc - optind, argv + optind, platform, out, "verify", &t);
    if (rc)
        return rc;
    size_t bad = verify_all(&t, &k, "verify");
    if (bad) {
        diag_error(NULL, "verify: %zu of %zu file%s failed", bad, t.n, t.n == 1 ? "" : "s");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* ---- anx run --verify ---------------------------------------------------------- */

int verified_image(const struct manifest *m, const struct resolution *r, const char *out, const char *key,
                   struct build_result *res)
{
    struct mini_pubkey k;
    char why[256];
    int line;
    /* a file when there is one, else the base64 string minisign -P takes */
    if (file_exists(key)) {
        if (load_pubkey_file(key, "run --verify", "--verify", &k))
            return EXIT_USAGE;
    } else if (mini_pubkey_parse(key, strlen(key), false, &k, &line, why, sizeof why)) {
        diag_error(NULL, "run --verify: '%s' is neither a public key file (%s) nor a public key string (RW..., as "
                   "'minisign -G' prints it)", key, strerror(ENOENT));
        return EXIT_USAGE;
    }
    res->outdir = out ? path_abs(out) : default_outdir(m, r);
    res->elf_debug = path_join(res->outdir, "anunix.elf");
    res->image_elf = path_join(res->outdir, "image.elf");
    if (strlist_has(&r->plat->images, "iso"))
        res->iso = path_join(res->outdir, "anunix.iso");
    res->main_image = strlist_has(&r->plat->images, "elf") ? res->image_elf : res->iso ? res->iso : res->elf_debug;
    struct targets t = {0};
    if (image_files(res->outdir, "run --verify", &t)) {
        diag_error(NULL, "run --verify: refusing to boot: build and sign the image first (anx build, then anx sign)");
        return EXIT_FAIL;
    }
    /* Every file QEMU may be given must be among the signed ones. */
    const char *boot_files[] = {res->elf_debug, strlist_has(&r->plat->images, "elf") ? res->image_elf : NULL,
                                res->iso};
    for (size_t i = 0; i < 3; i++)
        if (boot_files[i])
            target_add(&t, boot_files[i], NULL);
    size_t bad = verify_all(&t, &k, "run --verify");
    if (bad) {
        diag_error(NULL, "run --verify: refusing to boot %s: %zu of %zu signature%s do not match (QEMU was not "
                   "started)", path_display(res->outdir), bad, t.n, t.n == 1 ? "" : "s");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
