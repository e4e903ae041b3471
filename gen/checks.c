/*
 * The kinds of test checks a manifest's `test:` list may hold, as a table:
 * the key that selects the kind, the keys it accepts, how to parse it and
 * how test_runner.c runs it. A new kind (ssh:, screenshot:) is one row,
 * one parse function and one run function.
 */
#include "anx.h"

#include <regex.h>
#include <string.h>

#define DEFAULT_TIMEOUT_NS 10000000000ULL

static const char *const serial_keys[] = {"serial", "timeout", "name"};
static const char *const shell_keys[] = {"shell", "expect", "timeout", "name"};
static const char *const exit_keys[] = {"exit", "timeout", "name"};
static const char *const http_keys[] = {"http", "method", "body", "headers", "port", "status", "expect", "timeout", "name"};

/* A regex must compile now, so a typo fails at `anx check`, not mid-boot. */
static int regex_field(const struct ynode *map, const char *key, bool required, char **out)
{
    const struct ynode *v = ymap_get(map, key);
    if (!v) {
        if (required) {
            diag_error(&map->mark, "check is missing '%s' (the regular expression expected)", key);
            return -1;
        }
        return 0;
    }
    if (yget_string(v, xasprintf("'%s'", key), out))
        return -1;
    regex_t re;
    int rc = regcomp(&re, *out, REG_EXTENDED | REG_NEWLINE);
    if (rc) {
        char msg[200];
        regerror(rc, &re, msg, sizeof msg);
        diag_error(&v->mark, "invalid regular expression for '%s': %s", key, msg);
        return -1;
    }
    regfree(&re);
    return 0;
}

static int parse_serial(const struct ynode *map, struct check *c)
{
    if (regex_field(map, "serial", true, &c->arg))
        return -1;
    c->label = xasprintf("serial \"%s\"", yshow(c->arg, strlen(c->arg)));
    return 0;
}

static int parse_shell(const struct ynode *map, struct check *c)
{
    const struct ynode *v = ymap_get(map, "shell");
    if (yget_string(v, "'shell'", &c->arg))
        return -1;
    if (strchr(c->arg, '\n') || strchr(c->arg, '\r')) {
        diag_error(&v->mark, "'shell' must be one command line, without line breaks");
        return -1;
    }
    if (regex_field(map, "expect", true, &c->expect))
        return -1;
    c->label = xasprintf("shell \"%s\"", yshow(c->arg, strlen(c->arg)));
    return 0;
}

static int parse_exit(const struct ynode *map, struct check *c)
{
    if (yget_int(ymap_get(map, "exit"), "'exit'", 0, 255, &c->status))
        return -1;
    c->label = xasprintf("exit %lld", (long long)c->status);
    return 0;
}

static int parse_http(const struct ynode *map, struct check *c)
{
    const struct ynode *v = ymap_get(map, "http");
    if (yget_string(v, "'http' (the request path)", &c->arg))
        return -1;
    if (c->arg[0] != '/') {
        diag_error(&v->mark, "expected a request path starting with '/' for 'http', found %s", ykind_name(v));
        return -1;
    }
    c->method = "GET";
    c->status = -1;
    if ((v = ymap_get(map, "method"))) {
        static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
        if (yget_string(v, "'method'", &c->method))
            return -1;
        bool ok = false;
        for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
            ok |= !strcmp(c->method, methods[i]);
        if (!ok) {
            diag_error(&v->mark, "unknown HTTP method %s (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)%s",
                       ykind_name(v), suggest(c->method, methods, 7));
            return -1;
        }
    }
    if ((v = ymap_get(map, "body")) && yget_string(v, "'body'", &c->body))
        return -1;
    if ((v = ymap_get(map, "headers"))) {
        if (v->kind != Y_MAP) {
            diag_error(&v->mark, "expected 'headers' to be a mapping of header names to values, found %s",
                       ykind_name(v));
            return -1;
        }
        for (size_t i = 0; i < v->n; i++) {
            const struct ynode *k = v->pairs[i].key, *val = v->pairs[i].val;
            char *value;
            bool token = k->len > 0;
            for (size_t j = 0; j < k->len; j++)
                token &= k->str[j] > 32 && k->str[j] < 127 && !strchr("()<>@,;:\\\"/[]?={}", k->str[j]);
            if (!token) {
                diag_error(&k->mark, "invalid HTTP header name %s", ykind_name(k));
                return -1;
            }
            if (yget_string(val, xasprintf("header '%s'", k->str), &value))
                return -1;
            if (strchr(value, '\n') || strchr(value, '\r')) {
                diag_error(&val->mark, "header '%s' must be one line", k->str);
                return -1;
            }
            strlist_push(&c->headers, xasprintf("%s: %s", k->str, value));
        }
    }
    if ((v = ymap_get(map, "port")) && yget_int(v, "'port'", 1, 65535, &c->port))
        return -1;
    if ((v = ymap_get(map, "status")) && yget_int(v, "'status'", 100, 599, &c->status))
        return -1;
    if (regex_field(map, "expect", false, &c->expect))
        return -1;
    c->label = xasprintf("http %s %s", c->method, yshow(c->arg, strlen(c->arg)));
    return 0;
}

const struct check_type check_types[] = {
    {"serial", serial_keys, 3, parse_serial, run_serial},
    {"shell", shell_keys, 4, parse_shell, run_shell},
    {"exit", exit_keys, 3, parse_exit, run_exit},
    {"http", http_keys, 9, parse_http, run_http},
};
const size_t check_type_count = sizeof check_types / sizeof check_types[0];

int check_parse(const struct ynode *n, struct check *c)
{
    int errs0 = diag_errors;
    memset(c, 0, sizeof *c);
    c->mark = n->mark;
    c->timeout_ns = DEFAULT_TIMEOUT_NS;
    if (n->kind != Y_MAP) {
        diag_error(&n->mark, "expected a check (a mapping like 'serial: REGEX'), found %s", ykind_name(n));
        return -1;
    }
    const struct check_type *type = NULL;
    for (size_t i = 0; i < check_type_count; i++) {
        if (!ymap_get(n, check_types[i].key))
            continue;
        if (type) {
            diag_error(&ymap_pair(n, check_types[i].key)->key->mark,
                       "a check has one kind, found both '%s' and '%s'", type->key, check_types[i].key);
            return -1;
        }
        type = &check_types[i];
    }
    if (!type) {
        /* Suggest among every key any check kind accepts. */
        const char *all[32];
        size_t na = 0;
        for (size_t i = 0; i < check_type_count; i++)
            all[na++] = check_types[i].key;
        for (size_t i = 0; i < check_type_count; i++)
            for (size_t j = 1; j < check_types[i].nkeys && na < 32; j++) {
                bool dup = false;
                for (size_t k = 0; k < na; k++)
                    dup |= !strcmp(all[k], check_types[i].keys[j]);
                if (!dup)
                    all[na++] = check_types[i].keys[j];
            }
        if (ymap_check_keys(n, all, na, "in test check") == 0)
            diag_error(&n->mark, "expected a check kind: 'serial', 'shell', 'exit' or 'http'");
        return -1;
    }
    c->type = type;
    if (ymap_check_keys(n, type->keys, type->nkeys, xasprintf("in '%s' check", type->key)))
        return -1;
    const struct ynode *v;
    if ((v = ymap_get(n, "timeout"))) {
        if (yget_duration(v, "'timeout'", &c->timeout_ns))
            return -1;
        if (c->timeout_ns == 0 || c->timeout_ns > 3600000000000ULL) {
            diag_error(&v->mark, "'timeout' must be between 1ns and 1h, found %s", ykind_name(v));
            return -1;
        }
    }
    char *name = NULL;
    if ((v = ymap_get(n, "name")) && yget_string(v, "'name'", &name))
        return -1;
    if (type->parse(n, c))
        return -1;
    if (name)
        c->label = name;
    return diag_errors - errs0 ? -1 : 0;
}
