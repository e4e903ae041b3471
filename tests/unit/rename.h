/*
 * Host unit tests: the core's C library keeps the standard names
 * (memcpy, snprintf, strtol ...), which would collide with the host's libc
 * in a test program. Every core source is therefore compiled for the host
 * with `-include rename.h`, which renames those functions to anx_t_NAME;
 * a test includes its host headers first and then "unit.h" (which includes
 * this file and the <anx/...> headers), so inside the test the standard
 * names refer to the core's versions. Nothing in core/ knows about this.
 */
#ifndef ANX_TEST_RENAME_H
#define ANX_TEST_RENAME_H

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
