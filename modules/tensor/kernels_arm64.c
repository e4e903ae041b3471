/* The arm64 kernel tables this CPU can run: NEON. */
#include "tensor.h"

#if defined(__aarch64__)    /* host builds compile every file; the image only its arch's */
int tn_arch_kernels(const struct tn_kernels **out, int max)
{
    int n = 0;
    if (n < max && tn_cpu_has("neon"))
        out[n++] = &tn_kernels_neon;
    return n;
}
#endif
