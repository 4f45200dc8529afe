// The C surface of rabbitmq-c that AMQPClient uses, plus the few wrappers Swift needs.
// Only AMQPClient imports this module; no amqp_* type escapes its public API.
#ifndef VUM_CRABBITMQ_SHIM_H
#define VUM_CRABBITMQ_SHIM_H

// Debian's librabbitmq-dev 0.11 installs flat headers; upstream 0.12+ moved them under rabbitmq-c/.
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/framing.h>
#include <rabbitmq-c/tcp.h>
#include <rabbitmq-c/ssl_socket.h>
#else
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#endif

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <linux/sock_diag.h>
#include <sys/prctl.h>

// amqp_login_with_properties is variadic (the SASL arguments follow the method), and Swift cannot call
// variadic C functions. These two fix the argument list for the two mechanisms we support.
static inline amqp_rpc_reply_t vumamqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                   int channel_max, int frame_max, int heartbeat,
                                                   const amqp_table_t *properties, const char *user,
                                                   const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

// EXTERNAL takes an identity string that the broker ignores (it uses the certificate), but 0.11 fails
// with "could not allocate memory" when it is empty, so callers pass a non-empty placeholder.
static inline amqp_rpc_reply_t vumamqp_login_external(amqp_connection_state_t state, const char *vhost,
                                                      int channel_max, int frame_max, int heartbeat,
                                                      const amqp_table_t *properties,
                                                      const char *identity) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_EXTERNAL, identity);
}

// The method-number macros are casts, which Swift does not import as constants.
static inline amqp_method_number_t vumamqp_method(uint16_t class_id, uint16_t method_id) {
    return ((amqp_method_number_t)class_id << 16) | method_id;
}

// Whether `bytes` more can be written to the connected socket `fd` without the write waiting for the
// peer. A TCP send waits only when the memory the socket has queued (sk_wmem_queued, payload plus the
// kernel's per-buffer overhead, acknowledged or not) reaches its send buffer (sk_sndbuf); SO_MEMINFO
// reports both. The frame's own cost is counted generously as four times its bytes plus 8 KiB (a
// publish is up to three writes, each possibly a new buffer of about 1 KiB overhead). Where SO_MEMINFO
// is missing, only an empty send queue (SIOCOUTQ) counts as room. getsockopt and ioctl take untyped
// pointers, hence C.
static inline int vumamqp_socket_has_room(int fd, size_t bytes) {
    __u32 info[SK_MEMINFO_VARS];
    socklen_t len = sizeof(info);
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len) == 0
        && len >= sizeof(__u32) * (SK_MEMINFO_WMEM_QUEUED + 1)) {
        return (size_t)info[SK_MEMINFO_WMEM_QUEUED] + bytes * 4 + 8192 < (size_t)info[SK_MEMINFO_SNDBUF];
    }
    int queued = 0;
    if (ioctl(fd, SIOCOUTQ, &queued) != 0 || queued != 0) return 0;
    int sndbuf = 0;
    len = sizeof(sndbuf);
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 || sndbuf <= 0) return 0;
    return bytes * 4 + 8192 < (size_t)sndbuf;
}

// Names the calling thread as `top` and `perf` show it (at most 15 bytes). prctl is variadic, and
// pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module is not built with.
static inline void vumamqp_name_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

#endif
