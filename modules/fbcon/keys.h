/* Key presses as the bytes a VT100-style terminal sends (keys.c). */
#ifndef FBCON_KEYS_H
#define FBCON_KEYS_H

#include <stddef.h>
#include <anx/input.h>

#define FBCON_KEY_BYTES_MAX 8

/* The bytes for a key event into out (at most FBCON_KEY_BYTES_MAX); 0 for
 * a release, a modifier alone, or a key without a character. */
size_t fbcon_key_bytes(const struct anx_input_event *ev, char *out);

#endif
