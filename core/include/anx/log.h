/*
 * Levelled logging (core/log.c). Every line reads
 *
 *     [    0.000123] tag: message
 *
 * with the time since kmain entry and the subsystem tag. Lines go to the
 * console (when their level is at or below the log level) and into a ring
 * buffer of recent lines (shown by the shell's `log`). The level comes from
 * the kernel command line: loglevel=error|warn|info|debug or 0..3
 * (default info).
 *
 * In a source file:
 *     #define LOG_TAG "shell"        (before including <anx/log.h>)
 *     log_info("started %d threads", n);
 */
#ifndef ANX_LOG_H
#define ANX_LOG_H

#include <stddef.h>
#include <stdarg.h>

enum anx_log_level {
    ANX_LOG_ERROR = 0,
    ANX_LOG_WARN = 1,
    ANX_LOG_INFO = 2,
    ANX_LOG_DEBUG = 3,
};

#ifndef LOG_TAG
#define LOG_TAG __FILE_NAME__
#endif

void anx_log(int level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void anx_vlog(int level, const char *tag, const char *fmt, va_list ap);

#define log_error(...) anx_log(ANX_LOG_ERROR, LOG_TAG, __VA_ARGS__)
#define log_warn(...)  anx_log(ANX_LOG_WARN, LOG_TAG, __VA_ARGS__)
#define log_info(...)  anx_log(ANX_LOG_INFO, LOG_TAG, __VA_ARGS__)
#define log_debug(...) anx_log(ANX_LOG_DEBUG, LOG_TAG, __VA_ARGS__)

/* Core only: read loglevel= from the command line. */
void anx_log_init(const char *cmdline);
int anx_log_level(void);
void anx_log_set_level(int level);

/* Copy the ring buffer (oldest first) through out(text, len, ctx). */
void anx_log_dump(void (*out)(const char *s, size_t n, void *ctx), void *ctx);

/* The last error line logged ("tag: message") into buf (may be NULL), and
 * how many error lines were logged so far: the module runtime compares
 * the count around a module's init to take its reason (module.h). */
unsigned anx_log_last_error(char *buf, size_t n);

/* Value of `key=` in a command line, copied to buf; 0 found, -1 not. */
int anx_cmdline_get(const char *cmdline, const char *key, char *buf, size_t n);

#endif
