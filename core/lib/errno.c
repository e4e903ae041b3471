/* anx_strerror of <anx/errno.h>: one message per code, indexed by -code. */
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/printf.h>

static const char *const messages[] = {
    [-ANX_OK] = "ok",
    [-ANX_EFAIL] = "unspecified error",
    [-ANX_ENOMEM] = "out of memory",
    [-ANX_EINVAL] = "invalid argument",
    [-ANX_ENOENT] = "not found",
    [-ANX_EEXIST] = "already exists",
    [-ANX_EIO] = "I/O error",
    [-ANX_ERANGE] = "out of range",
    [-ANX_ENOSPC] = "no space left",
    [-ANX_EDQUOT] = "quota exceeded",
    [-ANX_EROFS] = "read-only",
    [-ANX_ENOTSUP] = "not supported",
    [-ANX_EAGAIN] = "not ready yet, try again",
    [-ANX_ECORRUPT] = "damaged data",
    [-ANX_EBROKEN] = "out of service after an earlier error",
    [-ANX_EPERM] = "not permitted",
    [-ANX_EAUTH] = "authentication failed",
};

const char *anx_strerror(int err)
{
    static char unknown[24];   /* "error -2147483648" fits */
    if (err <= 0 && (size_t)-(long)err < ANX_ARRAY_SIZE(messages) && messages[-(long)err])
        return messages[-(long)err];
    snprintf(unknown, sizeof unknown, "error %d", err);
    return unknown;
}
