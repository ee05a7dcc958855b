/*
 * mailjoin.h - the open messages of a mail log whose lines are joined by a
 * message id into one record per message (postfix.c by queue id, exim.c by
 * Exim's message id).
 *
 * A table of at most MQ_MAX open messages, each with a fixed area of
 * MQ_AREA bytes for its strings (each cut at MQ_FIELD), found through an
 * open-addressing hash of their ids; allocated once (about 5 MB) in the
 * format's state slot at the first line that needs it. A full table gives
 * up its oldest message to make room (mq_open); mq_fill makes a message
 * one record; mq_finish gives those still open at the end of the input.
 * What a line means, and whether a message is worth a record, stays with
 * the format.
 */
#ifndef MM_LOGS_MAILJOIN_H
#define MM_LOGS_MAILJOIN_H

#include "logs/logs.h"

#define MQ_MAX 4096
#define MQ_HASH 8192               /* a power of two, at least 2 * MQ_MAX */
#define MQ_AREA 1024
#define MQ_FIELD 256               /* longest address, subject, message-id kept */

/* The strings kept in a message's area; mq_fill puts them in email.from,
 * email.subject, email.message_id, email.attachment and host. */
enum { MQ_FROM, MQ_SUBJECT, MQ_MSGID, MQ_ATTACHMENT, MQ_HOST, MQ_HDRFROM, MQ_NFIELDS };

typedef struct mq_msg {
    uint64_t first;                /* line of its first line; 0: the slot is free */
    int64_t ts_us;                 /* the time of its first line */
    int32_t tzoff;
    bool has_ts;
    bool queued;                   /* the format's mark (Postfix: qmgr took it; Exim: it arrived) */
    mm_ip src_ip;
    int32_t src_port;              /* -1: none */
    int64_t size;                  /* -1: none */
    uint8_t id_n, status_n, relay_n, n_to;
    char id[24];
    char status[16];
    char relay[112];
    uint16_t off[MQ_NFIELDS], len[MQ_NFIELDS];
    uint16_t to_off[LR_MAX_TO], to_len[LR_MAX_TO];
    uint16_t used;
    char area[MQ_AREA];
} mq_msg;

/* Does the message deserve a record (NULL: every message does)? */
typedef bool (*mq_worth_fn)(const mq_msg *m);

typedef struct mq_table {
    int16_t idx[MQ_HASH];          /* slot of an id, -1 empty */
    uint16_t freel[MQ_MAX];
    uint32_t nfree;
    mq_worth_fn worth;             /* the format's, given to mq_state */
    uint64_t dropped, lost;        /* closed without a record: not worth one; no way to give it */
    bool fin;                      /* mq_finish: the order is built */
    uint32_t nord, pos;
    uint16_t order[MQ_MAX];
    mq_msg m[MQ_MAX];
} mq_table;

/* The table in the format's state slot, made at the first call with the
 * format's worth; NULL when out of memory. */
mq_table *mq_state(mm_logctx *cx, mq_worth_fn worth);
/* The format's free_state. */
void mq_free(void *state);

/* The open message of id, NULL when none. */
mq_msg *mq_find(mq_table *t, const char *id, size_t n);
/* A new message of id (not open; 1..24 bytes) whose first line is lineno.
 * A full table first makes room: the message opened first goes, or the
 * first opened of those the table's worth says are not worth a record if
 * it is more than 1000 lines old (counted dropped); one worth a record is
 * given as r when can_emit and !*out (then *out is set), else counted lost.
 * NULL when there is no room. */
mq_msg *mq_open(mq_table *t, const char *id, size_t n, uint64_t lineno, mm_logrec *r,
                bool can_emit, bool *out);
/* Takes m out of the table (its slot is reused later). */
void mq_close(mq_table *t, mq_msg *m);

/* String f of the message, unless it has one (cut to fit). */
void mq_set(mq_msg *m, int f, lr_str v);
/* The same with the backslash escapes \" and \\ undone. */
void mq_set_unescaped(mq_msg *m, int f, lr_str v);
/* A recipient, each once (none longer than MQ_FIELD, none when full). */
void mq_add_to(mq_msg *m, lr_str v);
/* The status and the relay: the last given (cut to fit). */
void mq_set_status(mq_msg *m, lr_str v);
void mq_set_relay(mq_msg *m, lr_str v);
/* The message's time from t when t has one. */
void mq_set_time(mq_msg *m, const mm_logrec *t);

/* The message as r, its strings copied into r's scratch area: event_type
 * "mail", the line and time of its first line, src_ip / src_port, email. */
void mq_fill(mm_logrec *r, const mq_msg *m);
/* The format's finish: the messages still open, in the order they were
 * opened, one record per call (LR_OK; LR_SKIP after the last); those the
 * table's worth says are not worth one are dropped. */
int mq_finish(mm_logctx *cx, mm_logrec *r);

#endif
