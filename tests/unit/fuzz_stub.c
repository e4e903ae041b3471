/*
 * What core/files.c needs beyond the core's library when its archive
 * parser is fuzzed (fuzz_files.c): anx_log, which only its boot path calls,
 * and the image's archive, which the fuzzer replaces with its input.
 */
#include <stdint.h>

void anx_log(int level, const char *tag, const char *fmt, ...);
void anx_log(int level, const char *tag, const char *fmt, ...)
{
    (void)level, (void)tag, (void)fmt;
}
const uint8_t anx_files_start[16] = "ANXFILES\1";
const uint8_t anx_files_end[1];
