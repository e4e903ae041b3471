/* The model in use and the swapped-out ones sessions still hold (slot.h). */
#define LOG_TAG "infer"
#include <anx/log.h>
#include <anx/mem.h>
#include "slot.h"
#include "tensor.h"

static struct inf_loaded *cur;
static unsigned swaps, installed;

const struct inf_model *inf_loaded_model(void)
{
    return cur ? &cur->m : NULL;
}

unsigned inf_slot_swaps(void)
{
    return swaps;
}

unsigned inf_model_version(void)
{
    return installed;
}

static void register_tensors(struct inf_model *m, bool on)
{
    void (*f)(struct tn_tensor *) = on ? tn_register : tn_unregister;
    f(&m->tok_emb);
    f(&m->out_norm);
    for (int l = 0; l < m->cfg.n_layers; l++) {
        struct inf_layer *L = &m->layers[l];
        struct tn_tensor *all[] = { &L->att_norm, &L->wq, &L->wk, &L->wv, &L->wo,
                                    &L->ffn_norm, &L->w1, &L->w2, &L->w3 };
        for (unsigned k = 0; k < sizeof(all) / sizeof(all[0]); k++)
            f(all[k]);
    }
}

/* Its model first: its tensors may be views of the bytes. */
void inf_loaded_free(struct inf_loaded *l)
{
    inf_model_free(&l->m);
    if (l->mown)
        anx_free((void *)l->md);
    if (l->town)
        anx_free((void *)l->td);
    anx_free(l);
}

static void retire(struct inf_loaded *l)
{
    register_tensors(&l->m, false);
    inf_loaded_free(l);
}

void inf_slot_install(struct inf_loaded *l)
{
    struct inf_loaded *old = cur;
    register_tensors(&l->m, true);
    cur = l;
    installed++;
    if (!old)
        return;
    swaps++;
    old->retired = true;
    if (old->refs) {
        log_info("swapped in the new model; the previous one is freed when its %u session%s end",
                 old->refs, old->refs == 1 ? "" : "s");
    } else {
        retire(old);
        log_info("swapped in the new model; the previous one is freed");
    }
}

const struct inf_model *inf_model_get(void)
{
    if (!cur)
        return NULL;
    cur->refs++;
    return &cur->m;
}

void inf_model_put(const struct inf_model *m)
{
    struct inf_loaded *l = (struct inf_loaded *)m;
    if (--l->refs == 0 && l->retired) {
        retire(l);
        log_info("the previous model is freed (its last session ended)");
    }
}
