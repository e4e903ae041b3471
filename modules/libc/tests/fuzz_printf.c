/* The float path of printf: the input picks a double's bits, a
 * conversion, flags, width and precision; the output must equal glibc's
 * (except glibc's %#g bug at a decade boundary, test_printf.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int libc_snprintf(char *buf, size_t n, const char *fmt, ...);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12)
        return 0;
    double v;
    memcpy(&v, data, 8);
    static const char convs[] = "eEfFgGaA";
    static const char *const flags[] = {"", "-", "+", " ", "#", "0", "-+", "#0", "+ 0"};
    char conv = convs[data[8] % 8];
    const char *fl = flags[data[9] % 9];
    int width = data[10] % 40, prec = data[11] % 60 - 1;
    if (conv == 'g' || conv == 'G') {
        if (strchr(fl, '#'))
            return 0;
    }
    char fmt[32];
    if (prec < 0)
        snprintf(fmt, sizeof fmt, "%%%s%d%c", fl, width, conv);
    else
        snprintf(fmt, sizeof fmt, "%%%s%d.%d%c", fl, width, prec, conv);
    char a[512], b[512];
    int ra = libc_snprintf(a, sizeof a, fmt, v), rb = snprintf(b, sizeof b, fmt, v);
    if (ra != rb || strcmp(a, b)) {
        fprintf(stderr, "%s: \"%s\" vs glibc \"%s\"\n", fmt, a, b);
        abort();
    }
    return 0;
}
