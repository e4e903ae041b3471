/*
 * cred in an image: declares the manifest's credentials (config.h's
 * CONFIG_CREDENTIALS, written by anx from the manifest's credentials:
 * section), reads the values the host provisioned through fw_cfg
 * (opt/anunix/secret/NAME: `anx run --secret NAME=FILE`), generates
 * missing host keys, and adds the `cred` shell command. No payload is
 * ever logged or printed: lines name credentials, types and origins only.
 */
#define LOG_TAG "cred"
#include <anx/command.h>
#include <anx/console.h>
#include <anx/errno.h>
#include <anx/fw_cfg.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/random.h>
#include "crypto.h"
#include "cred.h"

static const struct cred_decl manifest_creds[] = CONFIG_CREDENTIALS;

/* Read one provisioned file into a block of its own, hand it to the store
 * and wipe it. */
static int load_file(const struct cred_info *c, const struct anx_fw_cfg_file *f)
{
    if (f->size > CRED_VALUE_MAX) {
        log_error("credential '%s': the --secret file is larger than %u KiB", c->name, CRED_VALUE_MAX / 1024);
        return ANX_EINVAL;
    }
    uint8_t *buf = anx_malloc(f->size ? f->size : 1);
    if (!buf)
        return ANX_ENOMEM;
    int err = anx_fw_cfg_read(f->select, buf, f->size);
    if (!err)
        err = cred_provision(c->name, buf, f->size, CRED_PROVISIONED);
    sodium_memzero(buf, f->size);
    anx_free(buf);
    if (err == ANX_EINVAL) {
        static const char *const expect[] = {
            [CRED_SSH_HOST_KEY] = "an unencrypted OpenSSH ed25519 private key (ssh-keygen -t ed25519 -N '')",
            [CRED_SSH_AUTHORIZED_KEYS] = "authorized_keys text",
            [CRED_PASSWORD] = "a password or an $argon2id$ hash, one line",
            [CRED_API_TOKEN] = "a token of at least 16 characters or sha256:HEX",
            [CRED_SECRET] = "at least 32 bytes of key material (head -c 32 /dev/urandom)",
            [CRED_TLS_CERT] = "PEM: -----BEGIN CERTIFICATE----- blocks and an unencrypted PRIVATE KEY block",
        };
        log_error("credential '%s': the --secret file is not of type %s (expected %s); ignored", c->name,
                  cred_type_name(c->type), expect[c->type]);
    } else if (err) {
        log_error("credential '%s': reading it failed: %s", c->name, anx_strerror(err));
    }
    return err;
}

/* Every provisioned secret: declared ones are loaded, others named and
 * left unread. */
static void load_provisioned(void)
{
    uint8_t *dir;
    size_t len;
    int err = anx_fw_cfg_read_dir(&dir, &len);
    if (err) {
        if (err != ANX_ENOTSUP)
            log_error("cannot read the fw_cfg directory: %s; no secrets loaded", anx_strerror(err));
        return;
    }
    size_t plen = strlen(CRED_FW_CFG_PREFIX);
    uint32_t n = 0;
    anx_fw_cfg_dir_count(dir, len, &n);
    for (uint32_t i = 0; i < n; i++) {
        struct anx_fw_cfg_file f;
        if (anx_fw_cfg_dir_entry(dir, len, i, &f) || strncmp(f.name, CRED_FW_CFG_PREFIX, plen))
            continue;
        const char *name = f.name + plen;
        const struct cred_info *c = NULL;
        for (size_t k = 0; k < cred_count() && !c; k++)
            if (!strcmp(cred_at(k)->name, name))
                c = cred_at(k);
        if (!c) {
            log_warn("secret '%s' was provisioned but the manifest declares no such credential: ignored (declare it "
                     "under credentials:)", name);
            continue;
        }
        if (load_file(c, &f) == 0)
            log_info("credential '%s' (%s): provisioned", c->name, cred_type_name(c->type));
    }
    anx_free(dir);
}

/* Host keys not provisioned: made now when the generator is seeded; else
 * at first use (cred_host_public_key). */
static void generate_host_keys(void)
{
    for (size_t i = 0; i < cred_count(); i++) {
        const struct cred_info *c = cred_at(i);
        if (c->type != CRED_SSH_HOST_KEY || c->origin != CRED_MISSING || c->required)
            continue;
        int err = cred_generate_host_key(c->name);
        if (!err)
            log_info("credential '%s' (ssh-host-key): generated (ed25519)", c->name);
        else if (err == ANX_ENOTSUP)
            log_warn("credential '%s': no hardware random source yet, host key not generated (tried again at "
                     "first use)", c->name);
        else
            log_error("credential '%s': generating the host key failed: %s", c->name, anx_strerror(err));
    }
}

/* ---- the shell command ------------------------------------------------------ */

static int cmd_ls(void)
{
    if (!cred_count()) {
        anx_printf("no credentials (the manifest's credentials: section declares them)\n");
        return 0;
    }
    anx_printf("%-24s %-20s %-12s %-20s %-24s %s\n", "NAME", "TYPE", "OWNER", "MODULES", "SCOPES", "STATE");
    for (size_t i = 0; i < cred_count(); i++) {
        const struct cred_info *c = cred_at(i);
        anx_printf("%-24s %-20s %-12s %-20s %-24s %s%s\n", c->name, cred_type_name(c->type), c->owner, c->modules,
                   c->scopes[0] ? c->scopes : "-", cred_origin_name(c->origin),
                   c->required && c->origin == CRED_MISSING ? " (required)" : "");
    }
    for (size_t i = 0; i < cred_count(); i++) {   /* what an ssh client will show */
        char fp[64];
        if (cred_fingerprint(cred_at(i)->name, fp, sizeof fp) == 0)
            anx_printf("%s: ED25519 key fingerprint %s\n", cred_at(i)->name, fp);
    }
    return 0;
}

static int console_getc(void *arg)
{
    (void)arg;
    return anx_console_getc();
}

/* Ask twice, without echo: a typo would lock the operator out. */
static int read_password(const char *name, char *pw, size_t n, size_t *len)
{
    char again[128];
    size_t alen;
    anx_printf("password for '%s' (not shown): ", name);
    int err = cred_read_hidden(console_getc, NULL, pw, n, len);
    anx_printf("\n");
    if (err)
        return err;
    anx_printf("again: ");
    err = cred_read_hidden(console_getc, NULL, again, sizeof again, &alen);
    anx_printf("\n");
    if (!err && (alen != *len || sodium_memcmp(again, pw, alen) != 0))
        err = ANX_EAUTH;
    sodium_memzero(again, sizeof again);
    if (err)
        sodium_memzero(pw, n);
    return err;
}

static int cmd_add(int argc, char **argv)
{
    const char *name = argv[2];
    const struct cred_info *c = NULL;
    for (size_t k = 0; k < cred_count() && !c; k++)
        if (!strcmp(cred_at(k)->name, name))
            c = cred_at(k);
    if (argc > 3 && strcmp(argv[3], "password") != 0) {
        anx_printf("cred add: only passwords can be typed in (%s values are given with anx run --secret)\n", argv[3]);
        return 1;
    }
    if (c && c->type != CRED_PASSWORD) {
        anx_printf("cred add: '%s' is a %s: give it with `anx run --secret %s=FILE`\n", name, cred_type_name(c->type),
                   name);
        return 1;
    }
    if (!c) {
        if (argc < 5) {
            anx_printf("cred add: '%s' is not in the manifest: name the modules that may use it, like `cred add %s "
                       "password ssh`\n", name, name);
            return 1;
        }
        char mods[128] = "";
        for (int i = 4; i < argc; i++)
            snprintf(mods + strlen(mods), sizeof mods - strlen(mods), "%s%s", i > 4 ? " " : "", argv[i]);
        struct cred_decl d = {name, "password", argv[4], mods, "", 0, 1};
        int err = cred_declare(&d);
        if (err) {
            anx_printf("cred add: cannot add '%s': %s (names: 1-%d of a-z 0-9 - _ .)\n", name, anx_strerror(err),
                       CRED_NAME_MAX);
            return 1;
        }
    }
    char pw[128];
    size_t len;
    int err = read_password(name, pw, sizeof pw, &len);
    if (!err)
        err = cred_provision(name, (const uint8_t *)pw, len, CRED_ADDED);
    sodium_memzero(pw, sizeof pw);
    if (err) {
        if (!c)
            cred_remove(name);
        anx_printf("cred add: %s\n", err == ANX_EAUTH ? "the two entries differ; nothing changed"
                                     : err == ANX_EAGAIN ? "cancelled"
                                     : err == ANX_EINVAL ? "empty password; nothing changed"
                                                         : anx_strerror(err));
        return 1;
    }
    log_info("credential '%s' (password): added in the shell", name);
    anx_printf("credential '%s' set (stored as an Argon2id hash, in memory only)\n", name);
    return 0;
}

static int cmd_cred(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "ls"))
        return cmd_ls();
    if (!strcmp(argv[1], "rm") && argc == 3) {
        int err = cred_remove(argv[2]);
        if (err) {
            anx_printf("cred rm: no credential '%s' (cred ls lists them)\n", argv[2]);
            return 1;
        }
        log_info("credential '%s': removed in the shell", argv[2]);
        anx_printf("credential '%s' wiped\n", argv[2]);
        return 0;
    }
    if (!strcmp(argv[1], "add") && argc >= 3)
        return cmd_add(argc, argv);
    anx_printf("usage: cred [ls] | cred add NAME [password [MODULE...]] | cred rm NAME\n");
    return 1;
}

static struct anx_command cred_cmd = {
    .name = "cred",
    .scope = "credentials",
    .summary = "List credentials (never their values), type in a password, wipe one",
    .usage = "cred [ls] | cred add NAME [password [MODULE...]] | cred rm NAME",
    .fn = cmd_cred,
};

static int cred_init(void)
{
    cred_set_pwhash_cost(CONFIG_CRED_PWHASH_OPS, CONFIG_CRED_PWHASH_MEMORY);
    for (const struct cred_decl *d = manifest_creds; d->name; d++) {   /* ends in a { 0 } row */
        int err = cred_declare(d);
        if (err) {
            log_error("cannot declare credential '%s': %s", d->name, anx_strerror(err));
            return err;
        }
    }
    load_provisioned();
    generate_host_keys();
    int err = anx_command_register(&cred_cmd);
    if (err)
        return err;
    /* The owners say so too when they call cred_require(); this covers
     * every one, so a missing secret never goes unnoticed. */
    int missing = 0;
    for (size_t i = 0; i < cred_count(); i++) {
        const struct cred_info *c = cred_at(i);
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen |= !strcmp(cred_at(k)->owner, c->owner);
        if (!seen && cred_require(c->owner))
            missing = 1;
    }
    return missing ? ANX_ENOENT : 0;
}

ANX_MODULE(cred, .init = cred_init);
