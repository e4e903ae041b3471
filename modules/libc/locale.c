/*
 * The C locale, the only one (<locale.h>).
 */
#include <locale.h>
#include <string.h>

char *setlocale(int category, const char *locale)
{
    if (category < 0 || category > LC_ALL)
        return NULL;
    if (!locale || !*locale || !strcmp(locale, "C") || !strcmp(locale, "POSIX"))
        return (char *)"C";
    return NULL;
}

static struct lconv c_lconv = {
    ".", "", "", "", "", "", "", "", "", "",
    127, 127, 127, 127, 127, 127, 127, 127,
};

struct lconv *localeconv(void)
{
    return &c_lconv;
}
