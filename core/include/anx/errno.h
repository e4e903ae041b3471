/*
 * One error convention for the core and every module (in the manner of
 * lwIP's err.h): a function that can fail returns an int, 0 on success or
 * one of the negative ANX_E* codes below, and says nothing more in the
 * number. What went wrong in detail (which file, which name, how many bytes)
 * goes into the log line or the message buffer the function's header
 * describes; the code is what a caller branches on:
 *
 *     int rc = anx_blockdev_write(bd, sector, buf, 1);
 *     if (rc == ANX_EROFS)
 *         ...open the store read-only...
 *     else if (rc < 0)
 *         log_error("%s: write failed: %s", bd->name, anx_strerror(rc));
 *
 * Rules:
 *  - Codes are negative; their numbers may change from one version to the
 *    next, so never store them on disk, and where an API shows one (the
 *    router's module health) show anx_strerror's text beside it.
 *  - Return the most specific code that is true; ANX_EFAIL is for a failure
 *    that has no better code, after logging why.
 *  - Pass a callee's code up unchanged unless the caller knows better.
 *  - Add a code only when a caller must tell it apart from the others (a
 *    status to map, a retry to make), and give it a message in
 *    core/lib/errno.c; tests/unit/test_errno.c checks the table is whole.
 *
 * Process-style exit statuses (anx_poweroff, QEMU's exit code through the
 * platform's power-off device) are a different thing: ANX_EXIT_*.
 */
#ifndef ANX_ERRNO_H
#define ANX_ERRNO_H

enum anx_err {
    ANX_OK = 0,          /* success */
    ANX_EFAIL = -1,      /* failed, no more specific code (the log says why);
                            also what older code's bare -1 means */
    ANX_ENOMEM = -2,     /* an allocation failed */
    ANX_EINVAL = -3,     /* an argument the function cannot take: NULL, a
                            malformed name, a size out of its bounds */
    ANX_ENOENT = -4,     /* no such name, object, version, file or device */
    ANX_EEXIST = -5,     /* already registered or present under that name */
    ANX_EIO = -6,        /* a device reported an I/O error */
    ANX_ERANGE = -7,     /* past the end: a sector range beyond a disk */
    ANX_ENOSPC = -8,     /* no space left: disk, journal or index full */
    ANX_EDQUOT = -9,     /* a configured quota would be exceeded */
    ANX_EROFS = -10,     /* a write to something read-only (disk, store, layer) */
    ANX_ENOTSUP = -11,   /* the device or platform cannot do this at all
                            (flush on a disk without one, an unroutable interrupt) */
    ANX_EAGAIN = -12,    /* not ready yet: the same call may work later
                            (a store whose disk is not open yet) */
    ANX_ECORRUPT = -13,  /* damaged or foreign data: a checksum or format check failed */
    ANX_EBROKEN = -14,   /* out of service after an earlier failure: an object
                            store after a failed write (reopening recovers it) or
                            one whose disk did not open (the log said why) */
    ANX_EPERM = -15,     /* not permitted: a module asked for a credential (or
                            other resource) its manifest does not grant it */
    ANX_EAUTH = -16,     /* authentication failed: a wrong password, token or key */
};

/* A short lower-case message for err ("out of memory"), "ok" for 0, and
 * "error N" for any other number (a positive one, or a code the table does
 * not know). Never NULL. The "error N" text lives in one static buffer, so
 * use it before asking for the next unknown code. */
const char *anx_strerror(int err);

/* Exit statuses for anx_poweroff() (<anx/kernel.h>; anx test reads them
 * as QEMU's exit code): kmain stops a boot whose essential module failed
 * with ANX_EXIT_FAILURE. */
#define ANX_EXIT_SUCCESS 0
#define ANX_EXIT_FAILURE 1

#endif
