/*
 * What anx matrix shows and writes: a line per finished run (plain, for
 * pipes and CI logs, which tests/run.sh parses), the live table of what
 * runs on a terminal, the summary, and the JUnit XML and JSON reports.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int footer_lines;   /* lines of the live table on the screen now */

static const char *state_word(enum mtask_state s)
{
    return s == MS_OK ? "ok" : s == MS_FAIL ? "FAIL" : s == MS_SKIP ? "skip" : s == MS_RUNNING ? "running" : "waiting";
}

static const char *color(const struct matrix *m, enum mtask_state s)
{
    if (!m->tty)
        return "";
    return s == MS_OK ? "\033[32m" : s == MS_FAIL ? "\033[31m" : s == MS_SKIP ? "\033[33m" : "";
}

void matrix_print_result(const struct matrix *m, const struct mtask *t)
{
    const char *end = m->tty ? "\033[0m" : "";
    matrix_progress(m, true);
    if (t->state == MS_SKIP) {
        printf("%sskip%s  %s: %s\n", color(m, t->state), end, t->label, t->reason);
    } else {
        printf("%s%-4s%s %-60s %5.1fs", color(m, t->state), state_word(t->state), end, t->label, t->ms / 1e3);
        if (t->state == MS_FAIL && t->reason)
            printf("  (%s)", t->reason);
        putchar('\n');
        if (t->state == MS_FAIL && t->tail) {
            for (const char *p = t->tail; *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                printf("    | %.*s\n", (int)n, p);
                p += n + (nl != NULL);
            }
        }
    }
    fflush(stdout);
}

static void counts(const struct matrix *m, int *pass, int *fail, int *skip, int *left)
{
    *pass = *fail = *skip = *left = 0;
    for (size_t i = 0; i < m->n; i++) {
        const struct mtask *t = &m->t[i];
        if (t->kind == MT_BUILD)
            continue;
        *pass += t->state == MS_OK;
        *fail += t->state == MS_FAIL;
        *skip += t->state == MS_SKIP;
        *left += t->state == MS_WAIT || t->state == MS_RUNNING;
    }
}

/* The live table under the result lines: one line per running task and a
 * count line, redrawn in place (erase_only: just remove it). */
void matrix_progress(const struct matrix *m, bool erase_only)
{
    if (!m->tty)
        return;
    if (footer_lines) {
        printf("\033[%dA\r\033[J", footer_lines);
        footer_lines = 0;
    }
    if (erase_only) {
        fflush(stdout);
        return;
    }
    double now = now_ms();
    for (size_t i = 0; i < m->n; i++) {
        const struct mtask *t = &m->t[i];
        if (t->state != MS_RUNNING)
            continue;
        printf("  \033[36m%-8s\033[0m %-60.60s %5.1fs\n", t->kind == MT_BUILD ? "building" : "running", t->label,
               (now - t->start) / 1e3);
        footer_lines++;
    }
    int pass, fail, skip, left;
    counts(m, &pass, &fail, &skip, &left);
    int secs = (int)(m->wall_ms / 1e3);
    printf("  [%d/%d] \033[32m%d passed\033[0m, %s%d failed\033[0m, %d skipped; %d to go; %dm%02ds (-j %d)\n",
           pass + fail + skip, pass + fail + skip + left, pass, fail ? "\033[31m" : "", fail, skip, left, secs / 60,
           secs % 60, m->jobs);
    footer_lines++;
    fflush(stdout);
}

void matrix_summary(const struct matrix *m)
{
    struct strlist plats = {0};
    for (size_t i = 0; i < m->n; i++)
        if (!strlist_has(&plats, m->t[i].platform))
            strlist_push(&plats, m->t[i].platform);
    int pass, fail, skip, left;
    counts(m, &pass, &fail, &skip, &left);
    size_t builds = 0;
    for (size_t i = 0; i < m->n; i++)
        builds += m->t[i].kind == MT_BUILD;
    printf("\nmatrix: %d runs and %zu builds in %.1f s with -j %d; logs in %s\n", pass + fail + skip, builds,
           m->wall_ms / 1e3, m->jobs, path_display(m->logdir));
    printf("  %-20s %7s %7s %8s %9s\n", "platform", "passed", "failed", "skipped", "run time");
    for (size_t p = 0; p < plats.n; p++) {
        int np = 0, nf = 0, ns = 0;
        double ms = 0;
        for (size_t i = 0; i < m->n; i++) {
            const struct mtask *t = &m->t[i];
            if (strcmp(t->platform, plats.v[p]))
                continue;
            ms += t->ms;
            if (t->kind == MT_BUILD)
                continue;
            np += t->state == MS_OK;
            nf += t->state == MS_FAIL;
            ns += t->state == MS_SKIP;
        }
        printf("  %-20s %7d %7d %8d %8.1fs\n", plats.v[p], np, nf, ns, ms / 1e3);
    }
    if (fail) {
        printf("failed:\n");
        for (size_t i = 0; i < m->n; i++) {
            const struct mtask *t = &m->t[i];
            if (t->kind != MT_BUILD && t->state == MS_FAIL)
                printf("  %s: %s (log: %s)\n", t->label, t->reason ? t->reason : "failed", path_display(t->log));
        }
    }
    printf("%d passed, %d failed, %d skipped\n", pass, fail, skip);
    fflush(stdout);
}

/* ---- reports ------------------------------------------------------------- */

static void xml_text(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        default: buf_add(b, s, 1);
        }
    }
}

static int write_report(const char *path, struct buf *b)
{
    char *dir = path_dirname(path_abs(path));
    int e = mkdir_p(dir);
    if (!e)
        e = write_file(path, b->p, b->n);
    if (e) {
        diag_error(NULL, "cannot write %s: %s", path_display(path), strerror(-e));
        return -1;
    }
    return 0;
}

/* JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: one
 * testsuite per platform, a testcase per run with its time, <failure>
 * holding the log's tail, <skipped> with the reason. */
int matrix_junit(const struct matrix *m, const char *path)
{
    struct strlist plats = {0};
    for (size_t i = 0; i < m->n; i++)
        if (m->t[i].kind != MT_BUILD && !strlist_has(&plats, m->t[i].platform))
            strlist_push(&plats, m->t[i].platform);
    int pass, fail, skip, left;
    counts(m, &pass, &fail, &skip, &left);
    struct buf b = {0};
    buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    buf_printf(&b, "<testsuites name=\"anx matrix\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
               pass + fail + skip, fail, skip, m->wall_ms / 1e3);
    for (size_t p = 0; p < plats.n; p++) {
        int n = 0, nf = 0, ns = 0;
        double ms = 0;
        for (size_t i = 0; i < m->n; i++) {
            const struct mtask *t = &m->t[i];
            if (t->kind == MT_BUILD || strcmp(t->platform, plats.v[p]))
                continue;
            n++;
            nf += t->state == MS_FAIL;
            ns += t->state == MS_SKIP;
            ms += t->ms;
        }
        buf_printf(&b, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n",
                   plats.v[p], n, nf, ns, ms / 1e3);
        for (size_t i = 0; i < m->n; i++) {
            const struct mtask *t = &m->t[i];
            if (t->kind == MT_BUILD || strcmp(t->platform, plats.v[p]))
                continue;
            buf_puts(&b, "    <testcase classname=\"");
            xml_text(&b, plats.v[p]);
            buf_puts(&b, "\" name=\"");
            xml_text(&b, t->label);
            buf_printf(&b, "\" time=\"%.3f\"", t->ms / 1e3);
            if (t->state == MS_OK) {
                buf_puts(&b, "/>\n");
                continue;
            }
            buf_puts(&b, ">\n");
            if (t->state == MS_SKIP) {
                buf_puts(&b, "      <skipped message=\"");
                xml_text(&b, t->reason);
                buf_puts(&b, "\"/>\n");
            } else {
                buf_puts(&b, "      <failure message=\"");
                xml_text(&b, t->reason ? t->reason : "failed");
                buf_puts(&b, "\">");
                xml_text(&b, t->tail);
                buf_puts(&b, "</failure>\n");
                buf_puts(&b, "      <system-out>log: ");
                xml_text(&b, path_display(t->log));
                buf_puts(&b, "</system-out>\n");
            }
            buf_puts(&b, "    </testcase>\n");
        }
        buf_puts(&b, "  </testsuite>\n");
    }
    buf_puts(&b, "</testsuites>\n");
    return write_report(path, &b);
}

int matrix_json(const struct matrix *m, const char *path)
{
    int pass, fail, skip, left;
    counts(m, &pass, &fail, &skip, &left);
    json_t *j = json_object(), *runs = json_array();
    json_object_set_new(j, "jobs", json_integer(m->jobs));
    json_object_set_new(j, "seconds", json_real(m->wall_ms / 1e3));
    json_object_set_new(j, "passed", json_integer(pass));
    json_object_set_new(j, "failed", json_integer(fail));
    json_object_set_new(j, "skipped", json_integer(skip));
    for (size_t i = 0; i < m->n; i++) {
        const struct mtask *t = &m->t[i];
        if (t->kind == MT_BUILD)
            continue;
        json_t *r = json_object();
        json_object_set_new(r, "label", json_string(t->label));
        json_object_set_new(r, t->kind == MT_SCRIPT ? "script" : "manifest", json_string(path_display(t->path)));
        json_object_set_new(r, "platform", json_string(t->platform));
        json_object_set_new(r, "boot", json_string(t->boot ? t->boot : "default"));
        json_object_set_new(r, "result", json_string(t->state == MS_OK ? "passed" : t->state == MS_SKIP ? "skipped"
                                                                                                      : "failed"));
        json_object_set_new(r, "seconds", json_real(t->ms / 1e3));
        /* when it started, from the matrix's start (0 for what never ran) */
        json_object_set_new(r, "start", json_real(t->start ? (t->start - m->t0) / 1e3 : 0));
        json_object_set_new(r, "log", json_string(path_display(t->log)));
        if (t->reason)
            json_object_set_new(r, "reason", json_string(t->reason));
        if (t->tail)
            json_object_set_new(r, "log_tail", json_string(t->tail));
        json_array_append_new(runs, r);
    }
    json_object_set_new(j, "runs", runs);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    struct buf b = {0};
    buf_printf(&b, "%s\n", text);
    free(text);
    return write_report(path, &b);
}
