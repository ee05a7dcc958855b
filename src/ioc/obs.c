/*
 * obs.c - the hunting index (see obs.h).
 *
 * Sums are held in a map keyed by (site, month, kind, key, host) and
 * written as upserts into obs_month, one b-tree keyed by what a hunt looks
 * up (kind, key) first; the value is not stored beside its key but read
 * back from it. A month, not a day, is the unit: the
 * index answers "did anyone meet this, who, first and last when, how
 * often", and a day row per value and host would make the index larger
 * than the rest of the store (docs/hunting.md has the measurements).
 */
#include "ioc/obs.h"
#include "util/strmap.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONTH_US_DAY 86400000000LL

static const char *const kind_names[OBS__COUNT] = {
    "ip", "domain", "url", "email", "hash", "ja4", "filename", "user-agent", "subject",
};

const char *mm_obs_kind_name(mm_obs_kind k)
{
    return (unsigned)k < OBS__COUNT ? kind_names[k] : "";
}

mm_obs_kind mm_obs_kind_of(mm_ioc_type t)
{
    switch (t) {
    case IOC_IPV4: case IOC_IPV6: case IOC_CIDR: return OBS_IP;
    case IOC_DOMAIN: return OBS_DOMAIN;
    case IOC_URL: return OBS_URL;
    case IOC_EMAIL: return OBS_EMAIL;
    case IOC_MD5: case IOC_SHA1: case IOC_SHA256: case IOC_JA3: return OBS_HASH;
    case IOC_JA4: return OBS_JA4;
    case IOC_FILENAME: return OBS_FILENAME;
    case IOC_USER_AGENT: return OBS_UA;
    case IOC_SUBJECT: return OBS_SUBJECT;
    default: return OBS__COUNT;
    }
}

size_t mm_obs_key(mm_obs_kind k, const char *v, size_t n, char *out, size_t outlen)
{
    if (n == 0 || outlen == 0)
        return 0;
    switch (k) {
    case OBS_IP: {
        char b[64];
        if (n >= sizeof b || outlen < 33)
            return 0;
        memcpy(b, v, n);
        b[n] = 0;
        mm_ip ip;
        if (!mm_ip_parse(b, &ip))
            return 0;
        uint8_t m[16] = {0};
        if (ip.v == 4) {
            m[10] = m[11] = 0xff;
            memcpy(m + 12, ip.b, 4);
        } else
            memcpy(m, ip.b, 16);
        for (int i = 0; i < 16; i++)
            snprintf(out + 2 * i, 3, "%02x", m[i]);
        return 32;
    }
    case OBS_DOMAIN: {
        while (n && v[n - 1] == '.')
            n--;
        while (n && v[0] == '.')
            v++, n--;
        if (n == 0 || n + 1 > outlen)
            return 0;
        /* labels in reverse order: "www.evil.example" -> "example.evil.www" */
        size_t k2 = 0, end = n;
        while (end > 0) {
            size_t start = end;
            while (start > 0 && v[start - 1] != '.')
                start--;
            if (k2)
                out[k2++] = '.';
            for (size_t i = start; i < end; i++)
                out[k2++] = (char)tolower((unsigned char)v[i]);
            end = start ? start - 1 : 0;
            if (start == 0)
                break;
        }
        out[k2] = 0;
        return k2;
    }
    case OBS_URL:
        return mm_ioc_url_key(v, n, out, outlen);
    case OBS_EMAIL:
    case OBS_HASH:
    case OBS_FILENAME:
        if (n + 1 > outlen)
            return 0;
        for (size_t i = 0; i < n; i++)
            out[i] = (char)tolower((unsigned char)v[i]);
        out[n] = 0;
        return n;
    default:
        if (n + 1 > outlen)
            return 0;
        memcpy(out, v, n);
        out[n] = 0;
        return n;
    }
}

void mm_obs_key_value(mm_obs_kind k, const char *key, char *out, size_t outlen)
{
    if (!outlen)
        return;
    size_t n = strlen(key);
    if (k == OBS_IP && n == 32) {
        mm_ip ip = {0};
        for (int i = 0; i < 16; i++) {
            unsigned v;
            if (sscanf(key + 2 * i, "%2x", &v) != 1)
                goto asis;
            ip.b[i] = (uint8_t)v;
        }
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(ip.b, mapped, 12) == 0) {
            memmove(ip.b, ip.b + 12, 4);
            memset(ip.b + 4, 0, 12);
            ip.v = 4;
        } else
            ip.v = 6;
        char a[MM_IPSTR_LEN];
        mm_ip_str(&ip, a);
        snprintf(out, outlen, "%s", a);
        return;
    }
    if (k == OBS_DOMAIN && n + 1 <= outlen) {
        /* labels back in their order */
        size_t w = 0, end = n;
        while (end > 0) {
            size_t start = end;
            while (start > 0 && key[start - 1] != '.')
                start--;
            if (w)
                out[w++] = '.';
            memcpy(out + w, key + start, end - start);
            w += end - start;
            if (start == 0)
                break;
            end = start - 1;
        }
        out[w] = 0;
        return;
    }
asis:
    snprintf(out, outlen, "%s", key);
}

typedef struct sum {
    int64_t site, month, first, last, count;
    uint8_t kind;
    char *key, *host;
} sum;

struct mm_obs {
    mm_db *db;
    sum *v;
    size_t n, cap;
    mm_strmap idx;             /* packed (site, month, kind, key, host) -> index */
    mm_stmt *up;
};

mm_obs *mm_obs_new(mm_db *db)
{
    mm_obs *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->db = db;
    mm_strmap_init(&o->idx);
    o->up = mm_db_prepare(db,
        "INSERT INTO obs_month (kind, key, site_id, month, host, first_ts, last_ts, count) VALUES"
        " ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, key, site_id, month, host)"
        " DO UPDATE SET"
        " first_ts = CASE WHEN excluded.first_ts < obs_month.first_ts THEN excluded.first_ts"
        " ELSE obs_month.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > obs_month.last_ts THEN excluded.last_ts"
        " ELSE obs_month.last_ts END, count = obs_month.count + excluded.count");
    if (!o->up) {
        mm_obs_free(o);
        return NULL;
    }
    return o;
}

void mm_obs_drop(mm_obs *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].key);
        free(o->v[i].host);
    }
    o->n = 0;
    mm_strmap_free(&o->idx);
    mm_strmap_init(&o->idx);
}

void mm_obs_free(mm_obs *o)
{
    if (!o)
        return;
    mm_obs_drop(o);
    free(o->v);
    mm_strmap_free(&o->idx);
    mm_stmt_free(o->up);
    free(o);
}

size_t mm_obs_pending(const mm_obs *o)
{
    return o ? o->n : 0;
}

static int64_t month_of(int64_t ts_us)
{
    int64_t days = ts_us >= 0 ? ts_us / MONTH_US_DAY : -((-ts_us + MONTH_US_DAY - 1) / MONTH_US_DAY);
    int y, m, d;
    mm_civil_from_days(days, &y, &m, &d);
    return (int64_t)y * 100 + m;       /* 202612 */
}

int mm_obs_add(mm_obs *o, int64_t site, int64_t ts_us, mm_obs_kind k, const char *v, size_t n,
               const char *host)
{
    if (!o || !v || n == 0 || n > MM_IOC_VALUE_MAX || (unsigned)k >= OBS__COUNT || ts_us <= 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20)
            return 0;                     /* not a value anyone would publish */
    char key[MM_IOC_VALUE_MAX + 1];
    size_t kl = mm_obs_key(k, v, n, key, sizeof key);
    if (!kl)
        return 0;
    if (!host)
        host = "";
    int64_t month = month_of(ts_us);
    char pk[MM_IOC_VALUE_MAX + 128];
    size_t hl = strlen(host);
    if (kl + hl + 40 > sizeof pk)
        return 0;
    size_t pl = 0;
    memcpy(pk, &site, 8);
    memcpy(pk + 8, &month, 8);
    pk[16] = (char)k;
    pl = 17;
    memcpy(pk + pl, key, kl);
    pl += kl;
    pk[pl++] = 0;
    memcpy(pk + pl, host, hl);
    pl += hl;
    uint64_t *ix = mm_strmap_get(&o->idx, pk, pl);
    if (ix) {
        sum *s = &o->v[*ix];
        if (ts_us < s->first)
            s->first = ts_us;
        if (ts_us > s->last)
            s->last = ts_us;
        s->count++;
        return 0;
    }
    if (!mm_grow(&o->v, &o->cap, o->n, sizeof *o->v, 256))
        return -1;
    sum *s = &o->v[o->n];
    s->site = site;
    s->month = month;
    s->first = s->last = ts_us;
    s->count = 1;
    s->kind = (uint8_t)k;
    s->key = strndup(key, kl);
    s->host = strdup(host);
    bool added;
    if (!s->key || !s->host || !mm_strmap_put(&o->idx, pk, pl, o->n, &added)) {
        free(s->key);
        free(s->host);
        return -1;
    }
    o->n++;
    return 0;
}

int mm_obs_flush(mm_obs *o)
{
    if (!o)
        return 0;
    int rc = 0;
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        const sum *s = &o->v[i];
        mm_stmt_i64(o->up, 1, s->kind);
        mm_stmt_text(o->up, 2, s->key);
        mm_stmt_i64(o->up, 3, s->site);
        mm_stmt_i64(o->up, 4, s->month);
        mm_stmt_text(o->up, 5, s->host);
        mm_stmt_i64(o->up, 6, s->first);
        mm_stmt_i64(o->up, 7, s->last);
        mm_stmt_i64(o->up, 8, s->count);
        if (mm_stmt_run(o->up) != 0)
            rc = -1;
    }
    mm_obs_drop(o);
    return rc;
}

/* ---- what events and records show ---- */

static int add_str(mm_obs *o, int64_t site, int64_t ts, mm_obs_kind k, const jr_doc *d, int tok,
                   const char *host)
{
    char b[MM_IOC_VALUE_MAX + 1];
    if (tok < 0 || !jr_str(d, tok, b, sizeof b) || !b[0])
        return 0;
    return mm_obs_add(o, site, ts, k, b, strlen(b), host);
}

/* The address of "Name <addr>" or of a bare address. */
static int add_mail(mm_obs *o, int64_t site, int64_t ts, const char *v, size_t n,
                    const char *host)
{
    const char *lt = memchr(v, '<', n);
    if (lt) {
        const char *gt = memchr(lt, '>', n - (size_t)(lt - v));
        size_t an = gt ? (size_t)(gt - lt - 1) : n - (size_t)(lt - v) - 1;
        v = lt + 1;
        n = an;
    }
    while (n && (*v == ' ' || *v == '"'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '"'))
        n--;
    if (!n || !memchr(v, '@', n))
        return 0;
    return mm_obs_add(o, site, ts, OBS_EMAIL, v, n, host);
}

static int add_mail_tok(mm_obs *o, int64_t site, int64_t ts, const jr_doc *d, int tok,
                        const char *host)
{
    char b[1024];
    if (tok < 0)
        return 0;
    if (d->t[tok].type == JR_ARR) {
        for (uint32_t i = 0; i < 256; i++) {
            int e = jr_elem(d, tok, i);
            if (e < 0)
                break;
            if (jr_str(d, e, b, sizeof b) && add_mail(o, site, ts, b, strlen(b), host) != 0)
                return -1;
        }
        return 0;
    }
    if (!jr_str(d, tok, b, sizeof b))
        return 0;
    /* "a@x, b@y" */
    for (char *p = b; *p;) {
        char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (add_mail(o, site, ts, p, n, host) != 0)
            return -1;
        p = c ? c + 1 : p + n;
    }
    return 0;
}

/* A URL's host as a name or address too (a hunt for the domain finds
 * the URLs of mails and proxies). */
static int add_url(mm_obs *o, int64_t site, int64_t ts, const char *u, size_t n,
                   const char *host)
{
    if (mm_obs_add(o, site, ts, OBS_URL, u, n, host) != 0)
        return -1;
    const char *h = u;
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n; i++)
        if (u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/') {
            sep = u + i + 3;
            break;
        }
    if (sep)
        h = sep;
    size_t hl = 0;
    while (h + hl < u + n && h[hl] != '/' && h[hl] != ':' && h[hl] != '?' && h[hl] != '#')
        hl++;
    if (!hl)
        return 0;
    char b[256];
    if (hl >= sizeof b)
        return 0;
    memcpy(b, h, hl);
    b[hl] = 0;
    mm_ip ip;
    return mm_obs_add(o, site, ts, mm_ip_parse(b, &ip) ? OBS_IP : OBS_DOMAIN, b, hl, host);
}

static int basename_add(mm_obs *o, int64_t site, int64_t ts, const char *name,
                        const char *host)
{
    const char *b = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return mm_obs_add(o, site, ts, OBS_FILENAME, b, strlen(b), host);
}

/* from: the first attachment whose name is indexed here (a mail file's
 * first name also comes through its log record) */
static int attachments(mm_obs *o, int64_t site, int64_t ts, const jr_doc *d, int arr,
                       const char *host, uint32_t from)
{
    char b[1024];
    if (arr < 0)
        return 0;
    if (d->t[arr].type == JR_STR)
        return jr_str(d, arr, b, sizeof b) ? basename_add(o, site, ts, b, host) : 0;
    for (uint32_t i = 0; i < 256; i++) {
        int e = jr_elem(d, arr, i);
        if (e < 0)
            break;
        if (d->t[e].type == JR_STR) {
            if (jr_str(d, e, b, sizeof b) && basename_add(o, site, ts, b, host) != 0)
                return -1;
            continue;
        }
        if (i >= from && jr_str(d, jr_member(d, e, "filename"), b, sizeof b) &&
            basename_add(o, site, ts, b, host) != 0)
            return -1;
        static const char *const hs[] = {"sha256", "md5", "sha1"};
        for (int h = 0; h < 3; h++)
            if (add_str(o, site, ts, OBS_HASH, d, jr_member(d, e, hs[h]), host) != 0)
                return -1;
    }
    return 0;
}

static int urls(mm_obs *o, int64_t site, int64_t ts, const jr_doc *d, int arr, const char *host)
{
    char b[MM_IOC_VALUE_MAX + 1];
    for (uint32_t i = 0; arr >= 0 && i < 256; i++) {
        int e = jr_elem(d, arr, i);
        if (e < 0)
            break;
        if (jr_str(d, e, b, sizeof b) && add_url(o, site, ts, b, strlen(b), host) != 0)
            return -1;
    }
    return 0;
}

int mm_obs_eve(mm_obs *o, const jr_doc *d, int64_t site, int64_t ts, const char *host)
{
    int et = jr_member(d, 0, "event_type");
    int rc = 0;
    char b[MM_IOC_VALUE_MAX + 1];
    if (jr_eq(d, et, "http")) {
        int h = jr_member(d, 0, "http");
        char hn[256];
        if (jr_str(d, jr_member(d, h, "hostname"), hn, sizeof hn) && hn[0]) {
            mm_ip ip;
            rc |= mm_obs_add(o, site, ts, mm_ip_parse(hn, &ip) ? OBS_IP : OBS_DOMAIN, hn,
                             strlen(hn), host);
            if (jr_str(d, jr_member(d, h, "url"), b, sizeof b)) {
                char u[MM_IOC_VALUE_MAX + 300];
                int w = snprintf(u, sizeof u, "%s%s%s", hn, b[0] == '/' ? "" : "/", b);
                if (w > 0 && (size_t)w < sizeof u)
                    rc |= mm_obs_add(o, site, ts, OBS_URL, u, (size_t)w, host);
            }
        }
        rc |= add_str(o, site, ts, OBS_UA, d, jr_member(d, h, "http_user_agent"), host);
    } else if (jr_eq(d, et, "tls")) {
        int t = jr_member(d, 0, "tls");
        rc |= add_str(o, site, ts, OBS_DOMAIN, d, jr_member(d, t, "sni"), host);
        if (jr_str(d, jr_member(d, t, "subject"), b, sizeof b)) {
            char *cn = strstr(b, "CN=");
            if (cn) {
                cn += 3;
                size_t n = strcspn(cn, ",");
                if (n > 2 && cn[0] == '*' && cn[1] == '.')
                    cn += 2, n -= 2;
                rc |= mm_obs_add(o, site, ts, OBS_DOMAIN, cn, n, host);
            }
        }
        rc |= add_str(o, site, ts, OBS_HASH, d, jr_member(d, jr_member(d, t, "ja3"), "hash"),
                      host);
        rc |= add_str(o, site, ts, OBS_HASH, d, jr_member(d, jr_member(d, t, "ja3s"), "hash"),
                      host);
        rc |= add_str(o, site, ts, OBS_JA4, d, jr_member(d, t, "ja4"), host);
    } else if (jr_eq(d, et, "fileinfo")) {
        int f = jr_member(d, 0, "fileinfo");
        if (jr_str(d, jr_member(d, f, "filename"), b, sizeof b) && b[0])
            rc |= basename_add(o, site, ts, b, host);
        static const char *const hs[] = {"sha256", "md5", "sha1"};
        for (int h = 0; h < 3; h++)
            rc |= add_str(o, site, ts, OBS_HASH, d, jr_member(d, f, hs[h]), host);
    } else if (jr_eq(d, et, "smtp") || jr_eq(d, et, "mail")) {
        int s = jr_member(d, 0, "smtp");
        int e = jr_member(d, 0, "email");
        bool smtp = jr_eq(d, et, "smtp");
        if (smtp) {
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, s, "mail_from"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, s, "rcpt_to"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "from"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "to"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "cc"), host);
            rc |= add_str(o, site, ts, OBS_SUBJECT, d, jr_member(d, e, "subject"), host);
            rc |= attachments(o, site, ts, d, jr_member(d, e, "attachment"), host, 0);
        } else {
            /* mail messages (.eml, mbox, Maildir): from, to and subject come
             * through the log record; here what a record cannot hold */
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "cc"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "delivered_to"), host);
            int a = jr_member(d, e, "attachment");
            if (a >= 0 && d->t[a].type == JR_ARR)
                rc |= attachments(o, site, ts, d, a, host, 1);
            int rf = jr_member(d, e, "received_from");
            char ipb[64];
            if (jr_str(d, jr_member(d, rf, "ip"), ipb, sizeof ipb))
                rc |= mm_obs_add(o, site, ts, OBS_IP, ipb, strlen(ipb), host);
        }
        rc |= urls(o, site, ts, d, jr_member(d, e, "url"), host);
    }
    return rc ? -1 : 0;
}

static int lr_add(mm_obs *o, int64_t site, int64_t ts, mm_obs_kind k, lr_str s,
                  const char *host)
{
    return s.n ? mm_obs_add(o, site, ts, k, s.p, s.n, host) : 0;
}

int mm_obs_logrec(mm_obs *o, int64_t site, const mm_logrec *r, const char *host,
                  const char *remote)
{
    if (!r->has_ts || !r->event_type)
        return 0;
    int64_t ts = r->ts_us;
    int rc = 0;
    const char *et = r->event_type;
    if (remote && *remote && strcmp(et, "dhcp") != 0)
        rc |= mm_obs_add(o, site, ts, OBS_IP, remote, strlen(remote), host);
    if (!strcmp(et, "dns")) {
        rc |= lr_add(o, site, ts, OBS_DOMAIN, r->dns.rrname, host);
        for (uint32_t i = 0; i < r->dns.n_answers && i < LR_MAX_ANSWERS; i++) {
            const lr_answer *a = &r->dns.answers[i];
            char b[64];
            if (a->rdata.n && a->rdata.n < sizeof b) {
                memcpy(b, a->rdata.p, a->rdata.n);
                b[a->rdata.n] = 0;
                mm_ip ip;
                if (mm_ip_parse(b, &ip))
                    rc |= mm_obs_add(o, site, ts, OBS_IP, b, a->rdata.n, host);
                else if (a->rrtype.n == 5 && !memcmp(a->rrtype.p, "CNAME", 5))
                    rc |= lr_add(o, site, ts, OBS_DOMAIN, a->rdata, host);
            }
        }
    } else if (!strcmp(et, "proxy") || !strcmp(et, "web")) {
        char hn[256];
        size_t hl = r->http.hostname.n < sizeof hn ? r->http.hostname.n : 0;
        memcpy(hn, r->http.hostname.p ? r->http.hostname.p : "", hl);
        hn[hl] = 0;
        mm_ip ip;
        if (hl)
            rc |= mm_obs_add(o, site, ts, mm_ip_parse(hn, &ip) ? OBS_IP : OBS_DOMAIN, hn, hl,
                             host);
        if (r->http.url.n) {
            const char *u = r->http.url.p;
            size_t un = r->http.url.n;
            if (memmem(u, un, "://", 3) || !hl)
                rc |= add_url(o, site, ts, u, un, host);
            else {
                char b[MM_IOC_VALUE_MAX + 300];
                int w = snprintf(b, sizeof b, "%s%s%.*s", hn, u[0] == '/' ? "" : "/", (int)un, u);
                if (w > 0 && (size_t)w < sizeof b)
                    rc |= mm_obs_add(o, site, ts, OBS_URL, b, (size_t)w, host);
            }
        }
        rc |= lr_add(o, site, ts, OBS_UA, r->http.http_user_agent, host);
    } else if (!strcmp(et, "mail")) {
        if (r->email.from.n)
            rc |= add_mail(o, site, ts, r->email.from.p, r->email.from.n, host);
        if (r->email.header_from.n)
            rc |= add_mail(o, site, ts, r->email.header_from.p, r->email.header_from.n, host);
        for (uint32_t i = 0; i < r->email.n_to && i < LR_MAX_TO; i++)
            rc |= add_mail(o, site, ts, r->email.to[i].p, r->email.to[i].n, host);
        rc |= lr_add(o, site, ts, OBS_SUBJECT, r->email.subject, host);
        if (r->email.attachment.n) {
            char b[1024];
            size_t n = r->email.attachment.n < sizeof b ? r->email.attachment.n : sizeof b - 1;
            memcpy(b, r->email.attachment.p, n);
            b[n] = 0;
            rc |= basename_add(o, site, ts, b, host);
        }
    }
    return rc ? -1 : 0;
}
