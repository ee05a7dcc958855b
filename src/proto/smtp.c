/*
 * smtp.c - SMTP and the mail it carries.
 *
 * Client commands and server replies are read as lines (each capped; what
 * is longer is cut and counted). Replies answer commands in order
 * (pipelining): a DATA answered by 354 starts the message, a STARTTLS
 * answered by 220 ends our reading (TLS takes the flow over, app.c), BDAT
 * chunks are counted bytes of message. A transaction runs from MAIL FROM
 * to the end of its message (or RSET, a new HELO, QUIT, the end of the
 * flow) and is one "smtp" event with Suricata's smtp and email objects:
 * HELO, MAIL FROM, RCPT TO, and from the message's headers From, To, Cc,
 * Subject, Date, Message-ID, X-Mailer, Received, and the names of the
 * attachments (MIME parts with a file name, nested multiparts included).
 *
 * A DATA starts the message at once (a client waits for 354 before it
 * sends one, so a refusal comes first and undoes it): a one-sided mirror
 * that never shows the server still gets its messages read.
 */
#include "proto/app.h"
#include "proto/file.h"
#include "util/util.h"

#include <ctype.h>
#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_SMTP 1024      /* a command, reply or message line kept */
#define HDR_MAX_SMTP 2048       /* one (unfolded) message header */
#define RCPT_BUF 4096           /* recipients of a transaction, '\n'-separated */
#define ATT_MAX 16
#define RECV_MAX 8
#define URL_MAX 16                  /* URLs kept per message */
#define URL_LEN 256
#define CMDQ 32                 /* commands awaiting their reply */
#define BOUNDARY_DEPTH 4

enum { C_OTHER, C_DATA, C_STARTTLS, C_BDAT, C_RSET };
enum { M_CMD, M_DATA, M_BDAT, M_TLS };

typedef struct mime {
    bool in_headers;            /* top-level or part headers */
    bool part;                  /* the headers are a part's */
    char hdr[HDR_MAX_SMTP];
    uint32_t hlen;
    char boundary[BOUNDARY_DEPTH][72];
    uint8_t depth;
    char part_name[256];        /* file name of the part being read */
    char part_type[96];         /* its declared Content-Type */
    char next_boundary[72];     /* boundary a multipart part declares */
    bool long_boundary;         /* one longer than Suricata's decoder takes (event) */
    bool attach;                /* disposition: attachment */
    int cte, part_cte;          /* transfer encoding of the part being read */
    mm_file *file;              /* the attachment being read */
    uint8_t b64[4];             /* base64 quantum across lines */
    uint8_t nb64;
    bool crlf;                  /* a line end held back: the last one before
                                   a boundary belongs to the boundary */
    bool text;                  /* the part being read is text to look for URLs in */
    int text_cte;               /* and its transfer encoding */
} mime;

enum { CTE_OTHER, CTE_BASE64, CTE_QP };

typedef struct smtp_tx {
    bool active;
    char mail_from[256];
    char rcpt[RCPT_BUF];
    uint16_t rcpt_len, nrcpt;
    bool data_seen, body_seen, done;
    bool parse_error;           /* the message could not be read on (status PARSE_ERROR) */
    bool long_filename;         /* a part's file name was cut (MIME_LONG_FILENAME) */
    char from[512], to[1024], cc[1024], subject[512], date[128], msgid[256], xmailer[256];
    char received[RECV_MAX][256];
    uint8_t nreceived;
    char att[ATT_MAX][256];
    uint8_t natt;
    char url[URL_MAX][URL_LEN];     /* from the text parts, as Suricata's extract-urls */
    uint8_t nurl;
    uint64_t ts;
    char text[1024];            /* the start of the text parts, decoded (the detectors') */
    uint16_t text_len;
    uint8_t md5;                /* mm_app.smtp_md5 when the message began */
    struct md5_ctx body_md5;    /* the raw body after the message's headers */
} smtp_tx;

/* The smtp and email objects of a transaction already logged, for its
 * files still to be logged (they come at the next packet to the server). */
typedef struct smtp_snap {
    char helo[256];
    uint64_t seq;               /* the transaction's smtp_state.tx_seq */
    smtp_tx tx;
} smtp_snap;

#define PEND_MAX 8

typedef struct smtp_state {
    char line[2][LINE_MAX_SMTP];
    uint32_t llen[2];
    bool cut[2];
    bool cont;                  /* the client line goes on from a piece already given */
    int mode;
    uint64_t bdat_left;
    bool bdat_last;
    uint8_t cmdq[CMDQ];
    uint64_t cmdtx[CMDQ];       /* the transaction a queued RSET was sent in (0: none) */
    uint8_t qh, qn;
    uint64_t tx_seq;            /* transactions begun (the current one's number) */
    char helo[256];
    char banner[128];           /* the server's greeting */
    bool auth;                  /* a login was accepted (235) */
    uint64_t tx_id;
    smtp_tx tx;
    mime m;
    /* attachments ended but not logged yet: Suricata logs a direction's
     * files at a packet of that direction (the next one to the server
     * after the data was parsed), with the transaction as it is then */
    struct {
        mm_file *fl;
        bool complete;
        uint64_t seq;           /* tx_seq of its transaction */
    } pend[PEND_MAX];
    uint8_t npend;
    smtp_snap *snap;
} smtp_state;

/* --- detection -------------------------------------------------------- */

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    if (udp)
        return MM_PROBE_NO;
    if (dir == MM_TO_SERVER) {
        /* EHLO or HELO (with a name or bare), whole or as far as it came */
        static const char *const verbs[] = {"EHLO ", "HELO ", "EHLO\r\n", "HELO\r\n",
                                            "EHLO\n", "HELO\n"};
        return mm_probe_verbs(d, n, verbs, 6);
    }
    /* a greeting "220 name ESMTP ..." (FTP greets with 220 too: "SMTP" decides) */
    return mm_probe_greeting(d, n, "SMTP");
}

/* --- the event -------------------------------------------------------- */

/* A header value listing addresses ("a <x@y>, b <z@w>") as an array,
 * split at commas outside quotes and angle brackets. */
static void addr_list(mm_json *j, const char *key, const char *v)
{
    mj_arr_open(j, key);
    const char *s = v;
    bool q = false;
    int angle = 0;
    for (const char *p = v;; p++) {
        if (*p == '"')
            q = !q;
        else if (*p == '<' && !q)
            angle++;
        else if (*p == '>' && !q && angle)
            angle--;
        if (*p == 0 || (*p == ',' && !q && !angle)) {
            const char *a = s, *b = p;
            while (a < b && isspace((unsigned char)*a))
                a++;
            while (b > a && isspace((unsigned char)b[-1]))
                b--;
            if (b > a)
                mj_strn(j, NULL, a, (size_t)(b - a));
            if (!*p)
                break;
            s = p + 1;
        }
    }
    mj_arr_close(j);
}

static void file_end(mm_app *a, mm_flow *f, smtp_state *s, bool complete, uint64_t ts);

/* The transaction's "smtp" and "email" objects (its event, its files). */
static void tx_objects(mm_json *j, const char *helo, const smtp_tx *t)
{
    mj_obj_open(j, "smtp");
    if (helo[0])
        mj_str(j, "helo", helo);
    if (t->mail_from[0])
        mj_str(j, "mail_from", t->mail_from);
    if (t->nrcpt) {
        mj_arr_open(j, "rcpt_to");
        for (const char *p = t->rcpt; *p;) {
            size_t l = strcspn(p, "\n");
            mj_strn(j, NULL, p, l);
            p += l + (p[l] == '\n');
        }
        mj_arr_close(j);
    }
    mj_obj_close(j);
    if (t->data_seen) {
        mj_obj_open(j, "email");
        mj_str(j, "status", t->parse_error ? "PARSE_ERROR" : t->done ? "PARSE_DONE"
                            : t->body_seen ? "BODY_STARTED" : "HEADER_READY");
        if (t->from[0])
            mj_str(j, "from", t->from);
        if (t->to[0])
            addr_list(j, "to", t->to);
        if (t->cc[0])
            addr_list(j, "cc", t->cc);
        if (t->subject[0])
            mj_str(j, "subject", t->subject);
        char hex[33];
        if (t->md5 & MM_SMTP_MD5_SUBJECT && t->subject[0]) {
            mm_hash_hex(&nettle_md5, (const uint8_t *)t->subject, strlen(t->subject), hex);
            mj_str(j, "subject_md5", hex);
        }
        if (t->md5 & MM_SMTP_MD5_BODY && t->done && !t->parse_error) {
            uint8_t dg[MD5_DIGEST_SIZE];
            struct md5_ctx c = t->body_md5;
            md5_digest(&c, sizeof dg, dg);
            for (int i = 0; i < MD5_DIGEST_SIZE; i++)
                snprintf(hex + 2 * i, 3, "%02x", dg[i]);
            mj_str(j, "body_md5", hex);
        }
        if (t->date[0])
            mj_str(j, "date", t->date);
        if (t->msgid[0])
            mj_str(j, "message_id", t->msgid);
        if (t->xmailer[0])
            mj_str(j, "x_mailer", t->xmailer);
        if (t->nreceived) {
            mj_arr_open(j, "received");
            for (int i = 0; i < t->nreceived; i++)
                mj_str(j, NULL, t->received[i]);
            mj_arr_close(j);
        }
        if (t->nurl) {
            mj_arr_open(j, "url");
            for (int i = 0; i < t->nurl; i++)
                mj_str(j, NULL, t->url[i]);
            mj_arr_close(j);
        }
        if (t->natt) {
            mj_arr_open(j, "attachment");
            for (int i = 0; i < t->natt; i++)
                mj_str(j, NULL, t->att[i]);
            mj_arr_close(j);
        }
        mj_obj_close(j);
    }
}

static void pend_flush(mm_app *a, mm_flow *f, smtp_state *s, uint64_t ts);

/* The message as the detectors see it (before its event is built). */
static void observe(mm_app *a, mm_flow *f, const smtp_state *s, uint64_t ts)
{
    const smtp_tx *t = &s->tx;
    const char *att[ATT_MAX];
    for (int i = 0; i < t->natt; i++)
        att[i] = t->att[i];
    mm_obs_mail o = {.helo = s->helo, .banner = s->banner, .mail_from = t->mail_from,
                     .rcpt = t->rcpt, .from = t->from, .to = t->to, .subject = t->subject,
                     .xmailer = t->xmailer, .att = att, .natt = t->natt,
                     .text = (const uint8_t *)t->text, .text_len = t->text_len,
                     .auth = s->auth};
    mm_app_observe(a, f, MM_TO_SERVER, MM_OBS_MAIL, &o, ts);
}

static void log_tx(mm_app *a, mm_flow *f, smtp_state *s, uint64_t ts)
{
    smtp_tx *t = &s->tx;
    if (!t->active)
        return;
    file_end(a, f, s, false, ts);         /* a message cut before its end */
    if (t->data_seen)
        observe(a, f, s, t->ts ? t->ts : ts);
    mm_json *j = mm_app_event_begin(a, f, t->ts ? t->ts : ts, "smtp", MM_TO_SERVER, false);
    mj_u64(j, "tx_id", s->tx_id++);
    tx_objects(j, s->helo, t);
    mm_app_event_end(a, f);
    /* files of this transaction still to be logged keep its objects */
    if (s->snap)
        pend_flush(a, f, s, ts);          /* an older one's: now */
    bool mine = false;
    for (int i = 0; i < s->npend; i++)
        mine |= s->pend[i].seq == s->tx_seq;
    if (mine && (s->snap = mm_app_alloc(a, sizeof *s->snap)) != NULL) {
        memcpy(s->snap->helo, s->helo, sizeof s->helo);
        s->snap->seq = s->tx_seq;
        s->snap->tx = *t;
    } else if (mine) {
        pend_flush(a, f, s, ts);
    }
    memset(t, 0, sizeof(*t));
    mm_file_free(a, s->m.file);
    memset(&s->m, 0, sizeof s->m);
}

static void tx_start(smtp_state *s, uint64_t ts)
{
    if (!s->tx.active) {
        s->tx.active = true;
        s->tx.ts = ts;
        s->tx_seq++;
    }
}

/* --- MIME ------------------------------------------------------------- */

static void trimcpy(char *dst, size_t dn, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    size_t l = strlen(v);
    while (l && (v[l - 1] == ' ' || v[l - 1] == '\t'))
        l--;
    if (l >= dn)
        l = dn - 1;
    memcpy(dst, v, l);
    dst[l] = 0;
}

/* The value of parameter key in a header value, quoted or not, appended
 * at out[*k] (out has on bytes). False when the parameter is absent. */
static bool param_raw(const char *v, const char *key, char *out, size_t on, size_t *k)
{
    size_t nl = strlen(key);
    for (const char *p = v; *p; p++) {
        if (strncasecmp(p, key, nl) != 0 || p[nl] != '=')
            continue;
        if (p != v && p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t')
            continue;
        const char *q = p + nl + 1;
        if (*q == '"') {
            q++;
            while (*q && *q != '"' && *k + 1 < on)
                out[(*k)++] = *q++;
        } else {
            while (*q && *q != ';' && *q != ' ' && *q != '\t' && *k + 1 < on)
                out[(*k)++] = *q++;
        }
        out[*k] = 0;
        return true;
    }
    return false;
}

/* An RFC 2231 extended value from out[from]: "charset'lang'" dropped
 * (the first piece only), %XX decoded in place. */
static void ext_value(char *out, size_t from, size_t *k, bool first)
{
    char *v = out + from;
    if (first) {
        char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
        if (q2)
            memmove(v, q2 + 1, strlen(q2 + 1) + 1);
    }
    size_t w = 0;
    for (size_t r = 0; v[r]; r++) {
        int h, l;
        if (v[r] == '%' && (h = mm_hex_value(v[r + 1])) >= 0 && (l = mm_hex_value(v[r + 2])) >= 0) {
            v[w++] = (char)(h << 4 | l);
            r += 2;
        } else {
            v[w++] = v[r];
        }
    }
    v[w] = 0;
    *k = from + w;
}

/* The value of parameter name ("boundary", "filename"...) in a header
 * value: plain (name=), or RFC 2231 (name*=charset''value, or continued
 * in pieces name*0=, name*1*=...). */
static bool param(const char *v, const char *name, char *out, size_t on)
{
    size_t k = 0;
    char key[48];
    out[0] = 0;
    if (param_raw(v, name, out, on, &k))
        return k > 0;
    snprintf(key, sizeof key, "%s*", name);
    if (param_raw(v, key, out, on, &k)) {
        ext_value(out, 0, &k, true);
        return k > 0;
    }
    for (int i = 0; i < 64; i++) {
        size_t from = k;
        snprintf(key, sizeof key, "%s*%d", name, i);
        if (param_raw(v, key, out, on, &k))
            continue;
        snprintf(key, sizeof key, "%s*%d*", name, i);
        if (!param_raw(v, key, out, on, &k))
            break;
        ext_value(out, from, &k, i == 0);
    }
    return k > 0;
}

/* A file name longer than Suricata's MIME decoder keeps (255 bytes, as
 * our part_name): cut there, and the message raises MIME_LONG_FILENAME. */
static void long_name(smtp_state *s, const char *v, const char *key)
{
    static _Thread_local char big[2048];
    if (param(v, key, big, sizeof big) && strlen(big) > sizeof s->m.part_name - 1)
        s->tx.long_filename = true;
}

static void header(smtp_state *s)
{
    mime *m = &s->m;
    smtp_tx *t = &s->tx;
    if (!m->hlen)
        return;
    m->hdr[m->hlen] = 0;
    m->hlen = 0;
    char *colon = strchr(m->hdr, ':');
    if (!colon)
        return;
    *colon = 0;
    const char *name = m->hdr, *v = colon + 1;
    if (!strcasecmp(name, "Content-Type")) {
        char b[72];
        const char *tv = v;
        while (*tv == ' ' || *tv == '\t')
            tv++;
        size_t tl = strcspn(tv, "; \t");
        if (tl >= sizeof m->part_type)
            tl = sizeof m->part_type - 1;
        memcpy(m->part_type, tv, tl);
        m->part_type[tl] = 0;
        if (param(v, "boundary", b, sizeof b))
            memcpy(m->next_boundary, b, sizeof b);
        /* RFC 2046 allows 70 characters; Suricata's MIME decoder raises
         * mime_long_boundary past its 256-byte buffer */
        static _Thread_local char lb[1024];
        if (param(v, "boundary", lb, sizeof lb) && strlen(lb) > 254)
            m->long_boundary = true;
        if (!m->part_name[0] && param(v, "name", m->part_name, sizeof m->part_name))
            long_name(s, v, "name");
        return;
    }
    if (!strcasecmp(name, "Content-Transfer-Encoding")) {
        while (*v == ' ' || *v == '\t')
            v++;
        m->cte = !strncasecmp(v, "base64", 6) ? CTE_BASE64
               : !strncasecmp(v, "quoted-printable", 16) ? CTE_QP : CTE_OTHER;
        return;
    }
    if (!strcasecmp(name, "Content-Disposition")) {
        while (*v == ' ' || *v == '\t')
            v++;
        if (!strncasecmp(v, "attachment", 10))
            m->attach = true;
        char fn[256];
        if (param(v, "filename", fn, sizeof fn)) {
            memcpy(m->part_name, fn, sizeof fn);
            long_name(s, v, "filename");
        }
        return;
    }
    if (m->part)
        return;
    if (!strcasecmp(name, "From"))
        trimcpy(t->from, sizeof t->from, v);
    else if (!strcasecmp(name, "To"))
        trimcpy(t->to, sizeof t->to, v);
    else if (!strcasecmp(name, "Cc"))
        trimcpy(t->cc, sizeof t->cc, v);
    else if (!strcasecmp(name, "Subject"))
        trimcpy(t->subject, sizeof t->subject, v);
    else if (!strcasecmp(name, "Date"))
        trimcpy(t->date, sizeof t->date, v);
    else if (!strcasecmp(name, "Message-ID"))
        trimcpy(t->msgid, sizeof t->msgid, v);
    else if (!strcasecmp(name, "X-Mailer"))
        trimcpy(t->xmailer, sizeof t->xmailer, v);
    else if (!strcasecmp(name, "Received") && t->nreceived < RECV_MAX)
        trimcpy(t->received[t->nreceived++], sizeof t->received[0], v);
}

/* --- attachments as files ---------------------------------------------- */

typedef struct tx_view {
    const char *helo;
    const smtp_tx *tx;
} tx_view;

static void email_json(mm_json *j, const void *arg)
{
    const tx_view *v = arg;
    tx_objects(j, v->helo, v->tx);
}

/* The attachments ended so far are logged now, each with its
 * transaction's objects as they are now (a logged one's as it ended). */
static void pend_flush(mm_app *a, mm_flow *f, smtp_state *s, uint64_t ts)
{
    for (int i = 0; i < s->npend; i++) {
        tx_view v = {s->helo, &s->tx};
        if (s->snap && s->snap->seq == s->pend[i].seq)
            v = (tx_view){s->snap->helo, &s->snap->tx};
        mm_file_close(a, f, s->pend[i].fl, s->pend[i].complete, ts, email_json, &v);
    }
    s->npend = 0;
    if (s->snap) {
        mm_app_free(a, s->snap, sizeof *s->snap);
        s->snap = NULL;
    }
}

static void smtp_packet(mm_app *a, mm_flow *f, void *st, int dir, uint64_t ts)
{
    smtp_state *s = st;
    if (dir == MM_TO_SERVER && s->npend)
        pend_flush(a, f, s, ts);
}

static void file_end(mm_app *a, mm_flow *f, smtp_state *s, bool complete, uint64_t ts)
{
    if (!s->m.file)
        return;
    /* base64 that ends short of a quantum, unpadded: the bytes its last
     * two or three characters hold, as a padded end would give them
     * (Suricata's decoder does the same) */
    mime *m = &s->m;
    if (m->part_cte == CTE_BASE64 && m->nb64 >= 2) {
        uint8_t out[2];
        out[0] = (uint8_t)(m->b64[0] << 2 | m->b64[1] >> 4);
        if (m->nb64 == 3)
            out[1] = (uint8_t)(m->b64[1] << 4 | m->b64[2] >> 2);
        mm_file_data(a, m->file, out, m->nb64 == 3 ? 2 : 1);
    }
    m->nb64 = 0;
    if (s->npend == PEND_MAX)
        pend_flush(a, f, s, ts);
    s->pend[s->npend].fl = s->m.file;
    s->pend[s->npend].complete = complete;
    s->pend[s->npend].seq = s->tx_seq;
    s->npend++;
    s->m.file = NULL;
}

/* A piece of a line of an attachment's body (eol: the line ends with it),
 * decoded into its file. */
static void part_piece(mm_app *a, mime *m, const char *l, uint32_t n, bool eol)
{
    uint8_t out[LINE_MAX_SMTP + 4];
    uint32_t k = 0;
    if (m->part_cte == CTE_BASE64) {
        for (uint32_t i = 0; i < n; i++) {
            int v = mm_base64_value((uint8_t)l[i], false);
            if (l[i] == '=') {
                /* padding ends the quantum: what it holds so far; anything
                 * after it starts a new one (as Suricata decodes it) */
                if (m->nb64 == 2)
                    out[k++] = (uint8_t)(m->b64[0] << 2 | m->b64[1] >> 4);
                else if (m->nb64 == 3) {
                    out[k++] = (uint8_t)(m->b64[0] << 2 | m->b64[1] >> 4);
                    out[k++] = (uint8_t)(m->b64[1] << 4 | m->b64[2] >> 2);
                }
                m->nb64 = 0;
                continue;
            }
            if (v < 0)
                continue;
            m->b64[m->nb64++] = (uint8_t)v;
            if (m->nb64 == 4) {
                out[k++] = (uint8_t)(m->b64[0] << 2 | m->b64[1] >> 4);
                out[k++] = (uint8_t)(m->b64[1] << 4 | m->b64[2] >> 2);
                out[k++] = (uint8_t)(m->b64[2] << 6 | m->b64[3]);
                m->nb64 = 0;
            }
        }
    } else if (m->part_cte == CTE_QP) {
        bool soft = false;
        if (m->crlf) {
            out[k++] = '\r';
            out[k++] = '\n';
            m->crlf = false;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (l[i] == '=' && i + 2 < n && mm_hex_value(l[i + 1]) >= 0 && mm_hex_value(l[i + 2]) >= 0) {
                out[k++] = (uint8_t)(mm_hex_value(l[i + 1]) << 4 | mm_hex_value(l[i + 2]));
                i += 2;
            } else if (l[i] == '=' && i + 1 == n) {
                soft = true;               /* soft line break */
            } else {
                out[k++] = (uint8_t)l[i];
            }
        }
        m->crlf = eol && !soft;
    } else {
        if (m->crlf) {
            out[k++] = '\r';
            out[k++] = '\n';
        }
        memcpy(out + k, l, n);
        k += n;
        m->crlf = eol;
    }
    if (k)
        mm_file_data(a, m->file, out, k);
}

static void part_line(mm_app *a, mime *m, const char *l, uint32_t n)
{
    part_piece(a, m, l, n, true);
}

static void headers_end(mm_app *a, smtp_state *s, uint64_t ts)
{
    mime *m = &s->m;
    smtp_tx *t = &s->tx;
    header(s);
    m->in_headers = false;
    if (m->part_name[0] && !m->file) {
        m->file = mm_file_open(a, m->part_name, strlen(m->part_name), ts);
        mm_file_set_declared(m->file, m->part_type);
        mm_file_set_tx(m->file, s->tx_id);
        m->part_cte = m->cte;
        m->nb64 = 0;
        m->crlf = false;
    }
    /* a part that is text, html or a message and no attachment: its
     * lines are searched for URLs (Suricata's CTNT_IS_TEXT/HTML/MSG) */
    m->text = !m->part_name[0] && !m->attach && !m->next_boundary[0] &&
              (!m->part_type[0] || !strncasecmp(m->part_type, "text/", 5) ||
               !strncasecmp(m->part_type, "message/", 8));
    m->text_cte = m->cte;
    m->cte = CTE_OTHER;
    if (m->part_name[0] && t->natt < ATT_MAX)
        memcpy(t->att[t->natt++], m->part_name, sizeof t->att[0]);
    if (m->next_boundary[0] && m->depth < BOUNDARY_DEPTH)
        memcpy(m->boundary[m->depth++], m->next_boundary, sizeof m->next_boundary);
    m->next_boundary[0] = 0;
    m->part_name[0] = 0;
    m->part_type[0] = 0;
    m->attach = false;
    t->body_seen = true;
}

static void long_boundary_event(mm_app *a, mm_flow *f, smtp_state *s, uint64_t ts)
{
    if (!s->m.long_boundary)
        return;
    s->m.long_boundary = false;
    s->tx.parse_error = true;   /* Suricata's decoder stops there */
    mm_app_tx_event(a, f, MM_TO_SERVER, "smtp.mime_long_boundary", s->tx_id, ts);
}

/* The URLs of a text line, as Suricata's MIME decoder extracts them with
 * its defaults (extract-urls, schemes [http], log-url-scheme no): after
 * each "http://" (any case) up to a space, tab, quote, '<', '>' or ']',
 * lowercased, without the scheme, each once. A quoted-printable line is
 * decoded first. */
static void find_urls(smtp_tx *t, const char *l, uint32_t n, int cte)
{
    char dec[LINE_MAX_SMTP];
    if (cte == CTE_QP) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n && k < sizeof dec; i++) {
            int h1, h2;
            if (l[i] == '=' && i + 2 < n && (h1 = mm_hex_value(l[i + 1])) >= 0 &&
                (h2 = mm_hex_value(l[i + 2])) >= 0) {
                dec[k++] = (char)(h1 << 4 | h2);
                i += 2;
            } else if (l[i] == '=' && i + 1 == n) {
                break;          /* a soft line break */
            } else {
                dec[k++] = l[i];
            }
        }
        l = dec;
        n = k;
    }
    for (uint32_t i = 0; i + 7 <= n; i++) {
        if (strncasecmp(l + i, "http://", 7) != 0)
            continue;
        uint32_t s0 = i + 7, e = s0;
        while (e < n && !strchr(" \t\"'<>]", l[e]))     /* a NUL ends it too */
            e++;
        i = e - 1;
        if (e == s0 || e - s0 >= URL_LEN || t->nurl == URL_MAX)
            continue;
        char u[URL_LEN];
        for (uint32_t k = 0; k < e - s0; k++)
            u[k] = (char)tolower((unsigned char)l[s0 + k]);
        u[e - s0] = 0;
        bool dup = false;
        for (int k = 0; k < t->nurl && !dup; k++)
            dup = !strcmp(t->url[k], u);
        if (!dup)
            memcpy(t->url[t->nurl++], u, e - s0 + 1);
    }
}

/* A text line into the message's text sample (decoded: quoted-printable
 * as find_urls does, base64 a line at a time), while there is room. */
static void text_sample(smtp_tx *t, const char *l, uint32_t n, int cte)
{
    size_t room = sizeof t->text - 1 - t->text_len;
    char *o = t->text + t->text_len;
    size_t k = 0;
    if (cte == CTE_BASE64) {
        k = mm_base64_decode_lax((const uint8_t *)l, n, (uint8_t *)o, room, false);
    } else {
        for (uint32_t i = 0; i < n && k < room; i++) {
            int h1, h2;
            if (cte == CTE_QP && l[i] == '=' && i + 2 < n && (h1 = mm_hex_value(l[i + 1])) >= 0 &&
                (h2 = mm_hex_value(l[i + 2])) >= 0) {
                o[k++] = (char)(h1 << 4 | h2);
                i += 2;
            } else if (cte == CTE_QP && l[i] == '=' && i + 1 == n) {
                break;
            } else {
                o[k++] = l[i];
            }
        }
    }
    if (k < room)
        o[k++] = '\n';
    t->text_len = (uint16_t)(t->text_len + k);
    t->text[t->text_len] = 0;
}

/* A line of the message as sent (dot-stuffing kept): once past the
 * message's headers, into the body's MD5 with its CR LF (Suricata's
 * body_md5). */
static void body_md5(smtp_state *s, const char *l, uint32_t n)
{
    if (s->tx.md5 & MM_SMTP_MD5_BODY && s->tx.body_seen) {
        md5_update(&s->tx.body_md5, n, (const uint8_t *)l);
        md5_update(&s->tx.body_md5, 2, (const uint8_t *)"\r\n");
    }
}

/* One line of the message (CR LF and dot-stuffing removed). */
static void msg_line(mm_app *a, mm_flow *f, smtp_state *s, const char *l, uint32_t n,
                     uint64_t ts)
{
    mime *m = &s->m;
    if (m->in_headers) {
        if (n == 0) {
            headers_end(a, s, ts);
            long_boundary_event(a, f, s, ts);
            return;
        }
        if ((l[0] == ' ' || l[0] == '\t') && m->hlen) {
            /* folded: continues the header */
            uint32_t k = n < HDR_MAX_SMTP - 1 - m->hlen ? n : HDR_MAX_SMTP - 1 - m->hlen;
            memcpy(m->hdr + m->hlen, l, k);
            m->hlen += k;
            return;
        }
        header(s);
        long_boundary_event(a, f, s, ts);
        uint32_t k = n < HDR_MAX_SMTP - 1 ? n : HDR_MAX_SMTP - 1;
        memcpy(m->hdr, l, k);
        m->hlen = k;
        return;
    }
    /* body: part boundaries */
    if (n < 3 || l[0] != '-' || l[1] != '-') {
        if (m->file)
            part_line(a, m, l, n);
        else if (m->text) {
            find_urls(&s->tx, l, n, m->text_cte);
            text_sample(&s->tx, l, n, m->text_cte);
        }
        return;
    }
    for (int d = m->depth - 1; d >= 0; d--) {
        size_t bl = strlen(m->boundary[d]);
        if (n < 2 + bl || memcmp(l + 2, m->boundary[d], bl) != 0)
            continue;
        file_end(a, f, s, true, ts);      /* the part before it ends here */
        m->text = false;
        m->depth = (uint8_t)(d + 1);
        if (n >= 4 + bl && l[2 + bl] == '-' && l[3 + bl] == '-') {
            m->depth = (uint8_t)d;   /* closing boundary */
            return;
        }
        m->in_headers = true;
        m->part = true;
        m->hlen = 0;
        return;
    }
    if (m->file)
        part_line(a, m, l, n);
    else if (m->text) {
        find_urls(&s->tx, l, n, m->text_cte);
        text_sample(&s->tx, l, n, m->text_cte);
    }
}

static void data_start(mm_app *a, smtp_state *s, uint64_t ts)
{
    tx_start(s, ts);
    s->tx.data_seen = true;
    s->tx.md5 = a->smtp_md5;
    if (s->tx.md5 & MM_SMTP_MD5_BODY)
        md5_init(&s->tx.body_md5);
    mm_file_free(a, s->m.file);
    memset(&s->m, 0, sizeof s->m);
    s->m.in_headers = true;
}

static void data_end(mm_app *a, mm_flow *f, smtp_state *s, uint64_t ts)
{
    if (s->m.in_headers)
        headers_end(a, s, ts);
    file_end(a, f, s, true, ts);          /* the message ended: so did its last part */
    /* the MIME decoder's anomalies are the transaction's events at the
     * message's end (Suricata's SetMimeEvents) */
    if (s->tx.long_filename)
        mm_app_tx_event(a, f, MM_TO_SERVER, "smtp.mime_long_filename", s->tx_id, ts);
    s->tx.done = true;
    s->mode = M_CMD;
    log_tx(a, f, s, ts);
}

static void queue(smtp_state *s, uint8_t c);

/* --- commands and replies -------------------------------------------- */

static void queue(smtp_state *s, uint8_t c)
{
    if (s->qn == CMDQ) {
        s->qh = (uint8_t)((s->qh + 1) % CMDQ);
        s->qn--;
    }
    s->cmdq[(s->qh + s->qn) % CMDQ] = c;
    s->cmdtx[(s->qh + s->qn) % CMDQ] = s->tx.active ? s->tx_seq : 0;
    s->qn++;
}

/* The argument of MAIL FROM / RCPT TO: the <address> when there is one. */
static void path_arg(const char *v, char *out, size_t on)
{
    while (*v == ' ')
        v++;
    const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt) {
        size_t l = (size_t)(gt - lt + 1);
        if (l >= on)
            l = on - 1;
        memcpy(out, lt, l);
        out[l] = 0;
        return;
    }
    trimcpy(out, on, v);
}

static void command(mm_app *a, mm_flow *f, smtp_state *s, char *l, uint32_t n, uint64_t ts)
{
    (void)n;
    if (!strncasecmp(l, "HELO ", 5) || !strncasecmp(l, "EHLO ", 5) ||
        !strcasecmp(l, "HELO") || !strcasecmp(l, "EHLO")) {
        if (s->tx.active)
            log_tx(a, f, s, ts);          /* a new greeting resets the transaction */
        trimcpy(s->helo, sizeof s->helo, l[4] ? l + 5 : "");
        tx_start(s, ts);                  /* as Suricata's: a command opens one */
        queue(s, C_OTHER);
    } else if (!strncasecmp(l, "MAIL FROM:", 10)) {
        if (s->tx.active && (s->tx.mail_from[0] || s->tx.data_seen))
            log_tx(a, f, s, ts);
        tx_start(s, ts);
        path_arg(l + 10, s->tx.mail_from, sizeof s->tx.mail_from);
        queue(s, C_OTHER);
    } else if (!strncasecmp(l, "RCPT TO:", 8)) {
        tx_start(s, ts);
        char r[256];
        path_arg(l + 8, r, sizeof r);
        size_t rl = strlen(r);
        smtp_tx *t = &s->tx;
        if (t->rcpt_len + rl + 2 <= RCPT_BUF) {
            if (t->rcpt_len)
                t->rcpt[t->rcpt_len++] = '\n';
            memcpy(t->rcpt + t->rcpt_len, r, rl + 1);
            t->rcpt_len = (uint16_t)(t->rcpt_len + rl);
            t->nrcpt++;
        } else {
            mm_app_error(a, f);           /* more recipients than we keep */
        }
        queue(s, C_OTHER);
    } else if (!strcasecmp(l, "DATA")) {
        /* The message starts now: a client waits for 354 before sending
         * it, so a refusal comes before any of it; if one comes, the
         * transaction goes back to commands (reply()). */
        queue(s, C_DATA);
        data_start(a, s, ts);
        s->mode = M_DATA;
    } else if (!strncasecmp(l, "BDAT ", 5) && isdigit((unsigned char)l[5])) {
        /* "BDAT size [LAST]" and nothing else: a bad one is answered with
         * an error and no chunk follows */
        char *e;
        unsigned long long sz = strtoull(l + 5, &e, 10);
        while (*e == ' ')
            e++;
        if (*e && strcasecmp(e, "LAST") != 0) {
            queue(s, C_OTHER);
            return;
        }
        s->bdat_last = *e != 0;
        if (!s->tx.data_seen)
            data_start(a, s, ts);
        s->bdat_left = sz;
        s->mode = M_BDAT;
        queue(s, C_BDAT);
    } else if (!strcasecmp(l, "RSET")) {
        /* the transaction ends when the server answers (as Suricata: a
         * command pipelined behind the RSET still belongs to it) */
        queue(s, C_RSET);
    } else if (!strcasecmp(l, "QUIT")) {
        /* a QUIT after a finished transaction is one of its own (logged
         * with the greeting when the flow ends), as Suricata 7 */
        if (s->tx.active)
            log_tx(a, f, s, ts);
        else if (s->tx_id)
            tx_start(s, ts);
        queue(s, C_OTHER);
    } else if (!strcasecmp(l, "STARTTLS")) {
        tx_start(s, ts);
        queue(s, C_STARTTLS);
    } else {
        queue(s, C_OTHER);
    }
}

static void reply(mm_app *a, mm_flow *f, smtp_state *s, const char *l, uint32_t n,
                  uint64_t ts)
{
    /* a final reply line: "ddd " or "ddd" alone; "ddd-" continues */
    if (n < 3 || !isdigit((unsigned char)l[0]) || (n > 3 && l[3] == '-'))
        return;
    if (!s->qn) {
        if (!s->banner[0] && !strncmp(l, "220", 3))
            trimcpy(s->banner, sizeof s->banner, l + 3);
        return;                           /* the greeting, or unasked */
    }
    if (!strncmp(l, "235", 3))
        s->auth = true;                   /* AUTH accepted */
    uint8_t c = s->cmdq[s->qh];
    uint64_t ctx = s->cmdtx[s->qh];
    s->qh = (uint8_t)((s->qh + 1) % CMDQ);
    s->qn--;
    if (c == C_DATA && s->mode == M_DATA && l[0] != '3') {
        s->mode = M_CMD;                  /* DATA refused: no message */
        s->tx.data_seen = false;
        mm_file_free(a, s->m.file);
        memset(&s->m, 0, sizeof s->m);
    } else if (c == C_STARTTLS && l[0] == '2') {
        s->mode = M_TLS;
    } else if (c == C_RSET && !strncmp(l, "250", 3) && s->tx.active && ctx == s->tx_seq) {
        log_tx(a, f, s, ts);      /* the transaction the RSET was sent in ends */
    }
}

/* --- bytes ------------------------------------------------------------ */

/* A client line longer than the buffer: in a message, the piece so far goes
 * to the attachment being read (lines of files have no length limit). */
static bool client_piece(mm_app *a, smtp_state *s, char *l, uint32_t n)
{
    if ((s->mode != M_DATA && s->mode != M_BDAT) || !s->m.file || s->m.in_headers)
        return false;
    part_piece(a, &s->m, l, n, false);
    if (s->tx.md5 & MM_SMTP_MD5_BODY && s->tx.body_seen)
        md5_update(&s->tx.body_md5, n, (const uint8_t *)l);
    s->cont = true;
    return true;
}

static void client_line(mm_app *a, mm_flow *f, smtp_state *s, char *l, uint32_t n, uint64_t ts)
{
    if (s->cont) {
        /* the end of a long line: no terminator, boundary or dot-stuffing */
        s->cont = false;
        body_md5(s, l, n);
        if (s->m.file)
            part_line(a, &s->m, l, n);
        return;
    }
    if (s->mode == M_DATA) {
        if (n == 1 && l[0] == '.') {
            data_end(a, f, s, ts);
            queue(s, C_OTHER);            /* the server answers the message */
            return;
        }
        body_md5(s, l, n);
        if (n && l[0] == '.') {       /* dot-stuffing */
            l++;
            n--;
        }
        msg_line(a, f, s, l, n, ts);
        return;
    }
    command(a, f, s, l, n, ts);
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    smtp_state *s = st;
    if (dir == MM_TO_CLIENT)
    if (s->mode == M_TLS)
        return;
    if (!d) {
        /* a gap: the line in progress is lost; a message loses its end */
        s->llen[dir] = 0;
        if (dir == MM_TO_SERVER && s->mode == M_BDAT) {
            s->bdat_left = n < s->bdat_left ? s->bdat_left - n : 0;
        }
        return;
    }
    char *line = s->line[dir];
    for (uint32_t i = 0; i < n && s->mode != M_TLS;) {
        if (dir == MM_TO_SERVER && s->mode == M_BDAT) {
            /* chunk bytes: lines of the message, counted rather than ended by "." */
            uint32_t k = n - i < s->bdat_left ? n - i : (uint32_t)s->bdat_left;
            for (uint32_t q = 0; q < k; q++) {
                char c = (char)d[i + q];
                if (c == '\n') {
                    uint32_t ll = s->llen[dir];
                    if (ll && line[ll - 1] == '\r')
                        ll--;
                    line[ll] = 0;
                    if (s->cont) {
                        s->cont = false;
                        body_md5(s, line, ll);
                        if (s->m.file)
                            part_line(a, &s->m, line, ll);
                    } else {
                        body_md5(s, line, ll);
                        msg_line(a, f, s, line, ll, ts);
                    }
                    s->llen[dir] = 0;
                } else if (s->llen[dir] < LINE_MAX_SMTP - 1) {
                    line[s->llen[dir]++] = c;
                } else if (client_piece(a, s, line, s->llen[dir])) {
                    s->llen[dir] = 0;
                    line[s->llen[dir]++] = c;
                }
            }
            i += k;
            s->bdat_left -= k;
            if (!s->bdat_left) {
                s->mode = M_CMD;
                s->llen[dir] = 0;
                if (s->bdat_last)
                    data_end(a, f, s, ts);
            }
            continue;
        }
        char c = (char)d[i++];
        if (c != '\n') {
            if (s->llen[dir] < LINE_MAX_SMTP - 1) {
                line[s->llen[dir]++] = c;
            } else if (dir == MM_TO_SERVER && client_piece(a, s, line, s->llen[dir])) {
                s->llen[dir] = 0;
                line[s->llen[dir]++] = c;
            } else if (!s->cut[dir]) {
                s->cut[dir] = true;
                mm_app_error(a, f);      /* line too long: cut */
            }
            continue;
        }
        uint32_t ll = s->llen[dir];
        if (ll && line[ll - 1] == '\r')
            ll--;
        line[ll] = 0;
        s->llen[dir] = 0;
        s->cut[dir] = false;
        if (dir == MM_TO_SERVER)
            client_line(a, f, s, line, ll, ts);
        else
            reply(a, f, s, line, ll, ts);
    }
    /* Suricata's data mode past the MIME headers takes the end of a chunk
     * as a line fragment: the piece of an attachment line so far goes to
     * its file now (what a stream cut at the depth leaves is decoded). Not
     * a possible boundary ('-'), the end of the message ('.'), a line end
     * half come (CR), nor quoted-printable (an escape may be split). */
    uint32_t pl = s->llen[MM_TO_SERVER];
    if (dir == MM_TO_SERVER && s->mode == M_DATA && pl && s->m.file && !s->m.in_headers &&
        s->m.part_cte != CTE_QP && (s->cont || (line[0] != '-' && line[0] != '.'))) {
        if (line[pl - 1] == '\r')
            pl--;
        if (pl && client_piece(a, s, line, pl)) {
            memmove(line, line + pl, s->llen[MM_TO_SERVER] - pl);
            s->llen[MM_TO_SERVER] -= pl;
        }
    }
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    smtp_state *s = st;
    if (s->tx.active && s->m.in_headers)
        header(s);
    log_tx(a, f, s, ts);
    pend_flush(a, f, s, ts);
    mm_file_free(a, s->m.file);
    s->m.file = NULL;
}

const mm_app_parser mm_parser_smtp = {
    .name = "smtp", .id = MM_APP_SMTP, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(smtp_state), .parse = parse, .finish = finish,
    .packet = smtp_packet,
};
