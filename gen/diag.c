/*
 * Messages in the format of gcc, so editors and CI jump to the spot:
 *   manifests/x.yaml:3:9: error: unknown key 'memroy' (did you mean 'memory'?)
 */
#include "anx.h"

FILE *diag_out;
int diag_errors;

static void emit(const struct mark *m, const char *kind, const char *fmt, va_list ap)
{
    FILE *f = diag_out ? diag_out : stderr;
    /* What stdout already holds comes first, so a piped log keeps the
     * order of events (the step lines, then the message). */
    if (f == stderr)
        fflush(stdout);
    if (m && m->file && m->line > 0)
        fprintf(f, "%s:%d:%d: %s: ", m->file, m->line, m->col, kind);
    else if (m && m->file)
        fprintf(f, "%s: %s: ", m->file, kind);
    else
        fprintf(f, "anx: %s: ", kind);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
}

void diag_error(const struct mark *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(m, "error", fmt, ap);
    va_end(ap);
    diag_errors++;
}

void diag_warning(const struct mark *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(m, "warning", fmt, ap);
    va_end(ap);
}

void diag_note(const struct mark *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(m, "note", fmt, ap);
    va_end(ap);
}
