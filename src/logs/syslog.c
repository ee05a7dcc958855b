/*
 * syslog.c - the syslog header in front of most log lines, and the time of
 * a record.
 *
 * Headers read: RFC 3164 ("<PRI>Mmm dd hh:mm:ss host prog[pid]: msg", the
 * PRI and the host optional, "Mmm dd yyyy hh:mm:ss" as some appliances
 * write it), RFC 5424 ("<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG" with
 * "-" for nil values) and an ISO timestamp in front (rsyslog's high
 * precision format, journalctl -o short-iso: "2024-01-02T03:04:05.123+09:00
 * host prog[pid]: msg"). A line with none of them has sys->ok false and its
 * message is the whole line (after a PRI, when there is one).
 *
 * Times: a line without a year takes --year (a month going back from
 * December to January moves to the next year), else the year of the file's
 * modification time, a date more than a day after that time being of the
 * year before (a file written up to January holds December's lines). A line
 * without a zone takes the reading's zone (--tz, a zoneinfo name or a fixed
 * +HH:MM); its offset is looked up once per civil hour. Dates and times the
 * formats write in their own lines are read here too (ISO's
 * "YYYY-MM-DD hh:mm:ss", the Common Log Format's "dd/Mon/yyyy:hh:mm:ss
 * +zzzz").
 */
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "logs/logs.h"

static const char *const months[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};

int lr_month(const char *p)
{
    for (int i = 0; i < 12; i++)
        if (strncasecmp(p, months[i], 3) == 0)
            return i + 1;
    return 0;
}

const char *lr_iso_time(const char *p, const char *e, char sep, lr_tm *t)
{
    if (e - p < 19 || p[4] != '-' || p[7] != '-' || p[10] != sep || p[13] != ':' ||
        p[16] != ':')
        return NULL;
    int64_t y, mo, d, h, mi, s;
    if (!lr_num(p, 4, &y) || !lr_num(p + 5, 2, &mo) || !lr_num(p + 8, 2, &d) ||
        !lr_num(p + 11, 2, &h) || !lr_num(p + 14, 2, &mi) || !lr_num(p + 17, 2, &s) || mo < 1 ||
        mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return NULL;
    const char *q = p + 19;
    int32_t usec = 0;
    if (q < e && *q == '.') {
        int32_t scale = 100000;
        q++;
        for (int i = 0; i < 6 && q < e && *q >= '0' && *q <= '9'; i++, q++) {
            usec += (*q - '0') * scale;
            scale /= 10;
        }
    }
    *t = (lr_tm){(int)y, (int)mo, (int)d, (int)h, (int)mi, (int)s, usec, 0};
    return q;
}

const char *lr_clf_time(const char *p, const char *e, lr_tm *t)
{
    const char *q = p;
    size_t dn = 0;
    while (q + dn < e && dn < 3 && q[dn] >= '0' && q[dn] <= '9')
        dn++;
    if (dn < 1 || dn > 2)
        return NULL;
    int day = dn == 1 ? q[0] - '0' : lr_num2(q);
    q += dn;
    /* "/Mon/yyyy:hh:mm:ss +zzzz]" is 25 bytes */
    if (e - q < 25 || q[0] != '/' || q[4] != '/' || q[9] != ':' || q[12] != ':' || q[15] != ':' ||
        q[18] != ' ' || (q[19] != '+' && q[19] != '-') || q[24] != ']')
        return NULL;
    int mon = lr_month(q + 1);
    if (!mon || !lr_digits(q + 5, 4) || !lr_digits(q + 10, 2) || !lr_digits(q + 13, 2) ||
        !lr_digits(q + 16, 2) || !lr_digits(q + 20, 4))
        return NULL;
    int year = lr_num2(q + 5) * 100 + lr_num2(q + 7);
    int hour = lr_num2(q + 10), min = lr_num2(q + 13), sec = lr_num2(q + 16);
    int zh = lr_num2(q + 20), zm = lr_num2(q + 22);
    if (day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 || zh > 23 || zm > 59 ||
        year < 1970)
        return NULL;
    int32_t zone = (int32_t)((zh * 3600 + zm * 60) * (q[19] == '-' ? -1 : 1));
    *t = (lr_tm){year, mon, day, hour, min, sec, 0, zone};
    return q + 25;
}

static bool dig(const char *p, const char *e, int n, int *v)
{
    if (e - p < n)
        return false;
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return true;
}

/* "hh:mm:ss[.frac]" at *pp; advances past it. */
static bool clock_at(const char **pp, const char *e, lr_syslog *s)
{
    const char *p = *pp;
    if (!dig(p, e, 2, &s->hour) || p + 2 >= e || p[2] != ':' || !dig(p + 3, e, 2, &s->min) ||
        p + 5 >= e || p[5] != ':' || !dig(p + 6, e, 2, &s->sec) || s->hour > 23 ||
        s->min > 59 || s->sec > 60)
        return false;
    p += 8;
    s->usec = 0;
    if (p < e && (*p == '.' || *p == ',')) {
        p++;
        int n = 0;
        int32_t f = 0;
        while (p < e && *p >= '0' && *p <= '9') {
            if (n < 6) {
                f = f * 10 + (*p - '0');
                n++;
            }
            p++;
        }
        while (n++ < 6)
            f *= 10;
        s->usec = f;
    }
    *pp = p;
    return true;
}

/* "Z", "+09:00", "+0900", "-05" at *pp. */
static bool zone_at(const char **pp, const char *e, int32_t *off)
{
    const char *p = *pp;
    if (p < e && (*p == 'Z' || *p == 'z')) {
        *off = 0;
        *pp = p + 1;
        return true;
    }
    if (p >= e || (*p != '+' && *p != '-'))
        return false;
    int sign = *p == '-' ? -1 : 1, h, m = 0;
    p++;
    if (!dig(p, e, 2, &h) || h > 14)
        return false;
    p += 2;
    if (p < e && *p == ':')
        p++;
    if (dig(p, e, 2, &m)) {
        if (m > 59)
            return false;
        p += 2;
    }
    *off = sign * (h * 3600 + m * 60);
    *pp = p;
    return true;
}

/* "2024-01-02T03:04:05[.f][zone]" (T or space) at *pp. */
static bool iso_at(const char **pp, const char *e, lr_syslog *s)
{
    const char *p = *pp;
    if (!dig(p, e, 4, &s->year) || p + 10 > e || p[4] != '-' || !dig(p + 5, e, 2, &s->mon) ||
        p[7] != '-' || !dig(p + 8, e, 2, &s->day) || s->mon < 1 || s->mon > 12 || s->day < 1 ||
        s->day > 31 || p + 11 > e || (p[10] != 'T' && p[10] != ' '))
        return false;
    p += 11;
    if (!clock_at(&p, e, s))
        return false;
    s->has_year = true;
    s->has_zone = zone_at(&p, e, &s->zone);
    *pp = p;
    return true;
}

static bool tagch(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == '/';
}

/* "prog[pid]:" or "prog:" at p (a word ending at e); fills program and pid. */
static bool tag_of(const char *p, const char *e, lr_syslog *s)
{
    const char *q = p;
    while (q < e && tagch(*q))
        q++;
    if (q == p || q - p > 64)
        return false;
    const char *pe = q;
    lr_str pid = {0};
    if (q < e && *q == '[') {
        const char *b = ++q;
        while (q < e && *q != ']')
            q++;
        if (q >= e)
            return false;
        pid = lr_s(b, (size_t)(q - b));
        q++;
    }
    if (q + 1 != e || *q != ':')
        return false;
    s->program = lr_s(p, (size_t)(pe - p));
    s->pid = pid;
    return true;
}

static const char *skip_sp(const char *p, const char *e)
{
    while (p < e && *p == ' ')
        p++;
    return p;
}

static const char *word_end(const char *p, const char *e)
{
    while (p < e && *p != ' ')
        p++;
    return p;
}

/* host, then "prog[pid]: " (either may be missing) and the message. */
static void rest_3164(const char *p, const char *e, lr_syslog *s)
{
    p = skip_sp(p, e);
    const char *w1 = p, *w1e = word_end(p, e);
    if (w1e > w1 && tag_of(w1, w1e, s)) {
        p = skip_sp(w1e, e);
    } else if (w1e > w1) {
        s->host = lr_s(w1, (size_t)(w1e - w1));
        p = skip_sp(w1e, e);
        const char *w2e = word_end(p, e);
        if (w2e > p && tag_of(p, w2e, s))
            p = skip_sp(w2e, e);
    }
    s->msg = p;
    s->msg_len = (size_t)(e - p);
}

static void rest_5424(const char *p, const char *e, lr_syslog *s)
{
    /* HOST APP PROCID MSGID SD MSG */
    lr_str f[4];
    for (int i = 0; i < 4; i++) {
        p = skip_sp(p, e);
        const char *we = word_end(p, e);
        f[i] = lr_s(p, (size_t)(we - p));
        if (lr_eq(f[i], "-"))
            f[i].n = 0;
        p = we;
    }
    s->host = f[0];
    s->program = f[1];
    s->pid = f[2];
    p = skip_sp(p, e);
    /* structured data: "-" or one or more [id k="v" ...] (']' and '"'
     * escaped with a backslash inside values) */
    if (p < e && *p == '-') {
        p++;
    } else {
        while (p < e && *p == '[') {
            bool quoted = false;
            p++;
            while (p < e) {
                if (*p == '\\' && p + 1 < e) {
                    p += 2;
                    continue;
                }
                if (*p == '"')
                    quoted = !quoted;
                else if (*p == ']' && !quoted)
                    break;
                p++;
            }
            if (p < e)
                p++;
        }
    }
    p = skip_sp(p, e);
    /* a UTF-8 byte order mark before the message */
    if (e - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;
    s->msg = p;
    s->msg_len = (size_t)(e - p);
}

void lr_syslog_parse(const char *p, size_t n, lr_syslog *s)
{
    memset(s, 0, sizeof *s);
    s->pri = -1;
    const char *e = p + n;
    s->msg = p;
    s->msg_len = n;
    if (p < e && *p == '<') {
        const char *q = p + 1;
        int v = 0, k = 0;
        while (q < e && *q >= '0' && *q <= '9' && k < 3) {
            v = v * 10 + (*q - '0');
            q++;
            k++;
        }
        if (k > 0 && q < e && *q == '>' && v <= 191) {
            s->pri = v;
            p = q + 1;
            s->msg = p;
            s->msg_len = (size_t)(e - p);
        }
    }
    /* RFC 5424: VERSION SP TIMESTAMP */
    if (s->pri >= 0 && e - p >= 2 && p[0] >= '1' && p[0] <= '9' && p[1] == ' ') {
        const char *q = p + 2;
        bool iso = iso_at(&q, e, s);
        if (!iso) {
            s->year = s->mon = s->day = 0;
            s->has_year = s->has_zone = false;
        }
        if (iso || (q < e && *q == '-' && (q + 1 == e || q[1] == ' '))) {
            if (!iso)
                q++;
            s->ok = true;
            rest_5424(q, e, s);
            return;
        }
    }
    /* ISO timestamp in front */
    if (e - p >= 19 && p[4] == '-') {
        const char *q = p;
        if (iso_at(&q, e, s) && (q == e || *q == ' ')) {
            s->ok = true;
            rest_3164(q, e, s);
            return;
        }
        s->year = s->mon = s->day = 0;
        s->has_year = s->has_zone = false;
    }
    /* RFC 3164: "Mmm dd hh:mm:ss" or "Mmm dd yyyy hh:mm:ss" */
    if (e - p >= 15 && p[3] == ' ') {
        int mon = lr_month(p);
        if (mon == 0)
            return;
        const char *q = p + 4;
        int day;
        if (*q == ' ')
            q++;
        if (dig(q, e, 2, &day))
            q += 2;
        else if (dig(q, e, 1, &day))
            q += 1;
        else
            return;
        if (day < 1 || day > 31 || q >= e || *q != ' ')
            return;
        q++;
        int year;
        if (dig(q, e, 4, &year) && q + 4 < e && q[4] == ' ') {
            s->year = year;
            s->has_year = true;
            q += 5;
        }
        if (!clock_at(&q, e, s) || (q < e && *q != ' ')) {
            s->year = 0;
            s->has_year = false;
            return;
        }
        s->mon = mon;
        s->day = day;
        s->ok = true;
        rest_3164(q, e, s);
    }
}

/* --- zones --- */

bool lr_tz_known(const char *zone)
{
    if (!zone || !*zone || strlen(zone) > 64)
        return false;
    if (strcmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0)
        return true;
    const char *q = zone;
    int32_t off;
    if (zone_at(&q, zone + strlen(zone), &off) && *q == 0)
        return true;
    if (zone[0] == '/' || strstr(zone, ".."))
        return false;
    for (const char *c = zone; *c; c++)
        if (!tagch(*c) && *c != '+')
            return false;
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The zone's offset (seconds east) at civil time t (seconds, as if UTC). */
static int32_t offset_at(mm_logctx *cx, int64_t t)
{
    if (cx->tz_fixed)
        return cx->tz_fixed_off;
    int64_t hour = t >= 0 ? t / 3600 : -((-t + 3599) / 3600);
    if (hour == cx->tz_hour)
        return cx->tz_off;
    struct tm tm;
    time_t g = (time_t)t;
    int32_t off1 = 0, off2 = 0;
    if (localtime_r(&g, &tm))
        off1 = (int32_t)tm.tm_gmtoff;
    g = (time_t)(t - off1);
    if (localtime_r(&g, &tm))
        off2 = (int32_t)tm.tm_gmtoff;
    cx->tz_hour = hour;
    cx->tz_off = off2;
    return off2;
}

void lr_set_time(mm_logctx *cx, mm_logrec *r, int year, int mon, int day, int hour, int min,
                 int sec, int32_t usec, bool has_zone, int32_t zone)
{
    if (mon < 1 || mon > 12 || day < 1 || day > 31)
        return;
    if (year == 0) {
        if (cx->opt && cx->opt->year) {
            if (cx->year_cur == 0)
                cx->year_cur = cx->opt->year;
            else if (cx->last_mon && mon + 6 < cx->last_mon)
                cx->year_cur++;       /* December -> January */
            cx->last_mon = mon;
            year = cx->year_cur;
        } else {
            year = cx->ref_year;
            if (mm_days_from_civil(year, (unsigned)mon, (unsigned)day) > cx->ref_days + 1)
                year--;
        }
    }
    int64_t civil = mm_days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 +
                    hour * 3600 + min * 60 + sec;
    int32_t off = has_zone ? zone : offset_at(cx, civil);
    r->ts_us = (civil - off) * 1000000 + usec;
    r->tzoff = off;
    r->has_ts = true;
}

bool lr_time_syslog(mm_logctx *cx, mm_logrec *r, const lr_line *l)
{
    const lr_syslog *s = l->sys;
    if (!s || !s->ok || s->mon == 0)
        return false;
    lr_set_time(cx, r, s->has_year ? s->year : 0, s->mon, s->day, s->hour, s->min, s->sec,
                s->usec, s->has_zone, s->zone);
    return r->has_ts;
}
