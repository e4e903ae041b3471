/*
 * The size of the matcher a POSIX extended regex compiles to, estimated
 * before regcomp sees it. glibc expands repetition by copying: x{0,255}
 * is 255 copies of x, (x{0,255}){0,255} 65025, and each quantifier stacked
 * on another ("a+++", POSIX leaves it undefined) doubles the program, so a
 * short pattern in a manifest's test: could take gigabytes. Each atom
 * counts 1; a group counts its contents; a bound {m,n} multiplies what it
 * repeats by n (m + 1 when open), *, + and ? by 2.
 */
#include "anx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH 32

/* The repeat count of the interval at p ("{m,n}"), with *end after it;
 * 0 when p is not an interval (then '{' is a literal). */
static double interval(const char *p, const char **end)
{
    const char *q = p + 1;
    if (!isdigit((unsigned char)*q))
        return 0;
    double m = strtod(q, (char **)&q), n = m;
    if (*q == ',') {
        q++;
        n = isdigit((unsigned char)*q) ? strtod(q, (char **)&q) : m + 1;
    }
    if (*q != '}')
        return 0;
    *end = q + 1;
    return n > 1 ? n : 1;
}

double regex_size(const char *re, const char **why)
{
    double sum[DEPTH + 1] = {0};   /* per open group: size so far */
    double last[DEPTH + 1] = {0};  /* per open group: size of its last atom */
    int d = 0;
    bool quantified = false;       /* the last atom already has a quantifier */
    *why = NULL;
    for (const char *p = re; *p;) {
        double mult = 0;
        const char *next = p + 1;
        if (*p == '*' || *p == '+' || *p == '?')
            mult = 2;
        else if (*p == '{')
            mult = interval(p, &next);
        if (mult > 0) {
            if (quantified) {
                *why = "a quantifier follows another (like a++ or a{2}*): put a group around the first";
                return -1;
            }
            sum[d] += last[d] * (mult - 1);
            last[d] *= mult;
            quantified = true;
            p = next;
            continue;
        }
        quantified = false;
        double atom = 1;
        if (*p == '(') {
            if (d == DEPTH) {
                *why = "groups nest more than 32 deep";
                return -1;
            }
            d++;
            sum[d] = last[d] = 0;
            p++;
            continue;
        }
        if (*p == ')' && d > 0) {
            atom = sum[d] > 1 ? sum[d] : 1;
            d--;
        } else if (*p == '[') {                 /* a bracket expression is one atom */
            const char *q = p + 1;
            if (*q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']')
                q += (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=') && strchr(q + 2, ']'))
                         ? strchr(q + 2, ']') - q + 1 : 1;
            next = *q ? q + 1 : q;
        } else if (*p == '\\' && p[1]) {
            next = p + 2;
        } else if (*p == '|') {
            atom = 0;
        }
        sum[d] += atom;
        last[d] = atom;
        p = next;
    }
    double total = 0;
    for (int i = 0; i <= d; i++)
        total += sum[i];
    return total;
}
