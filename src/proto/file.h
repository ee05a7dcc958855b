/*
 * file.h - files carried by application protocols (HTTP bodies, mail
 * attachments, FTP transfers): size, type by content, MD5/SHA-1/SHA-256,
 * and with --filestore a copy named by its SHA-256.
 *
 * A parser opens a file when a transfer starts, gives it the bytes as they
 * come (NULL for a gap) and closes it when the transfer ends (complete) or
 * is cut (truncated); closing writes one "fileinfo" event with the
 * parser's own object (http, email, ftp_data...) written by a callback.
 */
#ifndef MM_FILE_H
#define MM_FILE_H

#include "proto/app.h"

typedef struct mm_file mm_file;

mm_file *mm_file_open(mm_app *a, const char *name, size_t name_len, uint64_t ts);
void mm_file_data(mm_app *a, mm_file *fl, const uint8_t *d, uint32_t n);
/* Writes the fileinfo event (ctx adds the protocol's object, may be NULL)
 * and frees fl. */
void mm_file_close(mm_app *a, mm_flow *f, mm_file *fl, bool complete, uint64_t ts,
                   void (*ctx)(mm_json *j, const void *arg), const void *arg);
/* The type the carrier declared (HTTP Content-Type, a MIME part's type):
 * told to the detectors, who compare it with the content. */
void mm_file_set_declared(mm_file *fl, const char *type);
/* The transaction the file belongs to (fileinfo.tx_id, as Suricata's). */
void mm_file_set_tx(mm_file *fl, uint64_t tx_id);
/* The way the file goes in its flow (MM_TO_SERVER, the default, or
 * MM_TO_CLIENT): its fileinfo event is written that way. */
void mm_file_set_dir(mm_file *fl, int dir);
/* The file as the rules see it now (complete: it ended whole; hashes are
 * given only then). out->name points into fl. */
void mm_file_info_get(const mm_file *fl, bool complete, mm_file_info *out);
/* The file is the piece [start, end] of a larger one (an HTTP range):
 * fileinfo.start and fileinfo.end, as Suricata's. */
void mm_file_set_range(mm_file *fl, uint64_t start, uint64_t end);
/* Bytes given so far (gaps included). */
uint64_t mm_file_size(const mm_file *fl);
/* Drops fl without an event (the flow's parser is freed without a log). */
void mm_file_free(mm_app *a, mm_file *fl);

/* The type of content from its first bytes (our table of signatures). */
const char *mm_file_magic(const uint8_t *d, uint32_t n);

#endif
