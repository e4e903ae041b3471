/* The x86_64 kernel tables this CPU can run: SSE2 always, AVX2+FMA when the
 * CPU has them and the register state is enabled. */
#include "tensor.h"

#if defined(__x86_64__)     /* host builds compile every file; the image only its arch's */
int tn_arch_kernels(const struct tn_kernels **out, int max)
{
    int n = 0;
    if (n < max && tn_cpu_has("sse2"))
        out[n++] = &tn_kernels_sse2;
    if (n < max && tn_cpu_has("avx2") && tn_cpu_has("fma") && tn_cpu_has("f16c"))
        out[n++] = &tn_kernels_avx2;
    return n;
}
#endif
