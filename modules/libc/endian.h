/*
 * <endian.h> (glibc/BSD): the byte order of the machine, from the
 * compiler's predefined macros. Both image architectures (x86_64, arm64 as
 * images run it) are little-endian. Missing: the htobe16/le32toh family.
 */
#ifndef LIBC_ENDIAN_H
#define LIBC_ENDIAN_H

#define __LITTLE_ENDIAN __ORDER_LITTLE_ENDIAN__
#define __BIG_ENDIAN __ORDER_BIG_ENDIAN__
#define __PDP_ENDIAN __ORDER_PDP_ENDIAN__
#define __BYTE_ORDER __BYTE_ORDER__
#define LITTLE_ENDIAN __LITTLE_ENDIAN
#define BIG_ENDIAN __BIG_ENDIAN
#define PDP_ENDIAN __PDP_ENDIAN
#define BYTE_ORDER __BYTE_ORDER

#endif
