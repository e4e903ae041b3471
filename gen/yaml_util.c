/*
 * YAML in, a small tree out. libyaml's event API gives positions for every
 * node; we keep them so that every later error — an unknown key, a wrong
 * unit, a missing module — can name file:line:col. The tree is deliberately
 * plain (null, scalar, map, list): manifests need nothing else, and refusing
 * aliases, tags tricks and duplicate keys keeps the meaning obvious.
 */
#include "anx.h"

#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64
#define MAX_NODES 200000   /* ample for any manifest; stops memory blow-ups */

struct yctx {
    yaml_parser_t p;
    const char *file;
    const char *data;
    size_t len;
    size_t nodes;
};

const char *yshow(const char *s, size_t len)
{
    return yshow_n(s, len, 60);
}

const char *yshow_n(const char *s, size_t len, size_t max)
{
    struct buf b = {0};
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            buf_puts(&b, "\\n");
        else if (c == '\r')
            buf_puts(&b, "\\r");
        else if (c == '\t')
            buf_puts(&b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            buf_printf(&b, "\\x%02x", c);
        else
            buf_add(&b, &s[i], 1);
    }
    if (len > max)
        buf_puts(&b, "...");
    return buf_cstr(&b);
}

static struct mark mark_at(struct yctx *c, yaml_mark_t m)
{
    struct mark r = {c->file, (int)m.line + 1, (int)m.column + 1};
    return r;
}

/* Reader errors (bad UTF-8, control characters) only carry a byte offset. */
static struct mark mark_offset(struct yctx *c, size_t off)
{
    struct mark r = {c->file, 1, 1};
    for (size_t i = 0; i < off && i < c->len; i++) {
        if (c->data[i] == '\n') {
            r.line++;
            r.col = 1;
        } else if (((unsigned char)c->data[i] & 0xc0) != 0x80) {
            r.col++;
        }
    }
    return r;
}

/* What libyaml's contexts are about, in the user's words, and how to fix
 * the usual mistake. Block ones are reported at the line that broke them
 * (the mistake is its indentation); the others at where they start, since
 * the fix (a missing quote or bracket) belongs there and the parser often
 * gives up only at the end of the file. */
static const struct ycontext {
    const char *context;   /* libyaml's, exactly */
    const char *thing;
    bool block;
    const char *problem;   /* the entry is for this problem only (NULL: any) */
    const char *hint;      /* NULL: none that would be right every time */
} contexts[] = {
    {"while scanning a quoted scalar", "the quoted string", false, "found unexpected end of stream",
     "add the closing quote"},
    {"while scanning a quoted scalar", "the quoted string", false, NULL, NULL},
    {"while parsing a quoted scalar", "the quoted string", false, "found unknown escape character",
     "in double quotes write a backslash as \\\\, or use single quotes"},
    {"while parsing a flow sequence", "the [ ] list", false, NULL,
     "close it with ']' and separate its items with ','"},
    {"while parsing a flow mapping", "the { } mapping", false, NULL,
     "close it with '}' and separate its entries with ','"},
    {"while scanning a simple key", "the key", false, NULL, "write a key and its ':' on one line"},
    {"while scanning a block scalar", "the block text (| or >)", false, NULL, NULL},
    {"while parsing a block mapping", "the mapping", true, NULL,
     "keys of one mapping start in the same column: check this line's indentation"},
    {"while parsing a block collection", "the list", true, NULL,
     "items of one list start with '- ' in the same column: check this line's indentation"},
};

static const struct ycontext *find_context(const char *context, const char *problem)
{
    for (size_t i = 0; i < sizeof contexts / sizeof contexts[0]; i++)
        if (!strcmp(contexts[i].context, context) &&
            (!contexts[i].problem || !strcmp(contexts[i].problem, problem)))
            return &contexts[i];
    return NULL;
}

/* Reports libyaml's error where the user can act on it: at a tab, as a tab
 * (libyaml only says "cannot start any token"); else at the start of what
 * was left open, with where the parser gave up in the text and as a note. */
static void report_yaml_error(struct yctx *c)
{
    yaml_parser_t *p = &c->p;
    if (p->error == YAML_READER_ERROR) {
        struct mark m = mark_offset(c, p->problem_offset);
        diag_error(&m, "invalid YAML: %s", p->problem ? p->problem : "unreadable input");
        return;
    }
    struct mark pm = mark_at(c, p->problem_mark);
    const char *problem = p->problem ? p->problem : "malformed document";
    size_t at = p->problem_mark.index;
    if (at < c->len && c->data[at] == '\t') {
        diag_error(&pm, "invalid YAML: a tab character; YAML indents with spaces (replace the tab with spaces)");
        return;
    }
    if (!p->context) {
        bool colon = !strcmp(problem, "mapping values are not allowed in this context");
        diag_error(&pm, "invalid YAML: %s%s", problem,
                   colon ? "; a value that holds ': ' needs quotes, and a key lines up with the keys above it" : "");
        return;
    }
    struct mark cm = mark_at(c, p->context_mark);
    const struct ycontext *k = find_context(p->context, problem);
    const char *hint = k && k->hint ? xasprintf("; %s", k->hint) : "";
    if (cm.line == pm.line && cm.col == pm.col) {
        diag_error(&pm, "invalid YAML: %s (%s)%s", problem, p->context, hint);
        return;
    }
    const char *thing = k ? k->thing : xasprintf("what was open (%s)", p->context);
    if (k && k->block) {
        diag_error(&pm, "invalid YAML: %s, inside %s that starts at %d:%d%s", problem, thing, cm.line, cm.col, hint);
        diag_note(&cm, "%s starts here", thing);
    } else {
        diag_error(&cm, "invalid YAML: %s at %d:%d, inside %s that starts here%s", problem, pm.line, pm.col,
                   thing, hint);
        diag_note(&pm, "the parser gave up here");
    }
}

static int next(struct yctx *c, yaml_event_t *ev)
{
    if (yaml_parser_parse(&c->p, ev))
        return 0;
    report_yaml_error(c);
    return -1;
}

const char *ykind_name(const struct ynode *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case Y_NULL:
        return "nothing (null)";
    case Y_MAP:
        return "a mapping";
    case Y_SEQ:
        return "a list";
    case Y_SCALAR:
        return xasprintf("'%s'", yshow(n->str, n->len));
    }
    return "?";
}

static struct ynode *ybuild(struct yctx *c, yaml_event_t *ev, int depth);

static struct ynode *new_node(struct yctx *c, enum ykind k, yaml_event_t *ev)
{
    struct ynode *n = xcalloc(1, sizeof *n);
    n->kind = k;
    n->mark = mark_at(c, ev->start_mark);
    c->nodes++;
    return n;
}

static struct ynode *build_seq(struct yctx *c, struct ynode *n, int depth)
{
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (next(c, &ev))
            return NULL;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return n;
        }
        struct ynode *item = ybuild(c, &ev, depth + 1);
        if (!item)
            return NULL;
        if (n->n == cap) {
            cap = cap ? cap * 2 : 4;
            n->items = xrealloc(n->items, cap * sizeof *n->items);
        }
        n->items[n->n++] = item;
    }
}

/* Reports a key the map cannot hold: not a plain name, or a repeat. */
static bool bad_key(const struct ynode *n, const struct ynode *key)
{
    if (key->kind != Y_SCALAR) {
        diag_error(&key->mark, "expected a plain key (a name), found %s", ykind_name(key));
        return true;
    }
    if (strlen(key->str) != key->len || key->len == 0) {
        diag_error(&key->mark, "expected a key name, found '%s'", yshow(key->str, key->len));
        return true;
    }
    for (size_t i = 0; i < n->n; i++) {
        if (!strcmp(n->pairs[i].key->str, key->str)) {
            diag_error(&key->mark, "duplicate key '%s' (first defined at line %d)", yshow(key->str, key->len),
                       n->pairs[i].key->mark.line);
            return true;
        }
    }
    return false;
}

static struct ynode *build_map(struct yctx *c, struct ynode *n, int depth)
{
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (next(c, &ev))
            return NULL;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return n;
        }
        struct ynode *key = ybuild(c, &ev, depth + 1);
        if (!key)
            return NULL;
        /* A bad key is reported and its pair dropped, but the parse goes
         * on so the rest of the document's mistakes are reported too. */
        bool skip = bad_key(n, key);
        if (next(c, &ev))
            return NULL;
        struct ynode *val = ybuild(c, &ev, depth + 1);
        if (!val)
            return NULL;
        if (skip)
            continue;
        if (n->n == cap) {
            cap = cap ? cap * 2 : 4;
            n->pairs = xrealloc(n->pairs, cap * sizeof *n->pairs);
        }
        n->pairs[n->n].key = key;
        n->pairs[n->n].val = val;
        n->n++;
    }
}

/* Builds the node that starts with ev (and deletes ev). */
static struct ynode *ybuild(struct yctx *c, yaml_event_t *ev, int depth)
{
    struct ynode *n = NULL;
    if (depth > MAX_DEPTH) {
        struct mark m = mark_at(c, ev->start_mark);
        diag_error(&m, "nesting deeper than %d levels", MAX_DEPTH);
        yaml_event_delete(ev);
        return NULL;
    }
    if (c->nodes > MAX_NODES) {
        struct mark m = mark_at(c, ev->start_mark);
        diag_error(&m, "document too large (more than %d nodes)", MAX_NODES);
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        bool isnull = plain && (len == 0 || !strcmp(v, "~") || !strcmp(v, "null") ||
                                !strcmp(v, "Null") || !strcmp(v, "NULL"));
        n = new_node(c, isnull ? Y_NULL : Y_SCALAR, ev);
        n->str = xstrndup(v, len);
        n->len = len;
        n->quoted = !plain;
        yaml_event_delete(ev);
        return n;
    }
    case YAML_ALIAS_EVENT: {
        struct mark m = mark_at(c, ev->start_mark);
        diag_error(&m, "YAML aliases (*%s) are not supported; write the value out",
                   yshow((const char *)ev->data.alias.anchor, strlen((const char *)ev->data.alias.anchor)));
        yaml_event_delete(ev);
        return NULL;
    }
    case YAML_SEQUENCE_START_EVENT:
        n = new_node(c, Y_SEQ, ev);
        yaml_event_delete(ev);
        return build_seq(c, n, depth);
    case YAML_MAPPING_START_EVENT:
        n = new_node(c, Y_MAP, ev);
        yaml_event_delete(ev);
        return build_map(c, n, depth);
    default: {
        struct mark m = mark_at(c, ev->start_mark);
        diag_error(&m, "invalid YAML: unexpected event");
        yaml_event_delete(ev);
        return NULL;
    }
    }
}

struct ynode *yaml_load(const char *file, const char *data, size_t len)
{
    struct yctx c = {.file = file, .data = data, .len = len};
    struct ynode *root = NULL;
    yaml_event_t ev;
    if (!yaml_parser_initialize(&c.p)) {
        diag_error(NULL, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&c.p, (const unsigned char *)data, len);
    if (next(&c, &ev))   /* STREAM-START */
        goto out;
    yaml_event_delete(&ev);
    if (next(&c, &ev))
        goto out;
    if (ev.type == YAML_STREAM_END_EVENT) {
        /* Empty file: a null document at 1:1. */
        root = xcalloc(1, sizeof *root);
        root->kind = Y_NULL;
        root->mark = (struct mark){file, 1, 1};
        yaml_event_delete(&ev);
        goto out;
    }
    yaml_event_delete(&ev);   /* DOCUMENT-START */
    if (next(&c, &ev))
        goto out;
    struct ynode *doc = ybuild(&c, &ev, 0);
    if (!doc)
        goto out;
    if (next(&c, &ev))   /* DOCUMENT-END */
        goto out;
    yaml_event_delete(&ev);
    if (next(&c, &ev))
        goto out;
    if (ev.type != YAML_STREAM_END_EVENT) {
        struct mark m = mark_at(&c, ev.start_mark);
        diag_error(&m, "only one YAML document is allowed (remove the '---' separator)");
        yaml_event_delete(&ev);
        goto out;
    }
    yaml_event_delete(&ev);
    root = doc;
out:
    yaml_parser_delete(&c.p);
    return root;
}

struct ypair *ymap_pair(const struct ynode *map, const char *key)
{
    if (!map || map->kind != Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->pairs[i].key->str, key))
            return &map->pairs[i];
    return NULL;
}

struct ynode *ymap_get(const struct ynode *map, const char *key)
{
    struct ypair *p = ymap_pair(map, key);
    return p ? p->val : NULL;
}

int ymap_check_keys(const struct ynode *map, const char *const *allowed, size_t n, const char *what)
{
    int errs = 0;
    for (size_t i = 0; i < map->n; i++) {
        const struct ynode *k = map->pairs[i].key;
        bool ok = false;
        for (size_t j = 0; j < n && !ok; j++)
            ok = !strcmp(k->str, allowed[j]);
        if (ok)
            continue;
        diag_error(&k->mark, "unknown key '%s'%s%s%s", yshow(k->str, k->len), what ? " " : "",
                   what ? what : "", suggest(k->str, allowed, n));
        errs++;
    }
    return errs;
}

int ymap_expect(const struct ynode *n, const char *what)
{
    if (n->kind == Y_MAP)
        return 0;
    diag_error(&n->mark, "expected a mapping (key: value lines) for %s, found %s", what, ykind_name(n));
    return -1;
}

/* A scalar without embedded NUL bytes, or -1 after an error. */
static int scalar(const struct ynode *n, const char *expected, const char *what)
{
    if (n->kind != Y_SCALAR) {
        diag_error(&n->mark, "expected %s for %s, found %s", expected, what, ykind_name(n));
        return -1;
    }
    if (strlen(n->str) != n->len) {
        diag_error(&n->mark, "%s contains a NUL character", what);
        return -1;
    }
    return 0;
}

int yget_string(const struct ynode *n, const char *what, char **out)
{
    if (scalar(n, "a string", what))
        return -1;
    *out = n->str;
    return 0;
}

int yget_int(const struct ynode *n, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;
    if (scalar(n, "an integer", what))
        return -1;
    int r = parse_int(n->str, &v);
    if (r == -1) {
        diag_error(&n->mark, "expected an integer for %s, found %s", what, ykind_name(n));
        return -1;
    }
    if (r == -2 || v < lo || v > hi) {
        diag_error(&n->mark, "%s must be between %lld and %lld, found %s", what, (long long)lo,
                   (long long)hi, ykind_name(n));
        return -1;
    }
    *out = v;
    return 0;
}

int yget_size(const struct ynode *n, const char *what, uint64_t *out)
{
    if (scalar(n, "a size (like 64M)", what))
        return -1;
    int r = parse_size(n->str, out);
    if (r == -1) {
        diag_error(&n->mark,
                   "expected a size for %s (a whole number and K, M, G or T, optionally followed by B or iB, "
                   "in any case: 64M, 64MB, 64MiB), found %s",
                   what, ykind_name(n));
        return -1;
    }
    if (r == -2) {
        diag_error(&n->mark, "size %s for %s is too large", ykind_name(n), what);
        return -1;
    }
    return 0;
}

int yget_duration(const struct ynode *n, const char *what, uint64_t *out)
{
    if (scalar(n, "a duration (like 5s)", what))
        return -1;
    int r = parse_duration(n->str, out);
    int64_t bare;
    if (r == -1 && parse_int(n->str, &bare) == 0) {
        diag_error(&n->mark, "expected a duration for %s, found %s without a unit: write ns, us, ms, s, m or h after "
                   "the number, like %llds",
                   what, ykind_name(n), (long long)bare);
        return -1;
    }
    if (r == -1) {
        diag_error(&n->mark, "expected a duration for %s (a number with ns, us, ms, s, m or h, like 5s), found %s",
                   what, ykind_name(n));
        return -1;
    }
    if (r == -2) {
        diag_error(&n->mark, "duration %s for %s is too large", ykind_name(n), what);
        return -1;
    }
    return 0;
}

int yget_bool(const struct ynode *n, const char *what, bool *out)
{
    if (scalar(n, "true or false", what))
        return -1;
    if (parse_bool(n->str, out)) {
        diag_error(&n->mark, "expected true or false for %s, found %s", what, ykind_name(n));
        return -1;
    }
    return 0;
}

int yget_strlist(const struct ynode *n, const char *what, struct strlist *out, struct mark **marks)
{
    if (n->kind == Y_NULL)
        return 0;
    if (n->kind != Y_SEQ) {
        diag_error(&n->mark, "expected a list (like [a, b]) for %s, found %s", what, ykind_name(n));
        return -1;
    }
    if (marks)
        *marks = xcalloc(n->n ? n->n : 1, sizeof **marks);
    int errs = 0;
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *it = n->items[i];
        if (it->kind != Y_SCALAR || strlen(it->str) != it->len) {
            diag_error(&it->mark, "expected a string in the list %s, found %s", what, ykind_name(it));
            errs++;
            continue;
        }
        if (marks)
            (*marks)[out->n] = it->mark;
        strlist_push(out, it->str);
    }
    return errs ? -1 : 0;
}
