/*
 * The infer module in the image: loads the model named by the config (an
 * image file at init, or an object-store object once the boot is complete),
 * registers the tensors, and adds the `generate`
 * shell command. With reload (module.yaml), a new version of an
 * object-store model or tokenizer (the change feed, <anx/feed.h>) is
 * loaded beside the one in use and swapped in once it works; sessions hold
 * the model they started with (inf_model_get/put), and the old one is
 * freed when the last of them ends. The HTTP API is the openai module's (modules/openai),
 * which serves inf_loaded_model(). Image glue: the host tools leave this file out.
 */
#define LOG_TAG "infer"
#define SELF "infer"      /* this module, as the object store's grants name it */
#include <anx/command.h>
#include <anx/data.h>
#include <anx/feed.h>
#include <anx/mem.h>
#include <anx/files.h>
#include <anx/kernel.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "infer.h"
#include "slot.h"

int inf_loaded_context(void)
{
    return CONFIG_INFER_CONTEXT;
}

const char *inf_loaded_name(void)
{
    return CONFIG_INFER_NAME;
}

const char *inf_loaded_path(void)
{
    return CONFIG_INFER_MODEL;
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
    if (!inf_loaded_model()) {
        struct anx_module_status st = anx_module_status_of("infer");
        if (!CONFIG_INFER_MODEL[0])
            anx_printf("generate: no model (set infer.model in the manifest)\n");
        else if (st.state == ANX_MODULE_FAILED)
            anx_printf("generate: the model did not load: %s\n", st.reason);
        else
            anx_printf("generate: %s is still loading; try again in a moment\n", CONFIG_INFER_MODEL);
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
    const struct inf_model *model = inf_model_get();
    struct inf_session *s = inf_session_create(model, &p, err);
    if (!s) {
        inf_model_put(model);
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
    inf_model_put(model);
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
                      bool *owned, const char **from, char *err)
{
    int rc = anx_data_read(SELF, name, data, size, owned, from);
    if (rc == 0)
        return 0;
    if (rc == ANX_EAGAIN)
        snprintf(err, INF_ERR_MAX, "%s %s: its store is not open", what, name);
    else if (rc == ANX_ENOENT)
        snprintf(err, INF_ERR_MAX, "%s %s: %s", what, name,
                 name[0] == '/' ? "not among the image's files" : "no such object");
    else
        snprintf(err, INF_ERR_MAX, "%s %s: cannot read it: %s (the log says more)", what, name,
                 anx_strerror(rc));
    return rc;
}

/* Load, then make sure one session fits: a model that loads but cannot
 * answer a single request would leave every completion failing while the
 * image looks healthy. 0 with *out, or an <anx/errno.h> code with err
 * saying why. */
static int load_model(const char *mp, const char *tp, struct inf_loaded **out, char *err)
{
    struct inf_loaded *l = anx_calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, INF_ERR_MAX, "%s: out of memory", mp);
        return ANX_ENOMEM;
    }
    size_t ms, ts = 0;
    const char *from;
    int rc = read_named("model", mp, &l->md, &ms, &l->mown, &from, err);
    if (rc < 0)
        goto fail;
    if (tp[0] && (rc = read_named("tokenizer", tp, &l->td, &ts, &l->town, NULL, err)) < 0)
        goto fail;
    if ((rc = inf_model_load(&l->m, mp, l->md, ms, l->td, ts, err)) < 0)
        goto fail;
    struct inf_params trial = { .ctx = CONFIG_INFER_CONTEXT };
    char why[INF_ERR_MAX];
    struct inf_session *s = inf_session_create(&l->m, &trial, why);
    if (!s) {
        snprintf(err, INF_ERR_MAX, "%s loaded, but a session does not fit: %s", mp, why);
        rc = ANX_ENOMEM;    /* sessions fail only for memory (inf_oom) */
        goto fail;
    }
    inf_session_free(s);
    l->m.act = strcmp(CONFIG_INFER_ACT, "f32") == 0 ? TN_ACT_F32 : TN_ACT_Q8_0;   /* module.yaml act */
    char d[160];
    inf_model_describe(&l->m, d, sizeof(d));
    log_info("%s (%s): %s", mp, from, d);
    *out = l;
    return 0;
fail:   /* bytes read from a store are ours: give them back for the others (a model the
         * loader refused is already freed and zeroed, which inf_model_free takes) */
    inf_loaded_free(l);
    return rc;
}

/* reload: a new version of the model's or the tokenizer's object. A burst
 * of events (a model and its tokenizer written together) loads once, when
 * the feed has been quiet for RELOAD_SETTLE_NS. A model that does not load
 * leaves the one in use in place. */
#define RELOAD_SETTLE_NS (2 * ANX_NS_PER_S)

static bool names_ours(const char *name)
{
    return !strcmp(name, CONFIG_INFER_MODEL) ||
           (CONFIG_INFER_TOKENIZER[0] && !strcmp(name, CONFIG_INFER_TOKENIZER));
}

static _Noreturn void reload_thread(struct anx_feed_sub *sub)
{
    char why[ANX_FEED_NAME_MAX + 32] = "";
    bool pending = false;
    for (;;) {
        struct anx_feed_event ev;
        int rc = anx_feed_next(sub, &ev, pending ? RELOAD_SETTLE_NS : 3600 * ANX_NS_PER_S);
        if (rc == 0) {
            if ((ev.kind == ANX_FEED_VERSION && names_ours(ev.name)) || ev.kind == ANX_FEED_LOST) {
                if (ev.kind == ANX_FEED_LOST)
                    snprintf(why, sizeof why, "events were lost");
                else
                    snprintf(why, sizeof why, "%s version %u", ev.name, (unsigned)ev.version);
                pending = true;
            }
            continue;
        }
        if (!pending)
            continue;
        pending = false;
        log_info("%s: loading the new model beside the one in use", why);
        char err[INF_ERR_MAX];
        struct inf_loaded *l;
        if ((rc = load_model(CONFIG_INFER_MODEL, CONFIG_INFER_TOKENIZER, &l, err)) < 0) {
            log_warn("the new model did not load, the one in use stays: %s", err);
            continue;
        }
        inf_slot_install(l);
    }
}

/* An object-store model loads once the boot is complete: the store may only
 * open its disk in its start phase, after every module's init. A failure
 * then marks the module failed (module.h), as a failed init would. With
 * reload the thread then follows the change feed (subscribed before the
 * first load, so a version written meanwhile is not missed). */
static void load_later(void *arg)
{
    (void)arg;
    char err[INF_ERR_MAX];
    struct anx_feed_sub *sub = NULL;
    anx_boot_wait_ready();
    if (CONFIG_INFER_RELOAD) {
        int rc = anx_feed_subscribe("infer", "", 0, &sub);
        if (rc < 0)
            log_warn("reload: cannot subscribe to the change feed: %s", anx_strerror(rc));
    }
    struct inf_loaded *l;
    int rc = load_model(CONFIG_INFER_MODEL, CONFIG_INFER_TOKENIZER, &l, err);
    if (rc < 0)
        anx_module_fail("infer", rc, "%s", err);
    else
        inf_slot_install(l);
    if (sub)
        reload_thread(sub);     /* never returns */
    anx_thread_exit();
}

static int infer_init(void)
{
    const char *mp = CONFIG_INFER_MODEL;
    char err[INF_ERR_MAX];
    int rc = anx_command_register(&generate_cmd);
    if (rc < 0)
        return rc;
    if (mp[0] == '/') {
        struct inf_loaded *l;
        if ((rc = load_model(mp, CONFIG_INFER_TOKENIZER, &l, err)) < 0) {
            log_error("%s", err);       /* the module's reason (module.h) */
            return rc;
        }
        inf_slot_install(l);
    } else if (mp[0] && !anx_thread_create("infer-load", load_later, NULL, 16 * 1024)) {
        log_error("cannot start the thread that loads %s (out of memory)", mp);
        return ANX_ENOMEM;
    }
    return 0;
}

ANX_MODULE(infer, .init = infer_init);
