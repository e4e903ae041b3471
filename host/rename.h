/*
 * The host build mode (host/host.mk, docs/architecture.md "Host builds"):
 * the core's C library keeps the standard names (memcpy, snprintf, strtol,
 * malloc ...), which would collide with the host's libc in a host program.
 * Core and module code are therefore compiled for the host with
 * `-include rename.h`, which renames those functions to anx_t_NAME; host
 * code (a test's own file, a tool's main) is compiled without it and calls
 * the host's libc. A unit test of the core that wants the core's versions
 * includes its host headers first and then this file (tests/unit/unit.h
 * does), so the standard names refer to the core's from there on.
 * Nothing in core/ or modules/ knows about this.
 *
 * The <anx/math.h> functions (expf, sqrtf ...) keep their names on
 * purpose: linked before -lm, core/lib/math.c serves the whole host
 * program, so a host tool computes exactly what the image computes.
 */
#ifndef ANX_HOST_RENAME_H
#define ANX_HOST_RENAME_H

#undef isdigit
#undef isxdigit
#undef isalpha
#undef isalnum
#undef isupper
#undef islower
#undef isspace
#undef isprint
#undef iscntrl
#undef ispunct
#undef toupper
#undef tolower

#define memcpy anx_t_memcpy
#define memmove anx_t_memmove
#define memset anx_t_memset
#define memcmp anx_t_memcmp
#define memchr anx_t_memchr
#define strlen anx_t_strlen
#define strnlen anx_t_strnlen
#define strcmp anx_t_strcmp
#define strncmp anx_t_strncmp
#define strcasecmp anx_t_strcasecmp
#define strncasecmp anx_t_strncasecmp
#define strchr anx_t_strchr
#define strrchr anx_t_strrchr
#define strstr anx_t_strstr
#define strcpy anx_t_strcpy
#define strncpy anx_t_strncpy
#define strlcpy anx_t_strlcpy
#define strlcat anx_t_strlcat
#define strspn anx_t_strspn
#define strcspn anx_t_strcspn
#define strdup anx_t_strdup
#define strndup anx_t_strndup
#define isdigit anx_t_isdigit
#define isxdigit anx_t_isxdigit
#define isalpha anx_t_isalpha
#define isalnum anx_t_isalnum
#define isupper anx_t_isupper
#define islower anx_t_islower
#define isspace anx_t_isspace
#define isprint anx_t_isprint
#define iscntrl anx_t_iscntrl
#define ispunct anx_t_ispunct
#define toupper anx_t_toupper
#define tolower anx_t_tolower
#define strtol anx_t_strtol
#define strtoul anx_t_strtoul
#define strtoll anx_t_strtoll
#define strtoull anx_t_strtoull
#define atoi anx_t_atoi
#define qsort anx_t_qsort
#define vsnprintf anx_t_vsnprintf
#define snprintf anx_t_snprintf
#define malloc anx_t_malloc
#define calloc anx_t_calloc
#define realloc anx_t_realloc
#define free anx_t_free
#define aligned_alloc anx_t_aligned_alloc

#endif
