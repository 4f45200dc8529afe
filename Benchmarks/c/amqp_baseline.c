// The floor: the same two benchmarks as Benchmarks/amqp-benchmark, written directly against rabbitmq-c
// with blocking calls and no Swift in between. Built and run by scripts/bench-amqp.sh.
//
//   amqp_baseline HOST PORT USER PASSWORD rtt COUNT
//       sequential request -> reply through the broker (requester and responder on two connections);
//       prints: {"mode":"rtt","count":N,"p50_us":..,"p90_us":..,"p99_us":..}
//   amqp_baseline HOST PORT USER PASSWORD oneway COUNT SIZE
//       one connection publishes COUNT messages of SIZE bytes, another consumes them with manual acks;
//       prints: {"mode":"oneway","count":N,"seconds":..,"msgs_per_s":..}
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *host, *user, *password;
static int port;
static char request_queue[64], reply_queue[64], oneway_queue[64];

static void die_on(int failed, const char *what) {
    if (failed) {
        fprintf(stderr, "amqp_baseline: %s failed\n", what);
        exit(1);
    }
}

static void check_reply(amqp_rpc_reply_t r, const char *what) { die_on(r.reply_type != AMQP_RESPONSE_NORMAL, what); }

static amqp_connection_state_t open_connection(void) {
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    die_on(socket == NULL, "socket");
    die_on(amqp_socket_open(socket, host, port) != AMQP_STATUS_OK, "connect");
    check_reply(amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, user, password), "login");
    amqp_channel_open(conn, 1);
    check_reply(amqp_get_rpc_reply(conn), "channel.open");
    return conn;
}

static void declare(amqp_connection_state_t conn, const char *name) {
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(name), 0, 0, 0, 0, amqp_empty_table);
    check_reply(amqp_get_rpc_reply(conn), "queue.declare");
}

static void consume(amqp_connection_state_t conn, const char *queue, int no_ack) {
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, no_ack, 0, amqp_empty_table);
    check_reply(amqp_get_rpc_reply(conn), "basic.consume");
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void close_connection(amqp_connection_state_t conn) {
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}

// The responder answers each request on its reply_to queue, until a request whose body is "stop".
static void *responder(void *ready) {
    amqp_connection_state_t conn = open_connection();
    consume(conn, request_queue, 1);
    *(volatile int *)ready = 1;
    for (;;) {
        amqp_envelope_t envelope;
        amqp_maybe_release_buffers(conn);
        check_reply(amqp_consume_message(conn, &envelope, NULL, 0), "responder consume");
        int stop = envelope.message.body.len == 4 && memcmp(envelope.message.body.bytes, "stop", 4) == 0;
        if (!stop) {
            amqp_basic_properties_t props;
            props._flags = AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
            props.correlation_id = envelope.message.properties.correlation_id;
            props.content_type = amqp_cstring_bytes("application/json");
            die_on(amqp_basic_publish(conn, 1, amqp_empty_bytes, envelope.message.properties.reply_to, 0, 0, &props,
                                      envelope.message.body) != AMQP_STATUS_OK, "reply publish");
        }
        amqp_destroy_envelope(&envelope);
        if (stop) break;
    }
    close_connection(conn);
    return NULL;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void rtt(int count) {
    amqp_connection_state_t conn = open_connection();
    declare(conn, request_queue);
    declare(conn, reply_queue);
    volatile int ready = 0;
    pthread_t thread;
    pthread_create(&thread, NULL, responder, (void *)&ready);
    while (!ready) usleep(1000);
    consume(conn, reply_queue, 1);
    const char *body = "{\"vraagID\":\"bench\",\"selectiegebied\":{\"postcode\":\"3511AB\",\"afstand\":25}}";
    int warmup = count / 10 + 10;
    double *samples = calloc(count, sizeof(double));
    char correlation[32];
    for (int i = 0; i < warmup + count; i++) {
        snprintf(correlation, sizeof correlation, "c%d", i);
        amqp_basic_properties_t props;
        props._flags = AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
        props.correlation_id = amqp_cstring_bytes(correlation);
        props.reply_to = amqp_cstring_bytes(reply_queue);
        props.content_type = amqp_cstring_bytes("application/json");
        double start = now_us();
        die_on(amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(request_queue), 0, 0, &props,
                                  amqp_cstring_bytes(body)) != AMQP_STATUS_OK, "request publish");
        amqp_envelope_t envelope;
        amqp_maybe_release_buffers(conn);
        check_reply(amqp_consume_message(conn, &envelope, NULL, 0), "reply consume");
        double elapsed = now_us() - start;
        amqp_destroy_envelope(&envelope);
        if (i >= warmup) samples[i - warmup] = elapsed;
    }
    amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(request_queue), 0, 0, NULL,
                       amqp_cstring_bytes("stop"));
    pthread_join(thread, NULL);
    qsort(samples, count, sizeof(double), compare_doubles);
    printf("{\"mode\":\"rtt\",\"count\":%d,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f}\n", count,
           samples[count / 2], samples[count * 9 / 10], samples[count * 99 / 100]);
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(request_queue), 0, 0);
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(reply_queue), 0, 0);
    close_connection(conn);
    free(samples);
}

struct oneway_job {
    int count, size;
};

static void *publisher(void *arg) {
    struct oneway_job *job = arg;
    amqp_connection_state_t conn = open_connection();
    char *body = malloc(job->size);
    memset(body, 'x', job->size);
    amqp_bytes_t bytes = {.len = job->size, .bytes = body};
    for (int i = 0; i < job->count; i++) {
        die_on(amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(oneway_queue), 0, 0, NULL, bytes) !=
                   AMQP_STATUS_OK, "publish");
    }
    close_connection(conn);
    free(body);
    return NULL;
}

static void oneway(int count, int size) {
    amqp_connection_state_t conn = open_connection();
    declare(conn, oneway_queue);
    amqp_basic_qos(conn, 1, 0, 500, 0);
    check_reply(amqp_get_rpc_reply(conn), "basic.qos");
    consume(conn, oneway_queue, 0);
    struct oneway_job job = {count, size};
    double start = now_us();
    pthread_t thread;
    pthread_create(&thread, NULL, publisher, &job);
    for (int received = 0; received < count; received++) {
        amqp_envelope_t envelope;
        amqp_maybe_release_buffers(conn);
        check_reply(amqp_consume_message(conn, &envelope, NULL, 0), "consume");
        die_on(amqp_basic_ack(conn, 1, envelope.delivery_tag, 0) != AMQP_STATUS_OK, "ack");
        amqp_destroy_envelope(&envelope);
    }
    double seconds = (now_us() - start) / 1e6;
    pthread_join(thread, NULL);
    printf("{\"mode\":\"oneway\",\"count\":%d,\"seconds\":%.3f,\"msgs_per_s\":%.0f}\n", count, seconds, count / seconds);
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(oneway_queue), 0, 0);
    close_connection(conn);
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s HOST PORT USER PASSWORD rtt COUNT | oneway COUNT SIZE\n", argv[0]);
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    user = argv[3];
    password = argv[4];
    snprintf(request_queue, sizeof request_queue, "bench.c.requests.%d", getpid());
    snprintf(reply_queue, sizeof reply_queue, "bench.c.replies.%d", getpid());
    snprintf(oneway_queue, sizeof oneway_queue, "bench.c.oneway.%d", getpid());
    if (strcmp(argv[5], "rtt") == 0) {
        rtt(atoi(argv[6]));
    } else if (strcmp(argv[5], "oneway") == 0 && argc >= 8) {
        oneway(atoi(argv[6]), atoi(argv[7]));
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[5]);
        return 2;
    }
    return 0;
}
