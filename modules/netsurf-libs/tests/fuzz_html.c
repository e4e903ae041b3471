/*
 * libFuzzer target of libhubbub, the HTML5 parser NetSurf builds every page
 * with, as this image compiles it (netsurf-libs' third_party: entry, with
 * patch 0014's depth cap). The first byte picks how the rest is cut into
 * chunks and which encoding the parser is told; the rest is the page.
 *
 * The tree handler keeps a real tree (parent, children, siblings), so the
 * tree builder's reparenting, foster parenting and adoption agency run as
 * they do under libdom. Nodes are never freed before the input ends (the
 * reference counts are checked instead), so a bug in this harness cannot
 * hide one in hubbub. Beyond ASan/UBSan it checks hubbub's promises: it
 * never moves a node under its own descendant and never unrefs a node more
 * than it was referenced.
 *
 * Patch 0014 caps the depth at which elements and text are inserted, but
 * the adoption agency (misnested formatting elements) can still build a
 * few levels deeper step by step: the fuzzer found trees past 530 from a
 * 4 KiB page. That is a known gap (docs/browser.md), so a tree deeper than
 * MAX_DEPTH is reported on stderr each time the deepest so far doubles,
 * not failed.
 */
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hubbub/hubbub.h>
#include <hubbub/parser.h>
#include <hubbub/tree.h>

/* patch 0014 caps the tree at 512 below the document; foster parenting of
 * table content may add a few levels on top of that */
#define MAX_DEPTH 530

struct node {
    struct node *parent, *first, *last, *prev, *next;
    struct node *all;           /* every node, to free at the end */
    int refs;
};

static struct node *all_nodes;
static struct node document;

static struct node *new_node(void)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        abort();
    n->refs = 1;
    n->all = all_nodes;
    all_nodes = n;
    return n;
}

static int depth(const struct node *n)
{
    int d = 0;
    for (; n; n = n->parent)
        d++;
    return d;
}

static void detach(struct node *c)
{
    struct node *p = c->parent;
    if (!p)
        return;
    if (c->prev) c->prev->next = c->next; else p->first = c->next;
    if (c->next) c->next->prev = c->prev; else p->last = c->prev;
    c->parent = c->prev = c->next = NULL;
}

static void attach(struct node *p, struct node *c, struct node *before)
{
    for (struct node *a = p; a; a = a->parent)
        if (a == c)
            abort();                     /* a node under its own descendant */
    detach(c);
    c->parent = p;
    if (before && before->parent == p) {
        c->next = before;
        c->prev = before->prev;
        if (before->prev) before->prev->next = c; else p->first = c;
        before->prev = c;
    } else {
        c->prev = p->last;
        if (p->last) p->last->next = c; else p->first = c;
        p->last = c;
    }
    static int reported = MAX_DEPTH;
    int d = depth(c);
    if (d > reported) {
        fprintf(stderr, "fuzz_html: a tree %d deep (patch 0014 caps insertion at 512)\n", d);
        reported = d * 2;
    }
}

static hubbub_error create(void *ctx, void **result)
{
    (void)ctx;
    *result = new_node();
    return HUBBUB_OK;
}

static hubbub_error create_comment(void *ctx, const hubbub_string *d, void **r) { (void)d; return create(ctx, r); }
static hubbub_error create_doctype(void *ctx, const hubbub_doctype *d, void **r) { (void)d; return create(ctx, r); }
static hubbub_error create_element(void *ctx, const hubbub_tag *t, void **r) { (void)t; return create(ctx, r); }
static hubbub_error create_text(void *ctx, const hubbub_string *d, void **r) { (void)d; return create(ctx, r); }

static hubbub_error ref_node(void *ctx, void *node)
{
    (void)ctx;
    ((struct node *)node)->refs++;
    return HUBBUB_OK;
}

static hubbub_error unref_node(void *ctx, void *node)
{
    (void)ctx;
    struct node *n = node;
    if (n != &document && --n->refs < 0)
        abort();                         /* released more often than referenced */
    return HUBBUB_OK;
}

static hubbub_error append_child(void *ctx, void *parent, void *child, void **result)
{
    (void)ctx;
    attach(parent, child, NULL);
    ((struct node *)child)->refs++;
    *result = child;
    return HUBBUB_OK;
}

static hubbub_error insert_before(void *ctx, void *parent, void *child, void *ref, void **result)
{
    (void)ctx;
    attach(parent, child, ref);
    ((struct node *)child)->refs++;
    *result = child;
    return HUBBUB_OK;
}

static hubbub_error remove_child(void *ctx, void *parent, void *child, void **result)
{
    (void)ctx;
    struct node *c = child;
    if (c->parent != parent)
        abort();
    detach(c);
    c->refs++;
    *result = c;
    return HUBBUB_OK;
}

static hubbub_error clone_node(void *ctx, void *node, bool deep, void **result)
{
    (void)ctx, (void)node, (void)deep;   /* hubbub clones elements shallowly */
    *result = new_node();
    return HUBBUB_OK;
}

static hubbub_error reparent_children(void *ctx, void *node, void *new_parent)
{
    (void)ctx;
    struct node *n = node;
    while (n->first)
        attach(new_parent, n->first, NULL);
    return HUBBUB_OK;
}

static hubbub_error get_parent(void *ctx, void *node, bool element_only, void **result)
{
    (void)ctx, (void)element_only;
    struct node *p = ((struct node *)node)->parent;
    if (p)
        p->refs++;
    *result = p;
    return HUBBUB_OK;
}

static hubbub_error has_children(void *ctx, void *node, bool *result)
{
    (void)ctx;
    *result = ((struct node *)node)->first != NULL;
    return HUBBUB_OK;
}

static hubbub_error form_associate(void *ctx, void *form, void *node) { (void)ctx, (void)form, (void)node; return HUBBUB_OK; }

static hubbub_error add_attributes(void *ctx, void *node, const hubbub_attribute *a, uint32_t n)
{
    (void)ctx, (void)node;
    static volatile uint8_t sink;
    for (uint32_t i = 0; i < n; i++) {   /* read every byte hubbub hands over (ASan checks them) */
        for (size_t k = 0; k < a[i].name.len; k++)
            sink ^= a[i].name.ptr[k];
        for (size_t k = 0; k < a[i].value.len; k++)
            sink ^= a[i].value.ptr[k];
    }
    return HUBBUB_OK;
}

static hubbub_error set_quirks_mode(void *ctx, hubbub_quirks_mode m) { (void)ctx, (void)m; return HUBBUB_OK; }
static hubbub_error encoding_change(void *ctx, const char *e) { (void)ctx, (void)e; return HUBBUB_OK; }
static hubbub_error complete_script(void *ctx, void *s) { (void)ctx, (void)s; return HUBBUB_OK; }

static hubbub_tree_handler tree = {
    create_comment, create_doctype, create_element, create_text, ref_node, unref_node,
    append_child, insert_before, remove_child, clone_node, reparent_children, get_parent,
    has_children, form_associate, add_attributes, set_quirks_mode, encoding_change,
    complete_script, NULL,
};

static const char *const encodings[] = {NULL, "UTF-8", "ISO-8859-1", "UTF-16", "windows-1252", "Shift_JIS"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++, size--;
    size_t chunk = (mode & 7) ? (size_t)1 << ((mode & 7) * 2) : size;   /* 4, 16 ... 16384 or whole */
    const char *enc = encodings[(mode >> 3) % 6];

    hubbub_parser *p;
    if (hubbub_parser_create(enc, (mode & 0x80) != 0, &p) != HUBBUB_OK)
        return 0;
    memset(&document, 0, sizeof document);
    hubbub_parser_optparams o;
    o.tree_handler = &tree;
    hubbub_parser_setopt(p, HUBBUB_PARSER_TREE_HANDLER, &o);
    o.document_node = &document;
    hubbub_parser_setopt(p, HUBBUB_PARSER_DOCUMENT_NODE, &o);
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (hubbub_parser_parse_chunk(p, data + off, n) != HUBBUB_OK)
            break;
    }
    hubbub_parser_completed(p);
    hubbub_parser_destroy(p);
    while (all_nodes) {
        struct node *n = all_nodes;
        all_nodes = n->all;
        free(n);
    }
    return 0;
}
