/* sscanf with a fixed set of formats on any input: no crash, no write
 * past the destinations (ASan), results equal to glibc's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int libc_sscanf(const char *s, const char *fmt, ...);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    int i1[3] = {0}, i2[3] = {0}, n1 = -1, n2 = -1;
    double d1 = 0, d2 = 0;
    char a1[16] = "", a2[16] = "", b1[16] = "", b2[16] = "";
    int r1 = libc_sscanf(s, "%d %5i %x%n", &i1[0], &i1[1], (unsigned *)&i1[2], &n1);
    int r2 = sscanf(s, "%d %5i %x%n", &i2[0], &i2[1], (unsigned *)&i2[2], &n2);
    if (r1 != r2 || memcmp(i1, i2, sizeof i1) || n1 != n2)
        abort();
    r1 = libc_sscanf(s, "%15[^=]=%lf%15s", a1, &d1, b1);
    r2 = sscanf(s, "%15[^=]=%lf%15s", a2, &d2, b2);
    if (r1 != r2 || strcmp(a1, a2) || strcmp(b1, b2) || (r1 >= 2 && memcmp(&d1, &d2, 8) && d1 == d1))
        abort();
    r1 = libc_sscanf(s, "%3c%*s %15s", a1, b1);
    r2 = sscanf(s, "%3c%*s %15s", a2, b2);
    if (r1 != r2 || (r1 >= 1 && memcmp(a1, a2, 3)) || (r1 == 2 && strcmp(b1, b2)))
        abort();
    free(s);
    return 0;
}
