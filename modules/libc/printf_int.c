/*
 * The core's vsnprintf under another name, for printf.c: the integer,
 * pointer conversions are the core's (core/lib/printf.c), not rewritten.
 * This file includes <anx/printf.h>, not this module's <stdio.h>, which
 * gives the standard name to the module's own vsnprintf.
 */
#include <anx/printf.h>

#include "libc_impl.h"

int libc_core_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    return vsnprintf(buf, n, fmt, ap);
}
