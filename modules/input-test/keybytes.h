/* What a key press types on a terminal (keybytes.c), free of I/O for the
 * host tests. */
#ifndef INPUT_TEST_KEYBYTES_H
#define INPUT_TEST_KEYBYTES_H

#include <stddef.h>
#include <stdint.h>

/* The bytes a serial terminal would send for key `code` giving character
 * `ch` (<anx/input.h> key codes): the character in UTF-8, or for the
 * cursor and editing keys the VT100 escape sequence the shell's line
 * editor reads (Up ESC [ A, Delete ESC [ 3 ~ ...). Returns the count
 * (at most 4; 0 for a key that types nothing). */
size_t input_test_key_bytes(uint16_t code, uint32_t ch, char out[4]);

#endif
