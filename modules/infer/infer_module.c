/*
 * The infer module in the image: loads the model named by the config (an
 * image file at init, or an object-store object once the boot is complete),
 * registers the tensors, and adds the `generate`
 * shell command. The HTTP API is the openai module's (modules/openai),
 * which serves infer_model().
 */
#ifndef ANX_HOST                      /* image only */
#define LOG_TAG "infer"
#include <anx/command.h>
#include <anx/data.h>
#include <anx/files.h>
#include <anx/kernel.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "infer.h"

#ifndef CONFIG_INFER_MODEL
#define CONFIG_INFER_MODEL ""
#endif
#ifndef CONFIG_INFER_TOKENIZER
#define CONFIG_INFER_TOKENIZER ""
#endif
#ifndef CONFIG_INFER_CONTEXT
#define CONFIG_INFER_CONTEXT 0
#endif
#ifndef CONFIG_INFER_ACT_F32
#define CONFIG_INFER_ACT_F32 0
#endif

static struct inf_model model;
static bool loaded;

const struct inf_model *infer_model(void)
{
    return loaded ? &model : NULL;
}

int infer_context(void)
{
    return CONFIG_INFER_CONTEXT;
}

static int print_cb(void *arg, int token, const char *text, size_t len)
{
    (void)arg;
    (void)token;
    anx_printf("%.*s", (int)len, text);
    return 0;
}

/* generate [-n STEPS] [-t TEMP_MILLI] [-s SEED] PROMPT... */
static int cmd_generate(int argc, char **argv)
{
    if (!loaded) {
        anx_printf("generate: no model loaded (set infer.model in the manifest)\n");
        return 1;
    }
    struct inf_params p = { .steps = 256, .ctx = CONFIG_INFER_CONTEXT };
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-n") == 0) p.steps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-t") == 0) p.temperature = (float)atoi(argv[i + 1]) / 1000.0f;
        else if (strcmp(argv[i], "-s") == 0) p.seed = strtoull(argv[i + 1], NULL, 0);
        else break;
    }
    p.top_p = 0.9f;
    char prompt[512] = "";
    for (size_t o = 0; i < argc; i++)
        o += (size_t)snprintf(prompt + o, o < sizeof(prompt) ? sizeof(prompt) - o : 0, "%s%s",
                              o ? " " : "", argv[i]);
    char err[INF_ERR_MAX];
    struct inf_session *s = inf_session_create(&model, &p, err);
    if (!s) {
        anx_printf("generate: %s\n", err);
        return 1;
    }
    uint64_t t0 = anx_time_ns();
    enum inf_finish f = inf_generate(s, prompt, print_cb, NULL);
    uint64_t ns = anx_time_ns() - t0;
    struct inf_usage u = inf_session_usage(s);
    /* prompt and completion tokens both go through the forward pass */
    uint64_t tokens = (uint64_t)(u.prompt_tokens + u.completion_tokens);
    anx_printf("\n[%s: %d prompt + %d completion tokens, %lu tok/s]\n", inf_finish_name(f), u.prompt_tokens,
               u.completion_tokens, (unsigned long)(ns ? tokens * ANX_NS_PER_S / ns : 0));
    inf_session_free(s);
    return f == INF_FINISH_ERROR;
}

static struct anx_command generate_cmd = {
    .name = "generate", .summary = "Generate text with the loaded model",
    .usage = "generate [-n STEPS] [-t TEMP_MILLI] [-s SEED] PROMPT...", .fn = cmd_generate,
};

/* Load the model and tokenizer named by the config: image files ("/models/x.bin")
 * or object names ("models/x") from whatever module provides named data
 * (<anx/data.h>: the object store). The bytes stay for the image's life. */
/* Read the model or tokenizer by name; logs why not. The bytes are kept
 * for the image's life, so whether they are owned does not matter. */
static int read_named(const char *what, const char *name, const void **data, size_t *size,
                      const char **from)
{
    bool owned;
    int rc = anx_data_read(name, data, size, &owned, from);
    if (rc == 0)
        return 0;
    if (rc == ANX_DATA_NOT_READY)
        log_error("%s %s: its store is not open", what, name);
    else if (rc == ANX_DATA_NOT_FOUND)
        log_error("%s %s: %s", what, name, name[0] == '/' ? "not among the image's files" : "no such object");
    else
        log_error("%s %s: cannot read it (error %d)", what, name, rc);
    return -1;
}

static int load_model(const char *mp, const char *tp)
{
    const void *md, *td = NULL;
    size_t ms, ts = 0;
    const char *from;
    char err[INF_ERR_MAX];
    if (read_named("model", mp, &md, &ms, &from) < 0)
        return -1;
    if (tp[0] && read_named("tokenizer", tp, &td, &ts, NULL) < 0)
        return -1;
    if (inf_model_load(&model, mp, md, ms, td, ts, err) < 0) {
        log_error("%s", err);
        return -1;
    }
    model.act = CONFIG_INFER_ACT_F32 ? TN_ACT_F32 : TN_ACT_Q8_0;
    tn_register(&model.tok_emb);
    tn_register(&model.out_norm);
    for (int l = 0; l < model.cfg.n_layers; l++) {
        struct inf_layer *L = &model.layers[l];
        struct tn_tensor *all[] = { &L->att_norm, &L->wq, &L->wk, &L->wv, &L->wo,
                                    &L->ffn_norm, &L->w1, &L->w2, &L->w3 };
        for (unsigned k = 0; k < sizeof(all) / sizeof(all[0]); k++)
            tn_register(all[k]);
    }
    char d[160];
    inf_model_describe(&model, d, sizeof(d));
    log_info("%s (%s): %s", mp, from, d);
    loaded = true;
    return 0;
}

/* An object-store model loads once the boot is complete: the store may only
 * open its disk in its start phase, after every module's init. */
static void load_later(void *arg)
{
    (void)arg;
    anx_boot_wait_ready();
    load_model(CONFIG_INFER_MODEL, CONFIG_INFER_TOKENIZER);
    anx_thread_exit();
}

static int infer_init(void)
{
    const char *mp = CONFIG_INFER_MODEL;
    if (mp[0] == '/') {
        if (load_model(mp, CONFIG_INFER_TOKENIZER) < 0)
            return -1;
    } else if (mp[0] && !anx_thread_create("infer-load", load_later, NULL, 16 * 1024)) {
        return -1;
    }
    return anx_command_register(&generate_cmd);
}

ANX_MODULE(infer, .init = infer_init);
#endif
