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

#include <errno.h>
#include <poll.h>
#include <sys/uio.h>
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

// How many bytes the connected socket `fd` can still queue before a write would wait for the peer. A
// TCP send waits only when the memory the socket has queued (sk_wmem_queued, payload plus the kernel's
// per-buffer overhead, acknowledged or not) reaches its send buffer (sk_sndbuf); SO_MEMINFO reports
// both. Where SO_MEMINFO is missing, only an empty send queue (SIOCOUTQ) counts, as the whole send
// buffer; anything else is 0. getsockopt and ioctl take untyped pointers, hence C.
static inline size_t vumamqp_socket_room(int fd) {
    __u32 info[SK_MEMINFO_VARS];
    socklen_t len = sizeof(info);
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len) == 0
        && len >= sizeof(__u32) * (SK_MEMINFO_WMEM_QUEUED + 1)) {
        size_t queued = info[SK_MEMINFO_WMEM_QUEUED], sndbuf = info[SK_MEMINFO_SNDBUF];
        return queued < sndbuf ? sndbuf - queued : 0;
    }
    int queued = 0;
    if (ioctl(fd, SIOCOUTQ, &queued) != 0 || queued != 0) return 0;
    int sndbuf = 0;
    len = sizeof(sndbuf);
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 || sndbuf <= 0) return 0;
    return (size_t)sndbuf;
}

// Publishes one message over a plain TCP connection in one `sendmsg`: the method frame, the content
// header frame and the body frames, the body sent from the caller's memory. amqp_basic_publish writes the
// same frames in three or more `send` calls (flagged MSG_MORE), and on this path the system calls are
// most of a publish's cost. The frames are encoded with rabbitmq-c's own public encoders, so the bytes
// are the ones amqp_basic_publish would write. Returns AMQP_STATUS_OK, AMQP_STATUS_SOCKET_ERROR when the
// write fails (the connection is then unusable, as after a failed amqp_basic_publish), or the status of
// amqp_basic_publish, which it falls back to when the frames do not fit this function's buffers (headers
// over 3 KiB, a body of more than 64 frames). Only for plain TCP: over TLS the bytes must go through the
// TLS library. Like every rabbitmq-c call, never concurrently with another on the same connection.
#define VUMAMQP_PUBLISH_PREFIX 4096
#define VUMAMQP_PUBLISH_MAX_BODY_FRAMES 64

static inline void vumamqp_put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static inline void vumamqp_put32(uint8_t *p, uint32_t v) {
    vumamqp_put16(p, (uint16_t)(v >> 16)); vumamqp_put16(p + 2, (uint16_t)(v & 0xffff));
}
static inline void vumamqp_put64(uint8_t *p, uint64_t v) {
    vumamqp_put32(p, (uint32_t)(v >> 32)); vumamqp_put32(p + 4, (uint32_t)(v & 0xffffffff));
}
// A frame's 7-byte header: type, channel, payload size.
static inline void vumamqp_frame_header(uint8_t *p, uint8_t type, amqp_channel_t channel, uint32_t size) {
    p[0] = type; vumamqp_put16(p + 1, channel); vumamqp_put32(p + 3, size);
}

static inline int vumamqp_publish_plain(amqp_connection_state_t state, amqp_channel_t channel,
                                        amqp_bytes_t exchange, amqp_bytes_t routing_key, int mandatory,
                                        amqp_basic_properties_t *properties, amqp_bytes_t body) {
    int frame_max = amqp_get_frame_max(state);
    size_t chunk = frame_max > 8 ? (size_t)frame_max - 8 : 0;
    size_t body_frames = chunk == 0 ? 0 : (body.len + chunk - 1) / chunk;
    uint8_t prefix[VUMAMQP_PUBLISH_PREFIX];
    amqp_basic_publish_t method = {0, exchange, routing_key, mandatory ? 1 : 0, 0};
    // Method frame: header, method id, arguments, frame end.
    amqp_bytes_t out = {sizeof(prefix) - 7 - 4 - 1, prefix + 7 + 4};
    int method_len = chunk == 0 || body_frames > VUMAMQP_PUBLISH_MAX_BODY_FRAMES
        ? -1 : amqp_encode_method(AMQP_BASIC_PUBLISH_METHOD, &method, out);
    size_t used = 0;
    int header_len = -1;
    if (method_len >= 0) {
        vumamqp_frame_header(prefix, AMQP_FRAME_METHOD, channel, (uint32_t)method_len + 4);
        vumamqp_put32(prefix + 7, AMQP_BASIC_PUBLISH_METHOD);
        used = 7 + 4 + (size_t)method_len;
        prefix[used++] = AMQP_FRAME_END;
        // Content header frame: header, class, weight, body size, flags and properties, frame end; then the
        // first body frame's header, so the prefix runs up to the body's first byte.
        if (used + 7 + 12 + 1 + 7 < sizeof(prefix)) {
            amqp_bytes_t props = {sizeof(prefix) - used - 7 - 12 - 1 - 7, prefix + used + 7 + 12};
            header_len = amqp_encode_properties(AMQP_BASIC_CLASS, properties, props);
        }
    }
    if (header_len < 0 || (size_t)header_len + 12 > (size_t)frame_max - 8) {
        return amqp_basic_publish(state, channel, exchange, routing_key, mandatory ? 1 : 0, 0, properties, body);
    }
    vumamqp_frame_header(prefix + used, AMQP_FRAME_HEADER, channel, (uint32_t)header_len + 12);
    vumamqp_put16(prefix + used + 7, AMQP_BASIC_CLASS);
    vumamqp_put16(prefix + used + 9, 0);
    vumamqp_put64(prefix + used + 11, (uint64_t)body.len);
    used += 7 + 12 + (size_t)header_len;
    prefix[used++] = AMQP_FRAME_END;

    // prefix | body chunk 0 | end + next header | body chunk 1 | ... | end
    struct iovec iov[2 * VUMAMQP_PUBLISH_MAX_BODY_FRAMES + 1];
    uint8_t separators[VUMAMQP_PUBLISH_MAX_BODY_FRAMES][8];
    size_t count = 0;
    for (size_t i = 0; i < body_frames; i++) {
        size_t offset = i * chunk;
        size_t len = body.len - offset < chunk ? body.len - offset : chunk;
        uint8_t *header = i == 0 ? prefix + used : separators[i - 1] + 1;
        if (i > 0) separators[i - 1][0] = AMQP_FRAME_END;
        vumamqp_frame_header(header, AMQP_FRAME_BODY, channel, (uint32_t)len);
        if (i == 0) {
            used += 7;
            iov[count++] = (struct iovec){prefix, used};
        } else {
            iov[count++] = (struct iovec){separators[i - 1], 8};
        }
        iov[count++] = (struct iovec){(uint8_t *)body.bytes + offset, len};
    }
    static const uint8_t frame_end = AMQP_FRAME_END;
    if (body_frames == 0) {
        iov[count++] = (struct iovec){prefix, used};
    } else {
        iov[count++] = (struct iovec){(void *)&frame_end, 1};
    }

    int fd = amqp_get_sockfd(state);
    struct iovec *next = iov;
    while (count > 0) {
        struct msghdr message = {0};
        message.msg_iov = next;
        message.msg_iovlen = count;
        ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                // The socket is non-blocking; wait for room as amqp_basic_publish does (no deadline).
                struct pollfd pfd = {fd, POLLOUT, 0};
                if (poll(&pfd, 1, -1) < 0 && errno != EINTR) return AMQP_STATUS_SOCKET_ERROR;
                continue;
            }
            return AMQP_STATUS_SOCKET_ERROR;
        }
        size_t left = (size_t)sent;
        while (count > 0 && left >= next->iov_len) {
            left -= next->iov_len;
            next++;
            count--;
        }
        if (count > 0) {
            next->iov_base = (uint8_t *)next->iov_base + left;
            next->iov_len -= left;
        }
    }
    return AMQP_STATUS_OK;
}

// Names the calling thread as `top` and `perf` show it (at most 15 bytes). prctl is variadic, and
// pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module is not built with.
static inline void vumamqp_name_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

#endif
