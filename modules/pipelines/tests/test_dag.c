/* modules/pipelines: the scheduler (dag.c): dependency order, parallel
 * groups, cycles refused and named, a failure skipping its dependents,
 * and random DAGs run to the end against their definition. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines.h"

static int failed, passed;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "  %s:%d: %s\n", __FILE__, __LINE__, #c);                              \
            bad = 1;                                                                               \
        }                                                                                          \
    } while (0)
#define END(name)                                                                                  \
    do {                                                                                           \
        if (bad) {                                                                                 \
            failed++;                                                                              \
            printf("FAIL %s\n", name);                                                             \
        } else {                                                                                   \
            passed++;                                                                              \
            printf("ok   %s\n", name);                                                             \
        }                                                                                          \
    } while (0)
#define B(i) (1u << (i))

static const char *const names[] = { "a", "b", "c", "d", "e", "f" };

/* ingest -> (embed, summarize) -> store: a diamond */
static void order_and_groups(void)
{
    int bad = 0;
    uint32_t after[4] = { 0, B(0), B(0), B(1) | B(2) };
    CHECK(pl_dag_check(4, after, names, NULL, 0) == 0);
    unsigned level[4];
    CHECK(pl_dag_levels(4, after, level) == 3);
    CHECK(level[0] == 0 && level[1] == 1 && level[2] == 1 && level[3] == 2);
    struct pl_dag d;
    pl_dag_init(&d, 4, after);
    CHECK(pl_dag_next(&d) == 0);
    CHECK(pl_dag_next(&d) == -1); /* b and c wait for a */
    CHECK(!pl_dag_done(&d));
    pl_dag_finish(&d, 0, true);
    CHECK(pl_dag_next(&d) == 1); /* b and c together: a parallel group */
    CHECK(pl_dag_next(&d) == 2);
    CHECK(pl_dag_next(&d) == -1); /* d waits for both */
    pl_dag_finish(&d, 2, true);
    CHECK(pl_dag_next(&d) == -1);
    pl_dag_finish(&d, 1, true);
    CHECK(pl_dag_next(&d) == 3);
    pl_dag_finish(&d, 3, true);
    CHECK(pl_dag_done(&d) && pl_dag_count(&d, PL_OK) == 4);
    END("order and parallel groups");
}

static void cycles(void)
{
    int bad = 0;
    char cyc[128];
    uint32_t two[2] = { B(1), B(0) };
    CHECK(pl_dag_check(2, two, names, cyc, sizeof cyc) == -1);
    CHECK(!strcmp(cyc, "a -> b -> a"));
    uint32_t self[1] = { B(0) };
    CHECK(pl_dag_check(1, self, names, cyc, sizeof cyc) == -1);
    CHECK(!strcmp(cyc, "a -> a"));
    /* a cycle behind an acyclic part: d -> e -> f -> d, reached from a */
    uint32_t deep[6] = { B(3), 0, B(1), B(4), B(5), B(3) };
    CHECK(pl_dag_check(6, deep, names, cyc, sizeof cyc) == -1);
    CHECK(!strcmp(cyc, "d -> e -> f -> d"));
    uint32_t fine[6] = { 0, B(0), B(0) | B(1), B(2), B(2), B(3) | B(4) };
    CHECK(pl_dag_check(6, fine, names, cyc, sizeof cyc) == 0);
    /* a short buffer truncates, never overflows */
    char tiny[6];
    CHECK(pl_dag_check(6, deep, names, tiny, sizeof tiny) == -1 && strlen(tiny) < sizeof tiny);
    END("cycles refused and named");
}

static void failure_skips(void)
{
    int bad = 0;
    /* a; b after a; c after b; d independent; e after c and d */
    uint32_t after[5] = { 0, B(0), B(1), 0, B(2) | B(3) };
    struct pl_dag d;
    pl_dag_init(&d, 5, after);
    CHECK(pl_dag_next(&d) == 0);
    CHECK(pl_dag_next(&d) == 3);
    pl_dag_finish(&d, 0, true);
    CHECK(pl_dag_next(&d) == 1);
    CHECK(pl_dag_finish(&d, 1, false) == 2); /* c and e */
    CHECK(d.state[2] == PL_SKIPPED && d.state[4] == PL_SKIPPED);
    CHECK(d.state[3] == PL_RUNNING); /* the independent step goes on */
    CHECK(!pl_dag_done(&d));
    pl_dag_finish(&d, 3, true);
    CHECK(pl_dag_next(&d) == -1 && pl_dag_done(&d));
    CHECK(pl_dag_count(&d, PL_OK) == 2 && pl_dag_count(&d, PL_FAILED) == 1);
    CHECK(!strcmp(pl_state_name(PL_SKIPPED), "skipped"));
    /* finishing a step that is not running changes nothing */
    CHECK(pl_dag_finish(&d, 4, true) == 0 && d.state[4] == PL_SKIPPED);
    END("a failure skips its dependents only");
}

/* Random DAGs (edges only to earlier steps, then shuffled names): every
 * step starts only once all it runs after are ok; with random failures
 * every step ends ok, failed or skipped, skipped exactly when something
 * it depends on did not succeed. */
static void random_dags(void)
{
    int bad = 0;
    srand(7);
    for (int round = 0; round < 2000; round++) {
        unsigned n = 1 + (unsigned)rand() % PL_MAX_STEPS;
        uint32_t after[PL_MAX_STEPS] = { 0 };
        for (unsigned i = 0; i < n; i++)
            for (unsigned j = 0; j < i; j++)
                if (rand() % 5 == 0)
                    after[i] |= B(j);
        CHECK(pl_dag_check(n, after, NULL, NULL, 0) == 0);
        unsigned level[PL_MAX_STEPS];
        pl_dag_levels(n, after, level);
        for (unsigned i = 0; i < n; i++)
            for (unsigned j = 0; j < n; j++)
                if (after[i] & B(j))
                    CHECK(level[i] > level[j]);
        struct pl_dag d;
        pl_dag_init(&d, n, after);
        unsigned running[PL_MAX_STEPS], nr = 0;
        bool fails[PL_MAX_STEPS];
        for (unsigned i = 0; i < n; i++)
            fails[i] = rand() % 10 == 0;
        while (!pl_dag_done(&d)) {
            int i;
            while ((i = pl_dag_next(&d)) >= 0) {
                for (unsigned j = 0; j < n; j++)
                    if (after[i] & B(j))
                        CHECK(d.state[j] == PL_OK);
                running[nr++] = (unsigned)i;
            }
            CHECK(nr > 0);
            if (!nr)
                break;
            unsigned k = (unsigned)rand() % nr;
            pl_dag_finish(&d, running[k], !fails[running[k]]);
            running[k] = running[--nr];
        }
        for (unsigned i = 0; i < n; i++) {
            bool dep_bad = false;
            for (unsigned j = 0; j < n; j++)
                if ((after[i] & B(j)) && d.state[j] != PL_OK)
                    dep_bad = true;
            CHECK(d.state[i] == (dep_bad ? PL_SKIPPED : fails[i] ? PL_FAILED : PL_OK));
        }
        if (bad)
            break;
    }
    /* a back edge anywhere makes a cycle */
    uint32_t after[PL_MAX_STEPS] = { 0 };
    for (unsigned i = 1; i < PL_MAX_STEPS; i++)
        after[i] = B(i - 1);
    after[0] = B(PL_MAX_STEPS - 1);
    static const char *const many[PL_MAX_STEPS] = { "s0",  "s1",  "s2",  "s3",  "s4",  "s5",  "s6",
                                                    "s7",  "s8",  "s9",  "s10", "s11", "s12", "s13",
                                                    "s14", "s15", "s16", "s17", "s18", "s19", "s20",
                                                    "s21", "s22", "s23", "s24", "s25", "s26", "s27",
                                                    "s28", "s29", "s30", "s31" };
    char cyc[400];
    CHECK(pl_dag_check(PL_MAX_STEPS, after, many, cyc, sizeof cyc) == -1);
    CHECK(!strncmp(cyc, "s0 -> s31 -> s30", 16));
    END("random DAGs run in dependency order");
}

int main(void)
{
    order_and_groups();
    cycles();
    failure_skips();
    random_dags();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
