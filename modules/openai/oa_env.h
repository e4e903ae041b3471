/*
 * The portability header of the openai module: the same json.c and api.c
 * build into the image (freestanding, <anx/...> headers) and natively on
 * the host (-DANX_HOST: libc) for the tests and the fuzz harness.
 */
#ifndef OA_ENV_H
#define OA_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef ANX_HOST
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#else
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#endif

#endif
