/*
 * The two errors every request parser answers (api.h): a 400 about one
 * parameter, and the 503 when memory ran out.
 */
#include "api.h"

int oa_bad(struct oa_error *e, const char *param, const char *code, const char *fmt, ...)
{
    e->status = 400;
    e->type = "invalid_request_error";
    e->param = param;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return -1;
}

int oa_out_of_memory(struct oa_error *e)
{
    e->status = 503;
    e->type = "server_error";
    e->param = NULL;
    e->code = "out_of_memory";
    snprintf(e->message, sizeof(e->message),
             "The server is out of memory for this request; try again later or with a smaller one.");
    return -1;
}
