/* Picked up by the `src/*.c` glob; FAKE_EXTRA comes from the entry's cflags. */
#include <fakepriv.h>

int fake_extra_value(void)
{
    return FAKE_EXTRA + FAKE_PRIVATE_OFFSET;
}
