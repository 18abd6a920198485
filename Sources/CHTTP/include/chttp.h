#ifndef DAGSTACK_CHTTP_H
#define DAGSTACK_CHTTP_H

#include <stddef.h>

/// One HTTP connection kept open between requests (libcurl easy handle): requests made through the
/// same handle reuse its connection while the server keeps it alive.
typedef struct dagstack_http dagstack_http;

/// What went wrong before a complete response arrived.
enum dagstack_http_failure {
    DAGSTACK_HTTP_OK = 0,
    /// Could not connect, or the connection broke before a response (refused, reset, no such host).
    DAGSTACK_HTTP_CONNECT = 1,
    /// No complete response within the time limit.
    DAGSTACK_HTTP_TIMEOUT = 2,
    /// The TLS handshake or the server's certificate was refused.
    DAGSTACK_HTTP_TLS = 3,
    /// Cancelled through the cancellation flag.
    DAGSTACK_HTTP_CANCELLED = 4,
    /// The response was larger than the limit.
    DAGSTACK_HTTP_TOO_LARGE = 5,
    DAGSTACK_HTTP_OTHER = 6,
};

typedef struct {
    int failure;
    long status;
    /// Connections opened for this request: 0 when it went over a kept-alive one.
    long new_connections;
    double seconds;
    /// libcurl's description of the failure.
    char message[512];
    /// The response body (malloc'd; free with dagstack_http_free_body) and its length.
    char *body;
    size_t body_length;
    /// The response's header lines as received, "Name: value\r\n" each (freed with the body).
    char *headers;
    size_t headers_length;
} dagstack_http_result;

typedef struct {
    /// NULL for POST; otherwise the method (DELETE), sent without a body.
    const char *method;
    const char *url;
    /// "Name: value" lines.
    const char *const *headers;
    int header_count;
    const char *body;
    size_t body_length;
    long timeout_ms;
    /// A PEM file of trusted certificate authorities instead of the system's; NULL for the system's.
    const char *ca_bundle;
    int verify_tls;
    size_t max_body;
    /// Asked during the transfer whether to abort it (non-zero: abort); NULL for never.
    int (*cancelled)(void *context);
    void *cancel_context;
} dagstack_http_request;

dagstack_http *dagstack_http_open(void);
void dagstack_http_close(dagstack_http *http);
/// A POST (or `method`); fills `result` (its body and headers are owned by the caller).
void dagstack_http_post(dagstack_http *http, const dagstack_http_request *request, dagstack_http_result *result);
void dagstack_http_free_body(dagstack_http_result *result);

#endif
