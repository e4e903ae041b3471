/* strtod/strtof on any bytes: no crash, no read past the NUL, the end
 * pointer inside the input, and the same result as glibc's. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

double libc_strtod(const char *s, char **end);
float libc_strtof(const char *s, char **end);

/* glibc 2.36's strtof misrounds some hexadecimal inputs with a
 * subnormal float result (0x1.c28001p-141 gives 0x1.c2p-141; the exact
 * value is above the halfway point, 0x1.c3p-141). Such an input has at
 * most 53 significant bits here, so the double is exact and the
 * hardware's conversion of it is the correctly rounded float. */
static int glibc_strtof_bug(const char *s, float ours, float glibc)
{
    double d = strtod(s, NULL);
    return fabsf(glibc) < 0x1p-126f && ours == (float)d && strpbrk(s, "xX") != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    char *e1, *e2;
    double a = libc_strtod(s, &e1), b = strtod(s, &e2);
    if (e1 != e2 || (memcmp(&a, &b, 8) && !(isnan(a) && isnan(b))))
        abort();
    float fa = libc_strtof(s, &e1), fb = strtof(s, &e2);
    if (e1 != e2 || (memcmp(&fa, &fb, 4) && !(isnan(fa) && isnan(fb)) && !glibc_strtof_bug(s, fa, fb)))
        abort();
    free(s);
    return 0;
}
