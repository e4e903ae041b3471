/*
 * metrics.h - the openai module's lines of /metrics (Prometheus text, the
 * router's rt_metrics_register): response-cache hits and misses, kept
 * sessions and the prompt tokens they did not run again, embeddings.
 */
#ifndef OA_METRICS_H
#define OA_METRICS_H

#include "api.h"

void oa_metrics_text(struct anx_buf *b, const struct oa_server *srv);

#endif
