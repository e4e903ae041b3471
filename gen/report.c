/*
 * report.json: what went into an image and what came out, for people and
 * CI. Inputs and outputs carry sha256; each module's size is the bytes of
 * its objects the linker kept (.text, .data, .rodata, .bss after
 * --gc-sections, from the map file), and "sections" splits it by kind.
 */
#include "anx.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int cmp_inputs(const void *a, const void *b)
{
    return strcmp(((const struct input_file *)a)->path, ((const struct input_file *)b)->path);
}

/* Sets "size", "objects" and "sections" ({text, rodata, data, bss}) of
 * the objects of one owner (NULL: every object) on o. */
static void add_sizes(json_t *o, const struct build_result *res, const char *owner)
{
    uint64_t total = 0, k[4] = {0};
    size_t objects = 0;
    for (size_t i = 0; i < res->nunits; i++) {
        const struct cunit *u = &res->units[i];
        if (owner && strcmp(u->owner, owner))
            continue;
        total += u->size;
        k[0] += u->text;
        k[1] += u->rodata;
        k[2] += u->data;
        k[3] += u->bss;
        objects++;
    }
    json_object_set_new(o, "size", json_integer((json_int_t)total));
    json_object_set_new(o, "objects", json_integer((json_int_t)objects));
    json_t *sec = json_object();
    static const char *const names[] = {"text", "rodata", "data", "bss"};
    for (size_t i = 0; i < 4; i++)
        json_object_set_new(sec, names[i], json_integer((json_int_t)k[i]));
    json_object_set_new(o, "sections", sec);
}

char *report_json(const struct manifest *m, const struct resolution *r, const struct build_result *res)
{
    const char *root = anx_root();
    json_t *j = json_object();
    json_object_set_new(j, "manifest", json_string(path_rel(root, m->abs_path)));
    json_object_set_new(j, "name", json_string(m->name));
    json_object_set_new(j, "platform", json_string(r->plat->name));
    json_object_set_new(j, "arch", json_string(r->plat->arch));
    json_object_set_new(j, "memory", json_integer((json_int_t)m->memory));
    json_object_set_new(j, "cpus", json_integer(m->cpus));
    json_object_set_new(j, "image", json_string(path_rel(root, res->main_image)));

    json_t *mods = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct module *mod = r->mods[i].mod;
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(mod->name));
        json_object_set_new(o, "summary", json_string(mod->summary ? mod->summary : ""));
        json_object_set_new(o, "license", json_string(mod->license));
        json_t *tps = json_array();
        for (size_t t = 0; t < mod->ntp; t++) {
            json_t *tp = json_object();
            json_object_set_new(tp, "name", json_string(mod->tp[t].name));
            json_object_set_new(tp, "tree", json_string(mod->tp[t].tree));
            json_object_set_new(tp, "license", json_string(mod->tp[t].license ? mod->tp[t].license : ""));
            json_array_append_new(tps, tp);
        }
        json_object_set_new(o, "third_party", tps);
        json_object_set_new(o, "requested", json_boolean(r->mods[i].requested));
        json_object_set_new(o, "optimize", json_string(mod->speed ? "speed" : "size"));
        add_sizes(o, res, mod->name);
        json_t *cfg = json_object();
        for (size_t k = 0; k < mod->nkeys; k++) {
            const struct config_key *key = &mod->keys[k];
            const struct cvalue *v = &r->mods[i].values[k];
            json_t *jv;
            switch (key->type) {
            case CT_BOOL:
                jv = json_boolean(v->i);
                break;
            case CT_INT:
                jv = json_integer((json_int_t)v->i);
                break;
            case CT_SIZE:
            case CT_DURATION:
                jv = json_integer((json_int_t)v->u);
                break;
            case CT_LIST:
                jv = json_array();
                for (size_t it = 0; it < v->list.n; it++)
                    json_array_append_new(jv, json_string(v->list.v[it]));
                break;
            default:
                jv = json_string(v->s ? v->s : "");
            }
            json_object_set_new(cfg, key->name, jv ? jv : json_null());
        }
        json_object_set_new(o, "config", cfg);
        json_array_append_new(mods, o);
    }
    json_object_set_new(j, "modules", mods);

    /* The parts that are not modules, so the sizes add up. */
    json_t *base = json_array();
    static const char *const owners[] = {"core", "platform", "generated"};
    for (size_t i = 0; i < 3; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(owners[i]));
        add_sizes(o, res, owners[i]);
        json_array_append_new(base, o);
    }
    json_object_set_new(j, "base", base);
    json_t *all = json_object();
    add_sizes(all, res, NULL);
    json_object_set_new(j, "total", all);

    struct input_file *in = xcalloc(res->inputs.n + 1, sizeof *in);
    memcpy(in, res->inputs.v, res->inputs.n * sizeof *in);
    qsort(in, res->inputs.n, sizeof *in, cmp_inputs);
    json_t *inputs = json_array();
    for (size_t i = 0; i < res->inputs.n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "path", json_string(in[i].path));
        json_object_set_new(o, "bytes", json_integer((json_int_t)in[i].size));
        json_object_set_new(o, "sha256", json_string(in[i].sha));
        json_array_append_new(inputs, o);
    }
    json_object_set_new(j, "inputs", inputs);

    json_t *outputs = json_array();
    for (size_t i = 0; i < res->noutputs; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(res->outputs[i].kind));
        json_object_set_new(o, "path", json_string(path_rel(root, res->outputs[i].path)));
        json_object_set_new(o, "bytes", json_integer((json_int_t)res->outputs[i].bytes));
        json_object_set_new(o, "sha256", json_string(res->outputs[i].sha));
        json_array_append_new(outputs, o);
    }
    json_object_set_new(j, "outputs", outputs);

    json_t *cache = json_object();
    json_object_set_new(cache, "objects", json_integer((json_int_t)res->nunits));
    json_object_set_new(cache, "hits", json_integer(res->cache_hits));
    json_object_set_new(cache, "relinked", json_boolean(res->relinked));
    json_object_set_new(j, "cache", cache);

    json_t *timings = json_object();
    for (size_t i = 0; i < res->nsteps; i++)
        json_object_set_new(timings, res->steps[i].name, json_real((double)(long long)(res->steps[i].ms * 1000) / 1e6));
    json_object_set_new(timings, "total", json_real((double)(long long)(res->total_ms * 1000) / 1e6));
    json_object_set_new(j, "timings_s", timings);

    char *s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    char *out = xasprintf("%s\n", s ? s : "{}");
    free(s);
    return out;
}
