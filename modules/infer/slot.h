/*
 * The model in use, and the ones sessions still hold after a swap
 * (slot.c). infer_module.c loads a struct inf_loaded and installs it; a
 * session takes the model in use with inf_model_get and gives it back with
 * inf_model_put (infer.h). A model swapped out while held is freed by the
 * last put; one swapped out while free is freed at once.
 */
#ifndef INF_SLOT_H
#define INF_SLOT_H

#include <stdbool.h>
#include "infer.h"

struct inf_loaded {
    struct inf_model m;          /* first: inf_model_put casts back */
    const void *md, *td;         /* the bytes it was read from */
    bool mown, town;             /* ...a store's copies, ours to free */
    unsigned refs;               /* sessions holding it */
    bool retired;                /* swapped out: freed when refs reaches 0 */
};

/* The model in use from the next inf_model_get on; its tensors are
 * registered (tn_register) and the previous model's unregistered when it
 * is freed. */
void inf_slot_install(struct inf_loaded *l);
/* Models installed over another so far. */
unsigned inf_slot_swaps(void);
/* Frees l's model and the bytes it owns, and l. */
void inf_loaded_free(struct inf_loaded *l);

#endif
