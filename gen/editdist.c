/*
 * Did-you-mean suggestions: the optimal string alignment distance (edits
 * plus swaps of neighbours, so "memroy" is one step from "memory"), case
 * folded, with a threshold that grows with the word's length.
 */
#include "anx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 256 || lb > 256)   /* names are short; don't spend time on junk */
        return la > lb ? (int)(la - lb) + 256 : (int)(lb - la) + 256;
    int *d = malloc((la + 1) * (lb + 1) * sizeof(int));
    if (!d)
        abort();
#define D(i, j) d[(i) * (lb + 1) + (j)]
    for (size_t i = 0; i <= la; i++)
        D(i, 0) = (int)i;
    for (size_t j = 0; j <= lb; j++)
        D(0, j) = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = D(i - 1, j) + 1;
            if (D(i, j - 1) + 1 < v)
                v = D(i, j - 1) + 1;
            if (D(i - 1, j - 1) + cost < v)
                v = D(i - 1, j - 1) + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
                v = D(i - 2, j - 2) + 1;
            D(i, j) = v;
        }
    }
    int r = D(la, lb);
#undef D
    free(d);
    return r;
}

const char *did_you_mean(const char *word, const char *const *cands, size_t n)
{
    size_t len = strlen(word);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    const char *best = NULL;
    int bestd = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(word, cands[i]))
            continue;
        int d = edit_distance(word, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    return best;
}

const char *suggest(const char *word, const char *const *cands, size_t n)
{
    const char *s = did_you_mean(word, cands, n);
    return s ? xasprintf(" (did you mean '%s'?)", s) : "";
}
