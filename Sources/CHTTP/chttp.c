#include "chttp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct dagstack_http {
    CURL *easy;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

dagstack_http *dagstack_http_open(void) {
    pthread_once(&global_once, global_init);
    dagstack_http *http = calloc(1, sizeof *http);
    if (!http) return NULL;
    http->easy = curl_easy_init();
    if (!http->easy) { free(http); return NULL; }
    return http;
}

void dagstack_http_close(dagstack_http *http) {
    if (!http) return;
    curl_easy_cleanup(http->easy);
    free(http);
}

typedef struct {
    char *data;
    size_t length, capacity, limit;
    int too_large;
} sink;

static size_t on_data(char *chunk, size_t size, size_t count, void *user) {
    sink *s = user;
    size_t n = size * count;
    if (s->length + n > s->limit) { s->too_large = 1; return 0; }
    if (s->length + n + 1 > s->capacity) {
        size_t capacity = s->capacity ? s->capacity : 4096;
        while (capacity < s->length + n + 1) capacity *= 2;
        char *grown = realloc(s->data, capacity);
        if (!grown) return 0;
        s->data = grown;
        s->capacity = capacity;
    }
    memcpy(s->data + s->length, chunk, n);
    s->length += n;
    s->data[s->length] = 0;
    return n;
}

static int on_progress(void *user, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
    (void)a; (void)b; (void)c; (void)d;
    const dagstack_http_request *request = user;
    return request->cancelled(request->cancel_context) ? 1 : 0;
}

static int classify(CURLcode code) {
    switch (code) {
    case CURLE_OK: return DAGSTACK_HTTP_OK;
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE:
        return DAGSTACK_HTTP_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return DAGSTACK_HTTP_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER:
        return DAGSTACK_HTTP_TLS;
    case CURLE_ABORTED_BY_CALLBACK: return DAGSTACK_HTTP_CANCELLED;
    default: return DAGSTACK_HTTP_OTHER;
    }
}

void dagstack_http_post(dagstack_http *http, const dagstack_http_request *request, dagstack_http_result *result) {
    memset(result, 0, sizeof *result);
    CURL *easy = http->easy;
    curl_easy_reset(easy);  // keeps the connection cache: the next request reuses a live connection
    char error[CURL_ERROR_SIZE] = {0};
    struct curl_slist *headers = NULL;
    for (int i = 0; i < request->header_count; i++) headers = curl_slist_append(headers, request->headers[i]);
    // No "Expect: 100-continue" round trip before a large body.
    headers = curl_slist_append(headers, "Expect:");
    sink body = {.limit = request->max_body};
    sink head = {.limit = 1024 * 1024};

    curl_easy_setopt(easy, CURLOPT_URL, request->url);
    if (request->method) {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request->method);
    } else {
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->body ? request->body : "");
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
    }
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, request->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, request->verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, request->verify_tls ? 2L : 0L);
    if (request->ca_bundle) curl_easy_setopt(easy, CURLOPT_CAINFO, request->ca_bundle);
    if (request->cancelled) {
        curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(easy, CURLOPT_XFERINFODATA, (void *)request);
        curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    }

    CURLcode code = curl_easy_perform(easy);
    curl_slist_free_all(headers);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result->status);
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &result->new_connections);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &result->seconds);
    if (body.too_large) {
        result->failure = DAGSTACK_HTTP_TOO_LARGE;
    } else {
        result->failure = classify(code);
    }
    if (code != CURLE_OK) {
        const char *text = error[0] ? error : curl_easy_strerror(code);
        strncpy(result->message, text, sizeof result->message - 1);
        free(body.data);
        free(head.data);
        return;
    }
    result->body = body.data;
    result->body_length = body.length;
    result->headers = head.data;
    result->headers_length = head.length;
}

void dagstack_http_free_body(dagstack_http_result *result) {
    free(result->headers);
    result->headers = NULL;
    result->headers_length = 0;
    free(result->body);
    result->body = NULL;
    result->body_length = 0;
}
