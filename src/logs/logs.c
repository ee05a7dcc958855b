/*
 * logs.c - reading log files: the table of formats, a file's format found
 * from its first lines, lines dispatched to the formats, what was skipped
 * and what was malformed counted.
 *
 * A file is read through zlib (gzip by content, else as it is), line by
 * line through a fixed buffer: a line longer than LR_MAX_LINE is counted as
 * cut and passed over up to its end, so memory does not grow with the file
 * or with its lines. The first DETECT_LINES lines are kept to find the
 * format; they are then parsed like the rest.
 *
 * Syslog files mix programs: when the file's format is one that comes
 * behind a syslog header, each line goes to the syslog format whose probe
 * takes it (the file's own format first), so /var/log/syslog gives kernel
 * firewall, sshd, dhcpd and postfix records together.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "logs/logs.h"

/* Every format of src/logs/. Declared weak so that a format file can be
 * built on its own while it is written; tests/unit/test_logs.c checks that
 * every one is linked in. */
#define LF(x) extern const mm_logfmt lf_##x __attribute__((weak));
#define LOG_FORMATS(X)                                                                    \
    X(netfilter) X(filterlog) X(fortigate) X(asa) X(paloalto) X(winfw) X(yamaha)         \
    X(squid) X(w3c) X(weblog)                                                             \
    X(bind) X(unbound) X(dnsmasq) X(dnsmasq_dhcp) X(windns) X(zeek_dns) X(infoblox)       \
    X(dhcpd) X(windhcp) X(kea)                                                            \
    X(postfix) X(exim) X(exchange) X(sshd) X(dovecot)
LOG_FORMATS(LF)
#undef LF

/* Order matters for ties: the more specific first. */
#define LA(x) &lf_##x,
static const mm_logfmt *const all_formats[] = {LOG_FORMATS(LA)};
#undef LA
#define NALL (sizeof all_formats / sizeof all_formats[0])
_Static_assert(NALL <= 32, "mm_logctx.state holds 32 formats");

/* the linked ones, in table order */
static const mm_logfmt *formats[NALL];
static size_t nformats;

static void load_formats(void)
{
    if (nformats)
        return;
    size_t k = 0;
    for (size_t i = 0; i < NALL; i++)
        if (all_formats[i])
            formats[k++] = all_formats[i];
    nformats = k;
}
#define NFORMATS (load_formats(), nformats)

#define DETECT_LINES 200

const mm_logfmt *const *mm_log_formats(size_t *n)
{
    *n = NFORMATS;
    return (const mm_logfmt *const *)formats;
}

void **lr_state(mm_logctx *cx)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i] == cx->cur)
            return &cx->state[i];
    return &cx->state[NALL - 1];
}

const mm_logfmt *mm_log_format(const char *name)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

const mm_logfmt *mm_logs_detect(const char *const *lines, size_t n)
{
    unsigned score[NALL] = {0};
    lr_syslog sys;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(lines[i]);
        if (len == 0)
            continue;
        lr_syslog_parse(lines[i], len, &sys);
        lr_line l = {lines[i], len, &sys, i + 1};
        for (size_t f = 0; f < NFORMATS; f++)
            if (formats[f]->probe(&l))
                score[f]++;
    }
    size_t best = 0;
    for (size_t f = 1; f < NFORMATS; f++)
        if (score[f] > score[best])
            best = f;
    return score[best] ? formats[best] : NULL;
}

void mm_logctx_init(mm_logctx *cx, const mm_logopt *opt, const char *file,
                    const mm_logfmt *fmt, int64_t ref_us)
{
    memset(cx, 0, sizeof *cx);
    cx->opt = opt;
    cx->file = file;
    cx->fmt = fmt;
    cx->ref_us = ref_us;
    cx->tz_hour = INT64_MIN;
    const char *tz = opt && opt->tz ? opt->tz : "Asia/Tokyo";
    if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0) {
        cx->tz_fixed = true;
    } else if (tz[0] == '+' || tz[0] == '-') {
        int h = 0, m = 0;
        if (sscanf(tz + 1, "%2d:%2d", &h, &m) < 1 && sscanf(tz + 1, "%2d%2d", &h, &m) < 1)
            h = 0;
        cx->tz_fixed = true;
        cx->tz_fixed_off = (tz[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    } else {
        const char *cur = getenv("TZ");
        if (!cur || strcmp(cur, tz) != 0) {
            setenv("TZ", tz, 1);
            tzset();
        }
    }
    mm_logctx_set_ref(cx, ref_us);
}

void mm_logctx_set_ref(mm_logctx *cx, int64_t ref_us)
{
    /* the civil day and year of the reference time in the zone */
    cx->ref_us = ref_us;
    int64_t s = ref_us / 1000000, off = cx->tz_fixed_off;
    if (!cx->tz_fixed) {
        struct tm tm;
        time_t t = (time_t)s;
        if (localtime_r(&t, &tm))
            off = tm.tm_gmtoff;
    }
    int64_t local = s + off;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    if (days == cx->ref_days && cx->ref_year)
        return;
    cx->ref_days = days;
    int64_t y = 1970 + days / 366;   /* below the year; walk up */
    while (mm_days_from_civil(y + 1, 1, 1) <= days)
        y++;
    cx->ref_year = (int)y;
}

void mm_logctx_free(mm_logctx *cx)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (cx->state[i] && formats[i]->free_state) {
            formats[i]->free_state(cx->state[i]);
            cx->state[i] = NULL;
        }
}

static void quote_bad(mm_logctx *cx, const char *line, size_t n)
{
    cx->st.malformed++;
    unsigned max = cx->opt && cx->opt->quote_max ? cx->opt->quote_max : 5;
    if ((cx->opt && cx->opt->quiet) || cx->quoted >= max)
        return;
    cx->quoted++;
    int show = n > 120 ? 120 : (int)n;
    /* only printable bytes on the terminal */
    char b[121];
    for (int i = 0; i < show; i++)
        b[i] = (line[i] >= 0x20 && line[i] < 0x7f) ? line[i] : '?';
    b[show] = 0;
    fprintf(stderr, "%s:%llu: %s: %s%s\n", cx->file ? cx->file : "-",
            (unsigned long long)cx->lineno, cx->why[0] ? cx->why : "malformed", b,
            n > 120 ? "..." : "");
}

/* The format that takes this line. */
static const mm_logfmt *choose(mm_logctx *cx, const lr_line *l)
{
    const mm_logfmt *f = cx->fmt;
    if (!f)
        return NULL;
    if ((cx->opt && cx->opt->format) || !f->syslog || !l->sys->ok)
        return f;
    if (f->probe(l))
        return f;
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i] != f && formats[i]->syslog && formats[i]->probe(l))
            return formats[i];
    return f;
}

static mm_logrec *rec_of(mm_logctx *cx)
{
    (void)cx;
    static _Thread_local mm_logrec rec;
    return &rec;
}

int mm_logctx_line(mm_logctx *cx, const char *line, size_t n, mm_log_cb cb, void *user)
{
    cx->lineno++;
    cx->st.lines++;
    while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
        n--;
    if (n == 0) {
        cx->st.skipped++;
        return LR_SKIP;
    }
    lr_syslog sys;
    lr_syslog_parse(line, n, &sys);
    lr_line l = {line, n, &sys, cx->lineno};
    const mm_logfmt *f = choose(cx, &l);
    if (!f) {
        cx->st.skipped++;
        return LR_SKIP;
    }
    cx->cur = f;
    mm_logrec *r = rec_of(cx);
    lr_clear(r);
    r->event_type = f->event_type;
    cx->why[0] = 0;
    int rc = f->parse(cx, &l, r);
    switch (rc) {
    case LR_OK:
        cx->st.records++;
        if (cb && cb(user, r, cx))
            return -1;
        break;
    case LR_BAD:
        quote_bad(cx, line, n);
        break;
    case LR_PENDING:
        break;
    default:
        cx->st.skipped++;
        rc = LR_SKIP;
        break;
    }
    return rc;
}

void mm_logctx_finish(mm_logctx *cx, mm_log_cb cb, void *user)
{
    for (size_t i = 0; i < NFORMATS; i++) {
        const mm_logfmt *f = formats[i];
        if (!f->finish || !cx->state[i])
            continue;
        cx->cur = f;
        mm_logrec *r = rec_of(cx);
        for (;;) {
            lr_clear(r);
            r->event_type = f->event_type;
            if (f->finish(cx, r) != LR_OK)
                break;
            cx->st.records++;
            if (cb && cb(user, r, cx))
                return;
        }
    }
}

/* --- reading a file line by line --- */

typedef struct lreader {
    gzFile gz;
    char *buf;           /* LR_MAX_LINE + 1 */
    size_t len, pos;     /* bytes in buf, start of the unread part */
    char *line;          /* the current line (NUL-terminated) */
    bool eof, err;
    uint64_t cut;
    uint64_t base;       /* offset in the (decompressed) input of buf[0] */
    uint64_t line_end;   /* offset just past the current line's newline */
} lreader;

/* The end of the input, or an error; a gzip stream cut short ends with
 * Z_BUF_ERROR ("unexpected end of file") and no error from gzread. */
static void at_end(lreader *r, int k)
{
    int zerr = Z_OK;
    gzerror(r->gz, &zerr);
    r->eof = true;
    if (k < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))
        r->err = true;
}

/* The next line into r->line (NUL-terminated, newline removed); its length
 * in *n; false at the end. A line longer than the buffer is passed over
 * (r->cut counts it) and the call returns an empty line in its place. */
static bool next_line(lreader *r, size_t *n)
{
    for (;;) {
        char *s = r->buf + r->pos, *e = r->buf + r->len;
        char *nl = memchr(s, '\n', (size_t)(e - s));
        if (nl) {
            *nl = 0;
            r->line = s;
            *n = (size_t)(nl - s);
            r->pos = (size_t)(nl + 1 - r->buf);
            r->line_end = r->base + r->pos;
            return true;
        }
        if (r->eof) {
            if (s == e)
                return false;
            *e = 0;            /* a last line without a newline */
            r->line = s;
            *n = (size_t)(e - s);
            r->pos = r->len;
            r->line_end = r->base + r->len;
            return true;
        }
        /* move the partial line to the front, read more */
        size_t part = (size_t)(e - s);
        if (part == LR_MAX_LINE) {
            /* too long: skip to the next newline */
            r->cut++;
            r->base += r->len;
            r->len = r->pos = 0;
            for (;;) {
                int k = gzread(r->gz, r->buf, LR_MAX_LINE);
                if (k <= 0) {
                    at_end(r, k);
                    break;
                }
                char *q = memchr(r->buf, '\n', (size_t)k);
                if (q) {
                    r->len = (size_t)k;
                    r->pos = (size_t)(q + 1 - r->buf);
                    break;
                }
                r->base += (size_t)k;
            }
            r->line_end = r->base + r->pos;
            r->buf[0] = 0;
            r->line = r->buf;
            *n = 0;
            return true;
        }
        memmove(r->buf, s, part);
        r->base += r->pos;
        r->len = part;
        r->pos = 0;
        int k = gzread(r->gz, r->buf + r->len, (unsigned)(LR_MAX_LINE - r->len));
        if (k <= 0) {
            at_end(r, k);
        } else {
            r->len += (size_t)k;
        }
    }
}

/* A line longer than LR_MAX_LINE: counted as cut (not malformed), quoted. */
static void cut_line(mm_logctx *cx)
{
    cx->lineno++;
    cx->st.lines++;
    cx->st.cut++;
    snprintf(cx->why, sizeof cx->why, "line longer than %d bytes, passed over", LR_MAX_LINE);
    quote_bad(cx, "", 0);
    cx->st.malformed--;
}

static void add_stats(mm_logstats *to, const mm_logstats *from)
{
    to->lines += from->lines;
    to->records += from->records;
    to->skipped += from->skipped;
    to->malformed += from->malformed;
    to->cut += from->cut;
}

int mm_logs_read_file(const char *path, const mm_logopt *opt, mm_log_cb cb, void *user,
                      mm_logstats *st, char *err, size_t errlen)
{
    int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (st)
            st->bad_files++;
        return 1;
    }
    struct stat sb;
    int64_t ref_us = (int64_t)time(NULL) * 1000000;
    if (fstat(fd, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            close(fd);
            snprintf(err, errlen, "%s: is a directory", path);
            if (st)
                st->bad_files++;
            return 1;
        }
        if (S_ISREG(sb.st_mode))
            ref_us = (int64_t)sb.st_mtim.tv_sec * 1000000;
    }
    lreader rd = {0};
    rd.gz = gzdopen(fd, "rb");
    rd.buf = malloc(LR_MAX_LINE + 1);
    char **keep = calloc(DETECT_LINES, sizeof *keep);
    if (!rd.gz || !rd.buf || !keep) {
        if (rd.gz)
            gzclose(rd.gz);
        else
            close(fd);
        free(rd.buf);
        free(keep);
        snprintf(err, errlen, "%s: out of memory", path);
        return 1;
    }
    gzbuffer(rd.gz, 256 * 1024);

    /* the first lines, kept to find the format */
    size_t nkeep = 0, n;
    size_t kept_bytes = 0;
    uint64_t cut_seen = 0;
    bool kcut[DETECT_LINES];
    size_t klen[DETECT_LINES];
    uint64_t kend[DETECT_LINES];
    while (nkeep < DETECT_LINES && kept_bytes < 4 * 1024 * 1024 && next_line(&rd, &n)) {
        /* as it is, NUL bytes included */
        keep[nkeep] = malloc(n + 1);
        if (!keep[nkeep])
            break;
        memcpy(keep[nkeep], rd.line, n);
        keep[nkeep][n] = 0;
        klen[nkeep] = n;
        kend[nkeep] = rd.line_end;
        kcut[nkeep] = rd.cut != cut_seen;
        cut_seen = rd.cut;
        kept_bytes += n;
        nkeep++;
    }
    const mm_logfmt *fmt = opt && opt->format ? mm_log_format(opt->format) : NULL;
    if (!fmt)
        fmt = mm_logs_detect((const char *const *)keep, nkeep);
    int rc = 0;
    if (!fmt) {
        if (nkeep == 0 && !rd.err)
            snprintf(err, errlen, "%s: empty", path);
        else if (rd.err && nkeep == 0)
            snprintf(err, errlen, "%s: cannot be read (damaged compressed file?)", path);
        else
            snprintf(err, errlen,
                     "%s: not a log format mimamori knows (see mimamori logs formats; "
                     "--format to name one)",
                     path);
        if (st)
            st->bad_files++;
        rc = 1;
    } else {
        mm_logctx cx;
        mm_logctx_init(&cx, opt, path, fmt, ref_us);
        bool stop = false, done = false;
        uint64_t skip = opt ? opt->skip_bytes : 0, upto = opt ? opt->stop_bytes : 0;
        for (size_t i = 0; i < nkeep && !stop && !done; i++) {
            if (upto && kend[i] > upto) {
                done = true;
            } else if (kend[i] <= skip) {
                cx.lineno++;        /* imported before */
            } else {
                stop = kcut[i] ? (cut_line(&cx), false)
                               : mm_logctx_line(&cx, keep[i], klen[i], cb, user) < 0;
            }
        }
        while (!stop && !done && next_line(&rd, &n)) {
            bool was_cut = rd.cut != cut_seen;
            cut_seen = rd.cut;
            if (upto && rd.line_end > upto)
                break;
            if (rd.line_end <= skip) {
                cx.lineno++;
                continue;
            }
            if (was_cut) {
                cut_line(&cx);
                continue;
            }
            stop = mm_logctx_line(&cx, rd.line, n, cb, user) < 0;
        }
        if (!stop)
            mm_logctx_finish(&cx, cb, user);
        if (rd.err && !(opt && opt->quiet)) {
            int zerr = 0;
            const char *m = gzerror(rd.gz, &zerr);
            fprintf(stderr, "%s: read stopped after line %llu: %s\n", path,
                    (unsigned long long)cx.lineno,
                    m && *m ? m : "damaged or truncated compressed data");
        }
        if (rd.err)
            cx.st.malformed++;
        if (st) {
            add_stats(st, &cx.st);
            st->files++;
            st->format = fmt->name;
        }
        mm_logctx_free(&cx);
        rc = stop ? -1 : 0;
    }
    for (size_t i = 0; i < nkeep; i++)
        free(keep[i]);
    free(keep);
    free(rd.buf);
    gzclose(rd.gz);
    return rc;
}
