/*
 * The tensor module in the image: picks the kernel table at init and adds
 * the `tensor` shell command. Image glue: the host tools leave this file out.
 */
#define LOG_TAG "tensor"
#include <anx/command.h>
#include <anx/log.h>
#include <anx/module.h>
#include "tensor.h"

static int cmd_tensor(int argc, char **argv)
{
    char d[128];
    if (argc < 2 || strcmp(argv[1], "list") == 0) {
        anx_printf("kernels: %s\n", tn_kernels()->name);
        for (struct tn_tensor *t = tn_first(); t; t = t->next) {
            tn_describe(t, d, sizeof(d));
            anx_printf("%-40s %s\n", t->name, d);
        }
        return 0;
    }
    if (argc == 3 && (strcmp(argv[1], "info") == 0 || strcmp(argv[1], "stats") == 0)) {
        struct tn_tensor *t = tn_find(argv[2]);
        if (!t) {
            anx_printf("tensor: no tensor named '%s'\n", argv[2]);
            return 1;
        }
        tn_describe(t, d, sizeof(d));
        anx_printf("%s: %s\n", t->name, d);
        if (strcmp(argv[1], "stats") == 0) {
            /* the printf has no floats: print milli-units */
            float row[256], mn = 0, mx = 0;
            double sum = 0, sq = 0;
            int64_t n = 0;
            for (int64_t r = 0; r < tn_nrows(t); r++)
                for (int64_t c = 0; c < t->ne[0]; c += 256) {
                    int64_t k = t->ne[0] - c < 256 ? t->ne[0] - c : 256;
                    if (t->dtype == TN_F32 || t->dtype == TN_F16 || c == 0) {
                        int64_t take = (t->dtype == TN_F32 || t->dtype == TN_F16) ? k : 0;
                        if (take)
                            tn_dequantize_row(t->dtype, row, (const char *)tn_row(t, r) +
                                              tn_row_bytes(t->dtype, c), take);
                        for (int64_t i = 0; i < take; i++) {
                            if (n == 0 || row[i] < mn) mn = row[i];
                            if (n == 0 || row[i] > mx) mx = row[i];
                            sum += row[i];
                            sq += (double)row[i] * row[i];
                            n++;
                        }
                    }
                }
            if (n == 0) {
                anx_printf("stats: only for f32/f16 tensors\n");
                return 0;
            }
            anx_printf("n=%lld min=%lldm max=%lldm mean=%lldu rms=%lldu (m = 1e-3, u = 1e-6)\n",
                       (long long)n, (long long)(mn * 1000), (long long)(mx * 1000),
                       (long long)(sum / (double)n * 1e6), (long long)(sqrtf((float)(sq / (double)n)) * 1e6));
        }
        return 0;
    }
    anx_printf("usage: tensor [list] | tensor info|stats NAME\n");
    return 1;
}

static struct anx_command tensor_cmd = {
    .name = "tensor", .summary = "List tensors, show one's shape or statistics",
    .usage = "tensor [list] | tensor info|stats NAME", .fn = cmd_tensor,
};

static int tensor_init(void)
{
    log_info("kernels: %s", tn_kernels()->name);
    return anx_command_register(&tensor_cmd);
}

ANX_MODULE(tensor, .init = tensor_init);
