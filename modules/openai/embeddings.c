/*
 * embeddings.c - POST /v1/embeddings: the request, the answer's JSON and
 * the driver (embeddings.h). The vectors come from infer's inf_embed /
 * inf_embed_tokens: every token (BOS first) runs through the model and the
 * final hidden states of the input's tokens are averaged and scaled to unit
 * length (docs/inference.md, "Embeddings").
 */
#include "embeddings.h"
#include "json.h"

void oa_embed_request_free(struct oa_embed_request *rq)
{
    for (int i = 0; i < rq->n; i++) {
        anx_free(rq->in[i].text);
        anx_free(rq->in[i].ids);
    }
    anx_free(rq->in);
    anx_free(rq->model);
    memset(rq, 0, sizeof(*rq));
}

static bool is_id(const struct json_value *v)
{
    if (v->type != JSON_NUMBER || v->num < 0 || v->num > 1e9)
        return false;
    for (size_t i = 0; i < v->len; i++) /* no fraction or exponent */
        if (v->str[i] == '.' || v->str[i] == 'e' || v->str[i] == 'E')
            return false;
    return true;
}

/* One input: a string or an array of token ids. */
static int take_input(const struct json_doc *d, const struct json_value *v,
                      struct oa_embed_input *in, int index, struct oa_error *e)
{
    if (v->type == JSON_STRING) {
        if (v->len == 0)
            return oa_bad(e, "input", "invalid_value",
                       "Invalid 'input[%d]': an empty string cannot be embedded.", index);
        if (memchr(v->str, 0, v->len))
            return oa_bad(e, "input", "invalid_value",
                       "Invalid 'input[%d]': contains a NUL character.", index);
        return (in->text = strndup(v->str, v->len)) ? 0 : oa_out_of_memory(e);
    }
    if (v->type != JSON_ARRAY)
        return oa_bad(
            e, "input", "invalid_type",
            "Invalid type for 'input[%d]': expected a string or an array of token ids, but got %s.",
            index, oa_json_type_name(v->type));
    if (v->count == 0)
        return oa_bad(e, "input", "invalid_value", "Invalid 'input[%d]': an empty token array.",
                   index);
    if (v->count > OA_EMBED_MAX_IDS)
        return oa_bad(e, "input", "invalid_value", "Invalid 'input[%d]': more than %d token ids.",
                   index, OA_EMBED_MAX_IDS);
    if (!(in->ids = anx_malloc((size_t)v->count * sizeof(int))))
        return oa_out_of_memory(e);
    for (const struct json_value *t = oa_json_at(d, v->first); t; t = oa_json_at(d, t->next)) {
        if (!is_id(t))
            return oa_bad(e, "input", "invalid_value",
                       "Invalid 'input[%d]': token ids are integers from 0 up.", index);
        in->ids[in->n_ids++] = (int)t->num;
    }
    return 0;
}

int oa_embed_parse(const char *body, size_t n, struct oa_embed_request *rq, struct oa_error *e)
{
    memset(rq, 0, sizeof(*rq));
    memset(e, 0, sizeof(*e));
    struct json_doc d;
    struct json_error je;
    if (oa_json_parse(&d, body, n, &je) < 0) {
        if (je.oom)
            return oa_out_of_memory(e);
        return oa_bad(e, NULL, NULL,
                   "We could not parse the JSON body of your request: %s at byte %zu.", je.msg,
                   je.offset);
    }
    int rc = -1;
    const struct json_value *root = &d.v[0], *v;
    if (root->type != JSON_OBJECT) {
        oa_bad(e, NULL, NULL, "The body of your request must be a JSON object.");
        goto out;
    }
    if ((v = oa_json_get(&d, root, "model")) && v->type != JSON_NULL) {
        if (v->type != JSON_STRING) {
            oa_bad(e, "model", "invalid_type",
                "Invalid type for 'model': expected a string, but got %s.",
                oa_json_type_name(v->type));
            goto out;
        }
        if (!(rq->model = strndup(v->str, v->len))) {
            oa_out_of_memory(e);
            goto out;
        }
    }
    v = oa_json_get(&d, root, "input");
    if (!v || v->type == JSON_NULL) {
        oa_bad(e, "input", "missing_required_parameter", "Missing required parameter: 'input'.");
        goto out;
    }
    /* a string, one token array, or a list of strings / token arrays */
    bool one = v->type == JSON_STRING || (v->type == JSON_ARRAY && v->count > 0 &&
                                          oa_json_at(&d, v->first)->type == JSON_NUMBER);
    if (!one && v->type != JSON_ARRAY) {
        oa_bad(e, "input", "invalid_type",
            "Invalid type for 'input': expected a string or an array, but got %s.",
            oa_json_type_name(v->type));
        goto out;
    }
    int count = one ? 1 : v->count;
    if (count == 0) {
        oa_bad(e, "input", "invalid_value",
            "Invalid 'input': empty array. Expected at least one input.");
        goto out;
    }
    if (count > OA_EMBED_MAX_INPUTS) {
        oa_bad(e, "input", "invalid_value", "Invalid 'input': at most %d inputs per request, got %d.",
            OA_EMBED_MAX_INPUTS, count);
        goto out;
    }
    if (!(rq->in = anx_calloc((size_t)count, sizeof(*rq->in)))) {
        oa_out_of_memory(e);
        goto out;
    }
    if (one) {
        rq->n = 1;
        if (take_input(&d, v, &rq->in[0], 0, e) < 0)
            goto out;
    } else {
        for (const struct json_value *x = oa_json_at(&d, v->first); x;
             x = oa_json_at(&d, x->next)) {
            int i = rq->n++;
            if (take_input(&d, x, &rq->in[i], i, e) < 0)
                goto out;
        }
    }
    if ((v = oa_json_get(&d, root, "encoding_format")) && v->type != JSON_NULL) {
        if (v->type != JSON_STRING || (strcmp(v->str, "float") && strcmp(v->str, "base64"))) {
            oa_bad(e, "encoding_format", "invalid_value",
                "Invalid 'encoding_format': expected 'float' or 'base64'.");
            goto out;
        }
        rq->base64 = v->str[0] == 'b';
    }
    if ((v = oa_json_get(&d, root, "dimensions")) && v->type != JSON_NULL) {
        if (!is_id(v) || v->num < 1) {
            oa_bad(e, "dimensions", "invalid_value",
                "Invalid 'dimensions': expected a positive integer.");
            goto out;
        }
        rq->dimensions = (int)v->num;
    }
    if ((v = oa_json_get(&d, root, "user")) && v->type != JSON_NULL && v->type != JSON_STRING) {
        oa_bad(e, "user", "invalid_type", "Invalid type for 'user': expected a string, but got %s.",
            oa_json_type_name(v->type));
        goto out;
    }
    rc = 0;
out:
    oa_json_free(&d);
    return rc;
}

/* ---- the answer ------------------------------------------------------------------------------ */

static double p10(int k)
{
    static const double t[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    double r = 1;
    int a = k < 0 ? -k : k;
    while (a > 22) {
        r *= t[22];
        a -= 22;
    }
    r *= t[a];
    return k < 0 ? 1 / r : r;
}

size_t oa_float_text(char *buf, float f)
{
    double d = f;
    size_t o = 0;
    if (d != d || d - d != 0 || d == 0) { /* NaN, infinity, zero */
        buf[0] = '0';
        buf[1] = 0;
        return 1;
    }
    if (d < 0) {
        buf[o++] = '-';
        d = -d;
    }
    int e = 0; /* 10^e <= d < 10^(e+1) */
    while (d >= p10(e + 1))
        e++;
    while (d < p10(e))
        e--;
    /* 9 significant digits: one multiplication by a power of ten, exact up to
     * 10^22 and within a double's rounding beyond, far below float32's */
    double s = 8 - e >= 0 ? d * p10(8 - e) : d / p10(e - 8);
    uint64_t m = (uint64_t)(s + 0.5);
    if (m >= 1000000000u) {
        m = (m + 5) / 10;
        e++;
    }
    char dg[10];
    for (int i = 8; i >= 0; i--, m /= 10)
        dg[i] = (char)('0' + m % 10);
    int nd = 9;
    while (nd > 1 && dg[nd - 1] == '0')
        nd--;
    if (e >= 0 && e <= 8) {
        for (int i = 0; i <= e; i++)
            buf[o++] = i < nd ? dg[i] : '0';
        if (nd > e + 1) {
            buf[o++] = '.';
            for (int i = e + 1; i < nd; i++)
                buf[o++] = dg[i];
        }
    } else if (e < 0 && e >= -5) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int i = 0; i < -e - 1; i++)
            buf[o++] = '0';
        for (int i = 0; i < nd; i++)
            buf[o++] = dg[i];
    } else {
        buf[o++] = dg[0];
        if (nd > 1) {
            buf[o++] = '.';
            for (int i = 1; i < nd; i++)
                buf[o++] = dg[i];
        }
        o += (size_t)snprintf(buf + o, 8, "e%d", e);
    }
    buf[o] = 0;
    return o;
}

void oa_base64(struct anx_buf *b, const void *p, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = { A[v >> 18], A[(v >> 12) & 63], i + 1 < n ? A[(v >> 6) & 63] : '=',
                      i + 2 < n ? A[v & 63] : '=' };
        anx_buf_add(b, q, 4);
    }
}

void oa_embedding_json(struct anx_buf *b, int index, const float *v, int dim, bool base64)
{
    anx_buf_printf(b, "{\"object\": \"embedding\", \"index\": %d, \"embedding\": ", index);
    if (base64) {
        /* little-endian float32, whatever the CPU's order */
        uint8_t *le = anx_malloc((size_t)dim * 4 + 1);
        if (!le) {
            b->oom = true;
            return;
        }
        for (int i = 0; i < dim; i++) {
            uint32_t u;
            memcpy(&u, &v[i], 4);
            for (int k = 0; k < 4; k++)
                le[4 * i + k] = (uint8_t)(u >> (8 * k));
        }
        anx_buf_add(b, "\"", 1);
        oa_base64(b, le, (size_t)dim * 4);
        anx_buf_add(b, "\"", 1);
        anx_free(le);
    } else {
        anx_buf_add(b, "[", 1);
        for (int i = 0; i < dim; i++) {
            char t[24];
            if (i)
                anx_buf_add(b, ", ", 2);
            anx_buf_add(b, t, oa_float_text(t, v[i]));
        }
        anx_buf_add(b, "]", 1);
    }
    anx_buf_add(b, "}", 1);
}

/* ---- serving ------------------------------------------------------------------------------- */

static void reply(struct oa_io *io, const struct oa_error *e)
{
    io->status = e->status ? e->status : 400;
    io->content_type = "application/json";
    oa_error_json(io->out, e);
}

void oa_serve_embeddings(struct oa_server *srv, const char *body, size_t n, struct oa_io *io)
{
    struct oa_embed_request rq;
    struct oa_error e;
    if (oa_embed_parse(body, n, &rq, &e) < 0)
        goto fail;
    memset(&e, 0, sizeof(e));
    if (oa_model_check(srv, rq.model, &e) < 0)
        goto fail;
    if (io->lock)
        io->lock(io->ctx);
    const struct inf_model *model = srv->model_get ? srv->model_get() : srv->model;
    if (!model) {
        if (io->unlock)
            io->unlock(io->ctx);
        e.status = 503;
        e.type = "server_error";
        snprintf(e.message, sizeof(e.message), "the model was unloaded");
        goto fail;
    }
    int dim = model->cfg.dim,
        limit = srv->ctx > 0 && srv->ctx < model->cfg.seq_len ? srv->ctx : model->cfg.seq_len;
    float *vec = NULL;
    struct anx_buf b = { 0 };
    long tokens = 0;
    if (rq.dimensions && rq.dimensions != dim) {
        oa_bad(&e, "dimensions", "invalid_value",
            "Invalid 'dimensions': this model's embeddings have %d dimensions, and cannot be "
            "shortened (%d asked).",
            dim, rq.dimensions);
        goto done;
    }
    if (!(vec = anx_malloc((size_t)dim * sizeof(float)))) {
        oa_out_of_memory(&e);
        goto done;
    }
    anx_buf_puts(&b, "{\"object\": \"list\", \"data\": [");
    for (int i = 0; i < rq.n; i++) {
        char err[INF_ERR_MAX];
        int nt = 0;
        int rc = rq.in[i].text
                     ? inf_embed(model, rq.in[i].text, limit, vec, &nt, err)
                     : inf_embed_tokens(model, rq.in[i].ids, rq.in[i].n_ids, limit, vec, &nt, err);
        if (rc == ANX_ENOMEM) {
            oa_out_of_memory(&e);
            goto done;
        }
        if (rc < 0) {
            oa_bad(&e, "input", strstr(err, "more than") ? "context_length_exceeded" : "invalid_value",
                "Invalid 'input[%d]': %.160s.", i, err);
            goto done;
        }
        tokens += nt;
        if (i)
            anx_buf_puts(&b, ", ");
        oa_embedding_json(&b, i, vec, dim, rq.base64);
        if (io->yield && i + 1 < rq.n)
            io->yield(io->ctx); /* the network and other connections go on */
    }
    anx_buf_puts(&b, "], \"model\": ");
    rt_json_str(&b, srv->model_id, strlen(srv->model_id));
    anx_buf_printf(&b, ", \"usage\": {\"prompt_tokens\": %ld, \"total_tokens\": %ld}}\n", tokens,
                   tokens);
    if (b.oom) {
        oa_out_of_memory(&e);
        goto done;
    }
    srv->embed_requests++;
    srv->embed_inputs += (unsigned long)rq.n;
    io->status = 200;
    io->content_type = "application/json";
    anx_buf_add(io->out, b.p, b.len);
done:
    anx_free(vec);
    anx_buf_free(&b);
    if (srv->model_put)
        srv->model_put(model);
    if (io->unlock)
        io->unlock(io->ctx);
    if (e.status)
        reply(io, &e);
    oa_embed_request_free(&rq);
    return;
fail:
    reply(io, &e);
    oa_embed_request_free(&rq);
}
