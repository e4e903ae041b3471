/*
 * <locale.h>: the C locale only. setlocale answers "C" for NULL, "", "C"
 * and "POSIX", and NULL (not available) for any other name;
 * localeconv describes the C locale ('.' decimal point, no grouping).
 */
#ifndef LIBC_LOCALE_H
#define LIBC_LOCALE_H

#include "libc_defs.h"

#define LC_CTYPE 0
#define LC_NUMERIC 1
#define LC_TIME 2
#define LC_COLLATE 3
#define LC_MONETARY 4
#define LC_MESSAGES 5
#define LC_ALL 6

#ifndef NULL
#define NULL ((void *)0)
#endif

struct lconv {
    char *decimal_point, *thousands_sep, *grouping, *int_curr_symbol, *currency_symbol;
    char *mon_decimal_point, *mon_thousands_sep, *mon_grouping, *positive_sign, *negative_sign;
    char int_frac_digits, frac_digits, p_cs_precedes, p_sep_by_space, n_cs_precedes;
    char n_sep_by_space, p_sign_posn, n_sign_posn;
};

char *setlocale(int category, const char *locale) LIBC_SYM(setlocale);
struct lconv *localeconv(void) LIBC_SYM(localeconv);

#endif
