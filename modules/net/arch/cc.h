/* lwIP's compiler/platform description for Anunix (freestanding gcc,
 * little-endian x86_64 and arm64). */
#ifndef ANX_LWIP_ARCH_CC_H
#define ANX_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>
#include <anx/lib.h>
#include <anx/panic.h>
#include <anx/printf.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_CTYPE_H 1

#define X8_F "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
#ifndef SSIZE_MAX
#define SSIZE_MAX __LONG_MAX__
#endif
#define LWIP_NO_UNISTD_H 1
typedef long ssize_t;

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define lwip_htons(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define lwip_htonl(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))

#define PACK_STRUCT_STRUCT __attribute__((packed))

#define LWIP_PLATFORM_DIAG(x) do { anx_printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) anx_panic("lwip: assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)

uint32_t net_rand(void);
#define LWIP_RAND() net_rand()

#endif
