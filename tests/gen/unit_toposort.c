/* Topological order with ties by name, and cycle reports. */
#include "anx.h"
#include "unit.h"

static const char *order_text(size_t n, const char *const *names, const size_t *order)
{
    static char out[256];
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strcat(out, names[order[i]]);
        if (i + 1 < n)
            strcat(out, " ");
    }
    return out;
}

int main(void)
{
    char cycle[256];
    size_t order[8];
    /* shell -> console; net -> console, timer; http -> net */
    {
        const char *names[] = {"shell", "console", "net", "timer", "http"};
        size_t d0[] = {1}, d2[] = {1, 3}, d4[] = {2};
        const size_t *deps[] = {d0, NULL, d2, NULL, d4};
        size_t ndeps[] = {1, 0, 2, 0, 1};
        CHECK(toposort(5, names, deps, ndeps, order, cycle, sizeof cycle) == 0);
        CHECK_STR(order_text(5, names, order), "console shell timer net http");
    }
    /* No edges: alphabetical. */
    {
        const char *names[] = {"c", "a", "b"};
        const size_t *deps[] = {NULL, NULL, NULL};
        size_t ndeps[] = {0, 0, 0};
        CHECK(toposort(3, names, deps, ndeps, order, cycle, sizeof cycle) == 0);
        CHECK_STR(order_text(3, names, order), "a b c");
    }
    /* a -> b -> c -> a, plus d -> a outside the cycle. */
    {
        const char *names[] = {"a", "b", "c", "d"};
        size_t da[] = {1}, db[] = {2}, dc[] = {0}, dd[] = {0};
        const size_t *deps[] = {da, db, dc, dd};
        size_t ndeps[] = {1, 1, 1, 1};
        CHECK(toposort(4, names, deps, ndeps, order, cycle, sizeof cycle) == -1);
        CHECK_STR(cycle, "a -> b -> c -> a");
    }
    /* A cycle reached from outside it: d -> x <-> y. */
    {
        const char *names[] = {"d", "x", "y"};
        size_t dd[] = {1}, dx[] = {2}, dy[] = {1};
        const size_t *deps[] = {dd, dx, dy};
        size_t ndeps[] = {1, 1, 1};
        CHECK(toposort(3, names, deps, ndeps, order, cycle, sizeof cycle) == -1);
        CHECK_STR(cycle, "x -> y -> x");
    }
    CHECK(toposort(0, NULL, NULL, NULL, order, cycle, sizeof cycle) == 0);
    return UNIT_END();
}
