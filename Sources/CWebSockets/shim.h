#include <libwebsockets.h>
#include <sys/socket.h>

/*
 * Helpers for libwebsockets macros that Swift cannot import (computed or
 * 64-bit shifted expressions) and for container_of on the timer struct.
 */

/* Headroom lws needs in front of every payload passed to lws_write(). */
static inline size_t cws_lws_pre(void) { return LWS_PRE; }

/* global_tls_init: whether this context sets up OpenSSL's global state (see SSLLibraryInit.swift). */
static inline uint64_t cws_context_options(int global_tls_init) {
    uint64_t o = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (global_tls_init)
        o |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    return o;
}

/* Options for a vhost that only makes outgoing connections, with or without TLS. */
static inline uint64_t cws_client_vhost_options(int tls, int trust_only_ca_file) {
    uint64_t o = 0;
    if (tls)
        o |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (tls && trust_only_ca_file)
        o |= LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    return o;
}

/* Options for a listening vhost; a busy port must fail instead of being skipped. */
static inline uint64_t cws_server_vhost_options(int tls, int ipv4_only) {
    uint64_t o = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
    if (tls)
        o |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (ipv4_only)
        o |= LWS_SERVER_OPTION_DISABLE_IPV6;
    return o;
}

static inline int cws_log_levels_warn_err(void) { return LLL_ERR | LLL_WARN; }

/*
 * A periodic timer for the service thread: lws hands the callback only the
 * sul pointer, so the owner rides next to it.
 */
typedef struct cws_timer {
    lws_sorted_usec_list_t sul;
    void *owner;
} cws_timer_t;

static inline void *cws_timer_owner(lws_sorted_usec_list_t *sul) {
    return lws_container_of(sul, cws_timer_t, sul)->owner;
}

static inline void cws_timer_schedule(struct lws_context *context, cws_timer_t *timer,
                                      sul_cb_t callback, int64_t microseconds) {
    lws_sul_schedule(context, 0, &timer->sul, callback, (lws_usec_t)microseconds);
}

static inline void cws_timer_cancel(cws_timer_t *timer) { lws_sul_cancel(&timer->sul); }

/* Drops a socket without a close handshake, to simulate a cut link. */
static inline void cws_shutdown_socket(int fd) { shutdown(fd, SHUT_RDWR); }

/* Names the calling thread (Linux keeps 15 characters), so tests and ps can find it. */
#include <pthread.h>
extern int pthread_setname_np(pthread_t thread, const char *name);
static inline void cws_name_current_thread(const char *name) { pthread_setname_np(pthread_self(), name); }

/*
 * The certificate verification error OpenSSL recorded, or NULL when there is none. Called from
 * LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION, where `user` is the X509_STORE_CTX.
 * libcrypto is loaded as a dependency of libwebsockets but not linked by this module, so its
 * functions are looked up at run time (only on this rare path).
 */
#include <dlfcn.h>
static inline const char *cws_x509_verify_error(void *x509_store_ctx) {
    const char *text = NULL;
    void *self = dlopen(NULL, RTLD_NOW);
    if (!self)
        return NULL;
    int (*get_error)(X509_STORE_CTX *) =
        (int (*)(X509_STORE_CTX *))dlsym(self, "X509_STORE_CTX_get_error");
    const char *(*error_string)(long) =
        (const char *(*)(long))dlsym(self, "X509_verify_cert_error_string");
    if (get_error && error_string) {
        int err = get_error((X509_STORE_CTX *)x509_store_ctx);
        if (err != X509_V_OK)
            text = error_string(err);
    }
    dlclose(self);
    return text;
}
