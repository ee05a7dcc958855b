/*
 * mailmsg.h - mail messages (.eml files, mbox files, Maildir folders) as
 * evidence: one EVE-shaped "mail" event per message, for ingest and for
 * `mimamori logs parse`.
 *
 * Each message becomes one JSON line in the log records' layout
 * (logs/logrec.c): timestamp (the Date header in UTC, else the file's
 * modification time, said so by email.timestamp_source), event_type "mail",
 * then email {from, header_from, to[], cc[], delivered_to[], subject, message_id,
 * date, received_from {ip, helo, rdns, hop}, attachment[] {filename,
 * content_type, size, sha256}, url[], size}, mimamori {site} and
 * log {format "eml"|"mbox"|"maildir", file, offset}.
 *
 * GMime 3 parses the messages (MIME structure, RFC 2047 / 2231 decoding,
 * charset conversion); this module only chooses what to keep and bounds it.
 * Every input is hostile: the limits below bound what one message can make,
 * and a scan before GMime bounds what GMime holds of one message (header
 * lines and MIME parts: see mailmsg.c).
 */
#ifndef MM_MAILMSG_H
#define MM_MAILMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_MAIL_MAX_MESSAGE (64u << 20) /* bytes: a larger message is counted, skipped */
#define MM_MAIL_VALUE_MAX 1024          /* bytes of a header value kept (cut on a UTF-8 boundary) */
#define MM_MAIL_MAX_ADDRS 256           /* addresses kept per list (to, cc, delivered_to) */
#define MM_MAIL_MAX_ATTACH 256          /* attachments described per message */
#define MM_MAIL_MAX_URLS 256            /* distinct URLs kept per message */
#define MM_MAIL_URL_MAX 2048            /* bytes of a URL kept */
#define MM_MAIL_URL_TRIES 65536         /* http(s):// runs looked at per message */
#define MM_MAIL_TEXT_MAX (8u << 20)     /* bytes of one text part scanned for URLs (a part
                                           over twice this encoded is not scanned) */
#define MM_MAIL_MAX_PARTS 4096          /* MIME parts looked at per message */
#define MM_MAIL_MAX_RECEIVED 64         /* Received headers looked at */

typedef enum mm_mailfmt {
    MM_MAIL_EML = 0,    /* one message */
    MM_MAIL_MBOX,       /* messages after "From " lines */
    MM_MAIL_MAILDIR,    /* one message, a file of a Maildir */
} mm_mailfmt;

typedef struct mm_mailmsg_opts {
    const char *site;        /* mimamori.site of the events, or NULL */
    size_t max_message;      /* 0: MM_MAIL_MAX_MESSAGE */
    bool maildir_file;       /* path is one file of a Maildir (format "maildir") */
    uint64_t skip_bytes;     /* an mbox file: read from this offset (the start of a
                                "From " line: what an earlier import had read) */
    uint64_t stop_bytes;     /* a file: read no further than this (0: to its end) */
} mm_mailmsg_opts;

typedef struct mm_mailmsg_stats {
    uint64_t messages;       /* events produced */
    uint64_t too_large;      /* messages over max_message, skipped */
    uint64_t bad;            /* messages GMime could not make anything of */
    uint64_t cut;            /* events where a list or value was cut to its bound */
    uint64_t no_date;        /* events timed by the file's modification time */
    uint64_t heavy;          /* messages read for their top headers only: their header
                                blocks or "--" lines passed the bounds (mailmsg.c) */
} mm_mailmsg_stats;

/* The event handler: one JSON object, without a newline. Non-zero stops
 * the reading (the read then returns -1). */
typedef int (*mm_mail_on_event)(void *user, const char *line, size_t len);

/* Reads path: a Maildir folder (its cur/ and new/ files, in name order),
 * an mbox file (it begins with "From ") or one message. Returns 0 when
 * read (st says how many messages), 1 when the path cannot be read or
 * holds no message (err says why), -1 when on_event stopped it. */
int mm_mailmsg_read_path(const char *path, const mm_mailmsg_opts *o, mm_mail_on_event on_event,
                         void *user, mm_mailmsg_stats *st, char *err, size_t errlen);

/* The same from memory, format given (MM_MAIL_EML or MM_MAIL_MBOX); name
 * is the log.file of the events; mtime (seconds) times undated messages. */
int mm_mailmsg_read_mem(const void *buf, size_t n, mm_mailfmt fmt, const char *name,
                        int64_t mtime, const mm_mailmsg_opts *o, mm_mail_on_event on_event,
                        void *user, mm_mailmsg_stats *st, char *err, size_t errlen);

/* Does path look like mail? head/n: the file's first bytes (NULL to look
 * at the path only). True for a Maildir folder (cur/ and new/ in it), a
 * name ending in .eml, an mbox head ("From " line then a header line), or
 * a head of RFC 5322 header lines, unbroken up to their end or the bytes
 * given, with Received, Return-Path, Delivered-To, or From and Message-ID. */
bool mm_mailmsg_is_mail(const char *path, const unsigned char *head, size_t n);

/* Is path a Maildir folder? */
bool mm_mailmsg_is_maildir(const char *path);

#endif
