/*
 * The credential store on tests/unit's platform with libsodium as the
 * image builds it: grants (and the line a refusal logs), what each type
 * keeps (a hash, never the plain text), password and token verification,
 * the host key from an OpenSSH file or generated, authorized_keys
 * matching, the required-but-missing line, wiping before free (through
 * cred_wipe_hook), that no payload reaches the console, and the hidden
 * line reader of `cred add`.
 */
#include <stdint.h>
#define UNIT_FILE "cred_store"
#include "unit.h"
#include "crypto.h"
#include "cred.h"
#include <anx/errno.h>
#include <anx/module.h>
#include <anx/random.h>

extern int unit_random_hw;

static const struct anx_module_ops no_ops = {0};
const struct anx_module anx_module_table[] = {{.name = "cred", .summary = "cred", .ops = &no_ops}};
const size_t anx_module_count = 1;

#define PASSWORD "correct horse battery staple"
#define TOKEN "sk-test-0123456789abcdef0123456789"

static const struct cred_decl decls[] = {
    {"admin-password", "password", "ssh", "ssh shell", "", 1, 0},
    {"ci-token", "api-token", "httpd", "httpd", "objects:read infer", 0, 0},
    {"ops-token", "api-token", "httpd", "httpd", "admin", 0, 0},
    {"host", "ssh-host-key", "ssh", "ssh", "", 0, 0},
    {"keys", "ssh-authorized-keys", "ssh", "ssh", "console", 1, 0},
    {"store-key", "secret", "cred-persist", "cred-persist", "", 0, 0},
    {"host2", "ssh-host-key", "cred-persist", "cred-persist ssh", "", 0, 0},
};

static void declare_all(void)
{
    cred_store_reset();
    for (size_t i = 0; i < sizeof decls / sizeof decls[0]; i++)
        CHECK_EQ(cred_declare(&decls[i]), 0);
}

static int provision(const char *name, const char *text)
{
    return cred_provision(name, (const uint8_t *)text, strlen(text), CRED_PROVISIONED);
}

/* ---- OpenSSH files made here from a libsodium key ------------------------ */

static size_t put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
    return 4;
}

static size_t put_str(uint8_t *p, const void *s, size_t n)
{
    put_u32(p, (uint32_t)n);
    memcpy(p + 4, s, n);
    return 4 + n;
}

static size_t key_blob(uint8_t *p, const uint8_t pk[32])
{
    size_t n = put_str(p, "ssh-ed25519", 11);
    return n + put_str(p + n, pk, 32);
}

/* An openssh-key-v1 file (PROTOCOL.key), unencrypted unless cipher says
 * otherwise; check2 may differ from check1 to damage it. */
static char *openssh_file(const uint8_t sk[64], const char *cipher, uint32_t check2)
{
    static uint8_t bin[1024], priv[512];
    static char text[2048];
    size_t pn = 0, n = 0;
    pn += put_u32(priv + pn, 0x12345678);
    pn += put_u32(priv + pn, check2);
    pn += put_str(priv + pn, "ssh-ed25519", 11);
    pn += put_str(priv + pn, sk + 32, 32);
    pn += put_str(priv + pn, sk, 64);
    pn += put_str(priv + pn, "test@host", 9);
    for (uint8_t pad = 1; pn % 8; pad++)
        priv[pn++] = pad;
    memcpy(bin, "openssh-key-v1", 15);
    n = 15;
    n += put_str(bin + n, cipher, strlen(cipher));
    n += put_str(bin + n, "none", 4);
    n += put_str(bin + n, "", 0);
    n += put_u32(bin + n, 1);
    uint8_t blob[64];
    n += put_str(bin + n, blob, key_blob(blob, sk + 32));
    n += put_str(bin + n, priv, pn);
    char b64[1400];
    sodium_bin2base64(b64, sizeof b64, bin, n, sodium_base64_VARIANT_ORIGINAL);
    snprintf(text, sizeof text, "-----BEGIN OPENSSH PRIVATE KEY-----\n%.70s\n%s\n-----END OPENSSH PRIVATE KEY-----\n",
             b64, strlen(b64) > 70 ? b64 + 70 : "");
    return text;
}

/* "ssh-ed25519 AAAA... comment" for pk. */
static char *authorized_line(const uint8_t pk[32], const char *options)
{
    static char line[256];
    uint8_t blob[64];
    char b64[128];
    sodium_bin2base64(b64, sizeof b64, blob, key_blob(blob, pk), sodium_base64_VARIANT_ORIGINAL);
    snprintf(line, sizeof line, "%s%sssh-ed25519 %s user@laptop", options, options[0] ? " " : "", b64);
    return line;
}

/* ---- wipe hook ---------------------------------------------------------- */

static int wiped, wiped_nonzero;
static size_t wiped_len;

static void on_wipe(const void *p, size_t n)
{
    const uint8_t *b = p;
    wiped++;
    wiped_len = n;
    for (size_t i = 0; i < n; i++)
        wiped_nonzero |= b[i] != 0;
}

/* ---- tests ------------------------------------------------------------------ */

TEST(grants_decide_who_may_use_a_credential)
{
    declare_all();
    const struct cred_info *c;
    unit_console_clear();
    CHECK_EQ(cred_find("shell", "admin-password", &c), 0);
    CHECK_STR(c->owner, "ssh");
    CHECK_STR(c->modules, "ssh shell");
    CHECK_EQ(c->origin, CRED_MISSING);
    CHECK_EQ(cred_find("httpd", "admin-password", &c), ANX_EPERM);
    CHECK(strstr(unit_console, "module 'httpd' asked for credential 'admin-password', which the manifest grants only "
                               "to: ssh shell") != NULL);
    CHECK_EQ(cred_find("ss", "admin-password", &c), ANX_EPERM);   /* a prefix of a granted name is not it */
    CHECK_EQ(cred_find("ssh", "nope", &c), ANX_ENOENT);
    CHECK_EQ(cred_find(NULL, "admin-password", &c), ANX_EPERM);
    CHECK_EQ(cred_count(), 7);
    CHECK_STR(cred_at(1)->scopes, "objects:read infer");
    CHECK(cred_at(7) == NULL);
    /* names become fw_cfg file names: checked */
    struct cred_decl bad = {"Bad Name", "password", "ssh", "ssh", "", 0, 0};
    CHECK_EQ(cred_declare(&bad), ANX_EINVAL);
    struct cred_decl badtype = {"x", "rsa-key", "ssh", "ssh", "", 0, 0};
    CHECK_EQ(cred_declare(&badtype), ANX_EINVAL);
    CHECK_EQ(cred_declare(&decls[0]), ANX_EEXIST);
}

TEST(passwords_are_kept_as_argon2id_hashes)
{
    declare_all();
    unit_console_clear();
    CHECK_EQ(cred_password_verify("ssh", "admin-password", PASSWORD, strlen(PASSWORD)), ANX_ENOENT);
    CHECK_EQ(provision("admin-password", PASSWORD "\n"), 0);   /* echo's newline is not part of it */
    CHECK_EQ(cred_password_verify("ssh", "admin-password", PASSWORD, strlen(PASSWORD)), 0);
    CHECK_EQ(cred_password_verify("ssh", "admin-password", PASSWORD "\n", strlen(PASSWORD) + 1), ANX_EAUTH);
    CHECK_EQ(cred_password_verify("ssh", "admin-password", "correct horse", 13), ANX_EAUTH);
    CHECK_EQ(cred_password_verify("httpd", "admin-password", PASSWORD, strlen(PASSWORD)), ANX_EPERM);
    CHECK_EQ(cred_password_verify("httpd", "ci-token", PASSWORD, strlen(PASSWORD)), ANX_EINVAL);   /* another type */
    /* a hash made on the host is kept as given */
    char hash[crypto_pwhash_STRBYTES];
    CHECK_EQ(crypto_pwhash_str(hash, "hunter2", 7, 1, 8192), 0);
    CHECK_EQ(provision("admin-password", hash), 0);
    CHECK_EQ(cred_password_verify("ssh", "admin-password", "hunter2", 7), 0);
    CHECK_EQ(cred_password_verify("ssh", "admin-password", PASSWORD, strlen(PASSWORD)), ANX_EAUTH);
    CHECK_EQ(provision("admin-password", ""), ANX_EINVAL);
    CHECK_EQ(provision("admin-password", "$argon2id$garbage"), 0);   /* kept; it simply never verifies */
    CHECK_EQ(cred_password_verify("ssh", "admin-password", "hunter2", 7), ANX_EAUTH);
    CHECK(strstr(unit_console, PASSWORD) == NULL);
}

TEST(tokens_are_kept_as_sha256_and_matched)
{
    declare_all();
    const struct cred_info *who;
    CHECK_EQ(provision("ci-token", TOKEN "\n"), 0);
    CHECK_EQ(provision("ops-token", "short"), ANX_EINVAL);   /* guessable: refused */
    uint8_t h[32];
    char line[80] = "sha256:";
    crypto_hash_sha256(h, (const uint8_t *)"ops-0123456789abcdef", 20);
    sodium_bin2hex(line + 7, 65, h, 32);
    CHECK_EQ(provision("ops-token", line), 0);
    CHECK_EQ(cred_token_check("httpd", "ci-token", TOKEN, strlen(TOKEN)), 0);
    CHECK_EQ(cred_token_check("httpd", "ci-token", TOKEN "x", strlen(TOKEN) + 1), ANX_EAUTH);
    CHECK_EQ(cred_token_check("ssh", "ci-token", TOKEN, strlen(TOKEN)), ANX_EPERM);
    CHECK_EQ(cred_token_match("httpd", TOKEN, strlen(TOKEN), &who), 0);
    CHECK_STR(who->name, "ci-token");
    CHECK_STR(who->scopes, "objects:read infer");
    CHECK_EQ(cred_token_match("httpd", "ops-0123456789abcdef", 20, &who), 0);
    CHECK_STR(who->name, "ops-token");
    CHECK_EQ(cred_token_match("httpd", "ops-0123456789abcdeX", 20, &who), ANX_EAUTH);
    CHECK_EQ(cred_token_match("shell", TOKEN, strlen(TOKEN), &who), ANX_EAUTH);   /* granted to httpd only */
    CHECK_EQ(cred_token_match(NULL, TOKEN, strlen(TOKEN), &who), ANX_EPERM);
    line[10] = 'z';
    CHECK_EQ(provision("ops-token", line), ANX_EINVAL);
}

/* tls-cert: PEM kept as given (the tls module parses it), only for the
 * modules granted it; a file without a certificate or a key is refused. */
TEST(tls_certs_are_pem_with_a_certificate_and_a_key)
{
    declare_all();
    static const struct cred_decl site = {"site", "tls-cert", "httpd", "httpd", "", 0, 0};
    CHECK_EQ(cred_declare(&site), 0);
    static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                              "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n";
    const uint8_t *got;
    size_t len;
    CHECK_EQ(cred_tls_cert("httpd", "site", &got, &len), ANX_ENOENT);   /* not provisioned yet */
    CHECK_EQ(provision("site", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), ANX_EINVAL);
    CHECK_EQ(provision("site", "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"), ANX_EINVAL);
    CHECK_EQ(provision("site", pem), 0);
    CHECK_EQ(cred_tls_cert("httpd", "site", &got, &len), 0);
    CHECK_EQ(len, sizeof pem - 1);
    CHECK(memcmp(got, pem, len) == 0);
    CHECK_EQ(cred_tls_cert("ssh", "site", &got, &len), ANX_EPERM);
    CHECK_EQ(cred_tls_cert("httpd", "ci-token", &got, &len), ANX_EINVAL);   /* another type */
    CHECK_STR(cred_type_name(CRED_TLS_CERT), "tls-cert");
    CHECK_EQ(cred_type_parse("tls-cert"), CRED_TLS_CERT);
}

TEST(host_key_from_an_openssh_file_signs)
{
    declare_all();
    uint8_t pk[32], sk[64], got[32], sig[64], msg[] = "exchange hash";
    unit_random_hw = 1;
    crypto_sign_ed25519_keypair(pk, sk);
    CHECK_EQ(provision("host", openssh_file(sk, "none", 0x12345678)), 0);
    CHECK_EQ(cred_host_public_key("ssh", "host", got), 0);
    CHECK(memcmp(got, pk, 32) == 0);
    CHECK_EQ(cred_host_sign("ssh", "host", msg, sizeof msg, sig), 0);
    CHECK_EQ(crypto_sign_ed25519_verify_detached(sig, msg, sizeof msg, pk), 0);
    CHECK_EQ(cred_host_sign("shell", "host", msg, sizeof msg, sig), ANX_EPERM);
    CHECK_EQ(cred_at(3)->origin, CRED_PROVISIONED);
    char fp[64];
    CHECK_EQ(cred_fingerprint("host", fp, sizeof fp), 0);
    CHECK(strncmp(fp, "SHA256:", 7) == 0 && strlen(fp) == 7 + 43);
    CHECK_EQ(cred_fingerprint("keys", fp, sizeof fp), ANX_ENOENT);
    CHECK_EQ(cred_fingerprint("host", fp, 20), ANX_ERANGE);
    /* encrypted, damaged and foreign files are refused (and keep nothing) */
    CHECK_EQ(provision("host", openssh_file(sk, "aes256-ctr", 0x12345678)), ANX_EINVAL);
    CHECK_EQ(provision("host", openssh_file(sk, "none", 0x12345679)), ANX_EINVAL);
    CHECK_EQ(provision("host", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
             ANX_EINVAL);
    CHECK_EQ(provision("host", "ssh-ed25519 AAAA"), ANX_EINVAL);
    CHECK_EQ(cred_host_public_key("ssh", "host", got), 0);   /* the good key is still there */
    CHECK(memcmp(got, pk, 32) == 0);
}

TEST(host_key_generated_only_with_a_random_source)
{
    declare_all();
    uint8_t a[32], b[32];
    unit_random_hw = 1;
    CHECK_EQ(cred_generate_host_key("host"), 0);
    CHECK_EQ(cred_at(3)->origin, CRED_GENERATED);
    CHECK_EQ(cred_host_public_key("ssh", "host", a), 0);
    CHECK_EQ(cred_remove("host"), 0);
    CHECK_EQ(cred_at(3)->origin, CRED_MISSING);
    CHECK_EQ(cred_host_public_key("ssh", "host", b), 0);     /* made at first use */
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_EQ(cred_generate_host_key("admin-password"), ANX_EINVAL);
}

TEST(authorized_keys_match_ed25519_lines)
{
    declare_all();
    uint8_t pk[32], sk[64], other[32], osk[64];
    unit_random_hw = 1;
    crypto_sign_ed25519_keypair(pk, sk);
    crypto_sign_ed25519_keypair(other, osk);
    char text[1024];
    snprintf(text, sizeof text,
             "# team keys\n\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== old\r\n%s\n",
             authorized_line(other, "from=\"10.0.0.1\",command=\"echo a b\""));
    CHECK_EQ(provision("keys", text), 0);
    CHECK_EQ(cred_authorized_key("ssh", "keys", other, NULL, 0), 0);
    CHECK_EQ(cred_authorized_key("ssh", "keys", pk, NULL, 0), ANX_EAUTH);
    snprintf(text + strlen(text), sizeof text - strlen(text), "%s\n", authorized_line(pk, ""));
    CHECK_EQ(provision("keys", text), 0);
    CHECK_EQ(cred_authorized_key("ssh", "keys", pk, NULL, 0), 0);
    CHECK_EQ(cred_authorized_key("httpd", "keys", pk, NULL, 0), ANX_EPERM);
    /* a commented-out key does not count */
    char commented[300];
    snprintf(commented, sizeof commented, "#%s\n", authorized_line(pk, ""));
    CHECK_EQ(provision("keys", commented), 0);
    CHECK_EQ(cred_authorized_key("ssh", "keys", pk, NULL, 0), ANX_EAUTH);
}

TEST(authorized_keys_scopes_option)
{
    declare_all();
    uint8_t pk[32], sk[64], other[32], osk[64], third[32], tsk[64];
    unit_random_hw = 1;
    crypto_sign_ed25519_keypair(pk, sk);
    crypto_sign_ed25519_keypair(other, osk);
    crypto_sign_ed25519_keypair(third, tsk);
    char text[2048], scopes[32];
    int n = snprintf(text, sizeof text, "%s\n", authorized_line(pk, "restrict,scopes=\"objects,console\""));
    n += snprintf(text + n, sizeof text - (size_t)n, "%s\n", authorized_line(other, "command=\"a,b\""));
    snprintf(text + n, sizeof text - (size_t)n, "%s\n",
             authorized_line(third, "scopes=\"objects,credentials,console,admin\""));
    CHECK_EQ(provision("keys", text), 0);
    CHECK_EQ(cred_authorized_key("ssh", "keys", pk, scopes, sizeof scopes), 0);
    CHECK_STR(scopes, "objects,console");
    /* no scopes option (a comma inside another option's quotes is not one): every scope */
    CHECK_EQ(cred_authorized_key("ssh", "keys", other, scopes, sizeof scopes), 0);
    CHECK_STR(scopes, "");
    /* too long for the buffer: cut after a whole scope, never to "" (which would be all) */
    CHECK_EQ(cred_authorized_key("ssh", "keys", third, scopes, 20), 0);
    CHECK_STR(scopes, "objects,credentials");
    CHECK_EQ(cred_authorized_key("ssh", "keys", third, scopes, 5), 0);
    CHECK_STR(scopes, "none");
}

TEST(required_but_missing_says_how_to_give_it)
{
    declare_all();
    unit_console_clear();
    CHECK_EQ(cred_require("ssh"), ANX_ENOENT);
    CHECK(strstr(unit_console, "credential 'admin-password' (password, for ssh) is required but was not "
                               "provisioned: give it with `anx run --secret admin-password=FILE`") != NULL);
    CHECK(strstr(unit_console, "credential 'keys' (ssh-authorized-keys, for ssh)") != NULL);
    CHECK(strstr(unit_console, "'host'") == NULL);           /* not required: generated */
    CHECK_EQ(cred_require("httpd"), 0);
    CHECK_EQ(provision("admin-password", "pw"), 0);
    CHECK_EQ(provision("keys", ""), 0);
    CHECK_EQ(cred_require("ssh"), 0);
}

TEST(payloads_are_wiped_before_free)
{
    declare_all();
    cred_wipe_hook = on_wipe;
    wiped = wiped_nonzero = 0;
    CHECK_EQ(provision("ci-token", TOKEN), 0);
    CHECK_EQ(wiped, 0);
    CHECK_EQ(cred_remove("ci-token"), 0);
    CHECK_EQ(wiped, 1);
    CHECK_EQ(wiped_len, 32);
    CHECK_EQ(wiped_nonzero, 0);
    CHECK_EQ(provision("ci-token", TOKEN), 0);
    CHECK_EQ(provision("ci-token", TOKEN "2"), 0);          /* replacing wipes the old one */
    CHECK_EQ(wiped, 2);
    CHECK_EQ(provision("admin-password", PASSWORD), 0);
    cred_store_reset();                                       /* both remaining payloads */
    CHECK_EQ(wiped, 4);
    CHECK_EQ(wiped_nonzero, 0);
    CHECK_EQ(cred_count(), 0);
    cred_wipe_hook = NULL;
}

TEST(shell_added_credentials_are_dropped_by_rm)
{
    declare_all();
    const struct cred_info *before;
    CHECK_EQ(cred_find("shell", "admin-password", &before), 0);
    struct cred_decl d = {"temp", "password", "shell", "shell", "", 0, 1};
    for (int i = 0; i < 20; i++) {                             /* grow the table past its first block */
        char name[16];
        snprintf(name, sizeof name, "extra%d", i);
        struct cred_decl x = {name, "api-token", "httpd", "httpd", "", 0, 1};
        CHECK_EQ(cred_declare(&x), 0);
    }
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "extra%d", i);
        CHECK_EQ(cred_remove(name), 0);
    }
    CHECK(cred_at(0) == before);                              /* handed-out metadata stays put */
    CHECK_STR(before->name, "admin-password");
    CHECK_EQ(cred_declare(&d), 0);
    CHECK_EQ(cred_provision("temp", (const uint8_t *)"pw", 2, CRED_ADDED), 0);
    CHECK_EQ(cred_at(7)->origin, CRED_ADDED);
    CHECK_EQ(cred_remove("temp"), 0);
    CHECK_EQ(cred_count(), 7);
    CHECK_EQ(cred_remove("admin-password"), 0);             /* declared: stays, without value */
    CHECK_EQ(cred_count(), 7);
    CHECK_EQ(cred_remove("temp"), ANX_ENOENT);
}

TEST(secrets_derive_keys_and_seal_host_keys)
{
    declare_all();
    unit_random_hw = 1;
    uint8_t k1[32], k2[32], k3[32], pk[32], pk2[32], blob[CRED_SEALED_SIZE], bad[CRED_SEALED_SIZE];
    CHECK_EQ(provision("store-key", "too short"), ANX_EINVAL);
    CHECK_EQ(provision("store-key", "0123456789abcdef0123456789abcdef"), 0);
    CHECK_EQ(cred_derive_key("cred-persist", "store-key", "a", k1), 0);
    CHECK_EQ(cred_derive_key("cred-persist", "store-key", "a", k2), 0);
    CHECK_EQ(cred_derive_key("cred-persist", "store-key", "b", k3), 0);
    CHECK(memcmp(k1, k2, 32) == 0 && memcmp(k1, k3, 32) != 0);
    CHECK_EQ(cred_derive_key("ssh", "store-key", "a", k1), ANX_EPERM);
    /* seal, forget, unseal: the same key comes back */
    CHECK_EQ(cred_host_public_key("ssh", "host2", pk), 0);       /* generated now */
    CHECK_EQ(cred_host_key_seal("cred-persist", "host2", "store-key", blob), 0);
    CHECK_EQ(cred_host_key_seal("ssh", "host2", "store-key", blob + 0), ANX_EPERM);   /* no grant on store-key */
    CHECK_EQ(cred_remove("host2"), 0);
    CHECK_EQ(cred_host_key_unseal("cred-persist", "host2", "store-key", blob, sizeof blob), 0);
    CHECK_EQ(cred_at(6)->origin, CRED_RESTORED);
    CHECK_EQ(cred_host_public_key("ssh", "host2", pk2), 0);
    CHECK(memcmp(pk, pk2, 32) == 0);
    /* every bit counts: a flipped one anywhere is refused */
    for (size_t i = 1; i < sizeof blob; i += 7) {
        memcpy(bad, blob, sizeof bad);
        bad[i] ^= 1;
        CHECK_EQ(cred_host_key_unseal("cred-persist", "host2", "store-key", bad, sizeof bad), ANX_EAUTH);
    }
    CHECK_EQ(cred_host_key_unseal("cred-persist", "host2", "store-key", blob, sizeof blob - 1), ANX_ECORRUPT);
    /* another secret, or another credential's name (the associated data): refused */
    CHECK_EQ(provision("store-key", "another secret, also 32 bytes long"), 0);
    CHECK_EQ(cred_host_key_unseal("cred-persist", "host2", "store-key", blob, sizeof blob), ANX_EAUTH);
    CHECK_EQ(cred_at(6)->origin, CRED_RESTORED);                /* the refused blob changed nothing */
    CHECK_EQ(provision("store-key", "0123456789abcdef0123456789abcdef"), 0);
    struct cred_decl other = {"host3", "ssh-host-key", "cred-persist", "cred-persist", "", 0, 1};
    CHECK_EQ(cred_declare(&other), 0);
    CHECK_EQ(cred_host_key_unseal("cred-persist", "host3", "store-key", blob, sizeof blob), ANX_EAUTH);
    /* two seals of one key differ (a fresh nonce each) */
    CHECK_EQ(cred_host_key_seal("cred-persist", "host2", "store-key", bad), 0);
    CHECK(memcmp(bad, blob, sizeof blob) != 0);
}

/* ---- the hidden line ------------------------------------------------------- */

struct keys {
    const char *s;
    size_t at, n;
};

static int next_key(void *arg)
{
    struct keys *k = arg;
    return k->at < k->n ? (unsigned char)k->s[k->at++] : -1;
}

static int hidden(const char *typed, size_t n, char *buf, size_t bufn, size_t *len)
{
    struct keys k = {typed, 0, n};
    return cred_read_hidden(next_key, &k, buf, bufn, len);
}

TEST(hidden_line_editing)
{
    char buf[16];
    size_t len;
    CHECK_EQ(hidden("abc\x7f" "d\r", 6, buf, sizeof buf, &len), 0);
    CHECK_STR(buf, "abd");
    CHECK_EQ(len, 3);
    CHECK_EQ(hidden("xyz\x15pw\x1b\n", 8, buf, sizeof buf, &len), 0);   /* Ctrl-U clears, Esc ignored */
    CHECK_STR(buf, "pw");
    CHECK_EQ(hidden("secret\x03", 7, buf, sizeof buf, &len), ANX_EAGAIN);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK(buf[i] == 0);
    CHECK_EQ(hidden("0123456789abcdefghij\r", 21, buf, sizeof buf, &len), ANX_ERANGE);
    CHECK(buf[0] == 0);
    CHECK_EQ(hidden("abc", 3, buf, sizeof buf, &len), ANX_EAGAIN);       /* input ended */
}

int main(void)
{
    unit_heap_init(8u << 20);
    unit_random_hw = 1;              /* salts and keys: the CPU instruction of the unit platform */
    cred_set_pwhash_cost(1, 8192);   /* libsodium's minimum: the test is about the store */
    RUN(grants_decide_who_may_use_a_credential);
    RUN(passwords_are_kept_as_argon2id_hashes);
    RUN(tokens_are_kept_as_sha256_and_matched);
    RUN(tls_certs_are_pem_with_a_certificate_and_a_key);
    RUN(host_key_from_an_openssh_file_signs);
    RUN(host_key_generated_only_with_a_random_source);
    RUN(authorized_keys_match_ed25519_lines);
    RUN(authorized_keys_scopes_option);
    RUN(required_but_missing_says_how_to_give_it);
    RUN(payloads_are_wiped_before_free);
    RUN(shell_added_credentials_are_dropped_by_rm);
    RUN(secrets_derive_keys_and_seal_host_keys);
    RUN(hidden_line_editing);
    return unit_done();
}
