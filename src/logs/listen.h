/*
 * listen.h - receiving syslog on the sensor box: routers and firewalls of
 * small offices (Yamaha RTX, FortiGate, pfSense, Linux) send their logs
 * rather than keep them. Messages come over UDP (RFC 5426: one message a
 * datagram) and TCP (RFC 6587: a newline after each message, or octet
 * counting "LEN SP MSG"); each sender's format is found from its lines, the
 * records are written as EVE-shaped JSON into the same crash-safe segments
 * the sensor writes, so they are collected and ingested the same way.
 *
 * Nothing is ever sent: the listener only reads. Memory is bounded (senders
 * tracked, TCP connections and their buffers), each sender is held to a
 * rate of lines per second, and everything dropped (not allowed, over the
 * rate, over a bound, a line too long) is counted in stats events written
 * into the segments every stats interval.
 */
#ifndef MM_LOGS_LISTEN_H
#define MM_LOGS_LISTEN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "logs/logs.h"
#include "output/output.h"

typedef struct mm_listen_cfg {
    const char *udp, *tcp;       /* "ADDR:PORT" ("[::]:514", "127.0.0.1:5514"); NULL: none */
    const mm_netlist *allow;     /* senders allowed (NULL: any) */
    mm_logopt opt;               /* --format, --year, --tz */
    const char *site, *sensor;   /* written into every record */
    unsigned rate;               /* lines per second per sender (burst: 2 s of it) */
    unsigned max_senders;        /* senders tracked at once */
    unsigned max_tcp;            /* TCP connections at once */
    unsigned stats_interval_s;
    bool quiet;
} mm_listen_cfg;

typedef struct mm_listen_stats {
    uint64_t datagrams, tcp_accepted, lines, records, skipped, malformed;
    uint64_t drop_not_allowed, drop_rate, drop_senders, drop_tcp, drop_long, write_errors;
    uint64_t senders;            /* tracked now */
} mm_listen_stats;

typedef struct mm_listen mm_listen;

/* The next syslog message in a TCP stream's bytes p[0..n) (RFC 6587): an
 * octet-counted frame "LEN SP MSG" when the bytes start with digits and a
 * space, else a line ending in LF or NUL. MM_FRAME_MSG: the message is
 * *msg, *len bytes, and the frame used *used bytes; MM_FRAME_MORE: the
 * bytes end inside a message; MM_FRAME_TOO_LONG: a frame announces more
 * than LR_MAX_LINE bytes. */
enum { MM_FRAME_MSG, MM_FRAME_MORE, MM_FRAME_TOO_LONG };
int mm_syslog_frame(const char *p, size_t n, const char **msg, size_t *len, size_t *used);

void mm_listen_defaults(mm_listen_cfg *c);
/* Binds the sockets (a port of 0 picks one; the bound addresses are said on
 * stderr). NULL with a one-line reason in err. c must outlive the result. */
mm_listen *mm_listen_open(const mm_listen_cfg *c, char *err, size_t errlen);
/* Receives until *stop becomes non-zero (a signal handler sets it), writing
 * into out; at the end writes what senders still hold and a last stats
 * event. 0, or -1 with err. */
int mm_listen_run(mm_listen *l, mm_segw *out, volatile sig_atomic_t *stop, char *err,
                  size_t errlen);
void mm_listen_stats_get(const mm_listen *l, mm_listen_stats *st);
void mm_listen_close(mm_listen *l);

#endif
