/* Edit distance and the did-you-mean threshold. */
#include "anx.h"
#include "unit.h"

int main(void)
{
    static const char *const keys[] = {"name", "platform", "memory", "cpus", "cmdline", "modules", "files", "run", "test"};
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("memroy", "memory") == 1);   /* a swap counts once */
    CHECK(edit_distance("Memory", "memory") == 0);   /* case folded */
    CHECK_STR(did_you_mean("memroy", keys, 9), "memory");
    CHECK_STR(did_you_mean("cpu", keys, 9), "cpus");
    CHECK_STR(did_you_mean("platfrom", keys, 9), "platform");
    CHECK_STR(did_you_mean("modles", keys, 9), "modules");
    CHECK(did_you_mean("banana", keys, 9) == NULL);
    CHECK(did_you_mean("x", keys, 9) == NULL);
    CHECK_STR(suggest("nmae", keys, 9), " (did you mean 'name'?)");
    CHECK_STR(suggest("zzzzzz", keys, 9), "");
    return UNIT_END();
}
