/*
 * One http: or https: fetch's exchange, between the browser thread (fetch_http.c,
 * NetSurf's side) and the worker thread that talks to the server
 * (http_worker.c, lwIP's side). Two files because NetSurf's headers and
 * lwIP's define the same byte-order functions differently.
 *
 * Threads are cooperative, so the fields need no lock: each side changes
 * them only between its own blocking calls.
 */
#ifndef BROWSER_HTTP_JOB_H
#define BROWSER_HTTP_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <anx/buf.h>
#include <anx/thread.h>

/* What the worker hands over, in order: the status, each header field,
 * the end of the head, body bytes (de-chunked). The end of the exchange
 * is `finished` (with `error` when it failed), after the last message. */
enum browser_http_msg_type {
    BROWSER_HTTP_STATUS,
    BROWSER_HTTP_HEADER,
    BROWSER_HTTP_HEAD_DONE,
    BROWSER_HTTP_DATA,
};

struct browser_http_msg {
    struct browser_http_msg *next;
    enum browser_http_msg_type type;
    int code;    /* STATUS */
    size_t len;  /* of data */
    size_t cap;  /* DATA: room for more bytes of the same body */
    char data[]; /* HEADER: "Name: value" (NUL-terminated); DATA: body bytes */
};

struct browser_http_job {
    int refs;        /* the browser side's and the worker's */
    bool stop;       /* browser -> worker: give up, deliver nothing more */
    bool finished;   /* worker -> browser: no more messages follow */
    char error[400]; /* set with finished when the fetch failed */
    struct browser_http_msg *head, *tail;
    size_t queued;         /* body bytes in the queue */
    struct anx_waitq room; /* the worker waits here for the queue to drain */
    /* the exchange, prepared by the browser side */
    char host[256];
    uint16_t port;
    bool tls; /* https: the exchange runs inside a TLS session (modules/tls) */
    struct anx_buf request; /* head and body, sent as they are */
};

/* Starts a worker thread on a job the caller filled in (host, port,
 * request); the job then has two references. false when out of memory
 * (the job is untouched). */
bool browser_http_job_start(struct browser_http_job *j);

/* Browser side. The next message (the caller frees it), or NULL. */
struct browser_http_msg *browser_http_job_pop(struct browser_http_job *j);

/* Browser side: the worker is to stop (it closes its connection itself). */
void browser_http_job_stop(struct browser_http_job *j);

/* Drops a reference; the last frees the job and any queued message. */
void browser_http_job_release(struct browser_http_job *j);

#endif
