/*
 * threshold.c - Suricata's threshold.config (see threshold.h).
 *
 * It lives in detect/, not rules/: it filters alerts, it does not match
 * anything. Built-in detectors (detect.c) and rule alerts (det_rules.c)
 * both pass it on the one alert path, through the detect context's table
 * (mm_detect.th); the rule engine itself never calls it.
 */
#include "detect/threshold.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000ULL
#define TH_MAX_FILE (16u << 20)
#define TH_SLOTS 4096

enum { T_SUPPRESS, T_THRESHOLD, T_RATE };
enum { K_LIMIT, K_THRESHOLD, K_BOTH };
enum { TR_NONE, TR_SRC, TR_DST, TR_EITHER, TR_RULE, TR_BOTH };
enum { A_KEEP, A_PASS };

typedef struct th_entry {
    int type, kind, track, action;
    uint32_t gid, sid;
    uint64_t count, seconds, timeout;
    mm_netlist ips;             /* suppress with track: the hosts */
    bool has_ips;
} th_entry;

/* Counters per entry and tracked address(es): bounded, lossy. */
typedef struct th_slot {
    uint64_t key;
    uint64_t start;             /* window start */
    uint64_t count;
    uint64_t until;             /* rate_filter: new action holds until */
    bool done;                  /* both: alerted in this window */
} th_slot;

struct mm_thresholds {
    th_entry *e;
    size_t n, cap;
    th_slot *slot;              /* TH_SLOTS */
};

static void entry_free(th_entry *e)
{
    if (e->has_ips)
        mm_netlist_free(&e->ips);
}

void mm_thresholds_free(mm_thresholds *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        entry_free(&t->e[i]);
    free(t->e);
    free(t->slot);
    free(t);
}

size_t mm_thresholds_count(const mm_thresholds *t)
{
    return t ? t->n : 0;
}

/* --- parsing ----------------------------------------------------------------- */

static bool number(const char *v, uint64_t max, uint64_t *out)
{
    char *e;
    if (!isdigit((unsigned char)*v))
        return false;
    errno = 0;
    unsigned long long x = strtoull(v, &e, 10);
    if (errno || *e || x > max)
        return false;
    *out = x;
    return true;
}

/* "1.2.3.4", "10.0.0.0/8", "[a,b/24]", "$HOME_NET" into a netlist. */
static bool ip_list(const char *v, const mm_netlist *home, mm_netlist *out, char *why, size_t wn)
{
    char buf[4096];
    size_t l = strlen(v);
    if (l >= sizeof buf) {
        snprintf(why, wn, "ip list too long");
        return false;
    }
    if (strcmp(v, "$HOME_NET") == 0 || strcmp(v, "[$HOME_NET]") == 0) {
        if (!home || !home->n) {
            snprintf(why, wn, "$HOME_NET is empty");
            return false;
        }
        /* a copy the entry owns */
        out->n = home->n;
        out->v = malloc(home->n * sizeof home->v[0]);
        if (!out->v) {
            snprintf(why, wn, "out of memory");
            return false;
        }
        memcpy(out->v, home->v, home->n * sizeof home->v[0]);
        return true;
    }
    if (v[0] == '[') {
        if (l < 2 || v[l - 1] != ']') {
            snprintf(why, wn, "unclosed '[' in ip");
            return false;
        }
        memcpy(buf, v + 1, l - 2);
        buf[l - 2] = 0;
    } else {
        memcpy(buf, v, l + 1);
    }
    if (strchr(buf, '!') || strchr(buf, '$') || strchr(buf, '[')) {
        snprintf(why, wn, "ip '%s': only addresses, prefixes, lists of them and $HOME_NET", v);
        return false;
    }
    char err[256];
    if (!mm_netlist_parse(out, buf, err, sizeof err) || !out->n) {
        snprintf(why, wn, "ip '%s': %s", v, out->n ? err : "empty");
        mm_netlist_free(out);
        return false;
    }
    return true;
}

static bool track_name(const char *v, int *out)
{
    static const char *const names[] = {"", "by_src", "by_dst", "by_either", "by_rule", "by_both"};
    for (int i = 1; i < 6; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

/* One logical line (continuations joined, comment gone, trimmed). */
static bool parse_line(mm_thresholds *t, char *line, const mm_netlist *home, char *why, size_t wn)
{
    th_entry e;
    memset(&e, 0, sizeof e);
    char *p = line;
    size_t kl = strcspn(p, " \t");
    if (kl == 8 && strncmp(p, "suppress", 8) == 0)
        e.type = T_SUPPRESS;
    else if ((kl == 9 && strncmp(p, "threshold", 9) == 0) ||
             (kl == 12 && strncmp(p, "event_filter", 12) == 0))
        e.type = T_THRESHOLD;
    else if (kl == 11 && strncmp(p, "rate_filter", 11) == 0)
        e.type = T_RATE;
    else {
        snprintf(why, wn, "unknown command '%.*s' (suppress, threshold, event_filter, rate_filter)",
                 (int)(kl > 40 ? 40 : kl), p);
        return false;
    }
    p += kl;
    bool has_gid = false, has_sid = false, has_type = false, has_count = false,
         has_seconds = false, has_action = false, has_timeout = false, has_ip = false;
    char ipval[4096] = "";
    /* options: "name value" separated by commas (not those inside [...]) */
    for (char *opt = p, *next; opt; opt = next) {
        int depth = 0;
        char *c = opt;
        for (; *c && (*c != ',' || depth > 0); c++)
            depth += *c == '[' ? 1 : *c == ']' ? -1 : 0;
        next = *c ? c + 1 : NULL;
        *c = 0;
        while (isspace((unsigned char)*opt))
            opt++;
        char *end = opt + strlen(opt);
        while (end > opt && isspace((unsigned char)end[-1]))
            *--end = 0;
        if (!*opt)
            continue;
        char *sp = opt + strcspn(opt, " \t");
        if (!*sp) {
            snprintf(why, wn, "option '%.40s' has no value", opt);
            return false;
        }
        *sp++ = 0;
        while (isspace((unsigned char)*sp))
            sp++;
        const char *name = opt, *v = sp;
        uint64_t x;
        if (strcmp(name, "gen_id") == 0 && number(v, UINT32_MAX, &x)) {
            e.gid = (uint32_t)x;
            has_gid = true;
        } else if (strcmp(name, "sig_id") == 0 && number(v, UINT32_MAX, &x)) {
            e.sid = (uint32_t)x;
            has_sid = true;
        } else if (strcmp(name, "type") == 0 && e.type == T_THRESHOLD) {
            if (strcmp(v, "limit") == 0) e.kind = K_LIMIT;
            else if (strcmp(v, "threshold") == 0) e.kind = K_THRESHOLD;
            else if (strcmp(v, "both") == 0) e.kind = K_BOTH;
            else {
                snprintf(why, wn, "type '%.40s': limit, threshold or both", v);
                return false;
            }
            has_type = true;
        } else if (strcmp(name, "track") == 0) {
            if (!track_name(v, &e.track) || (e.type == T_SUPPRESS && e.track != TR_SRC &&
                                             e.track != TR_DST && e.track != TR_EITHER) ||
                (e.type != T_SUPPRESS && e.track == TR_EITHER)) {
                snprintf(why, wn, "track '%.40s' does not apply here", v);
                return false;
            }
        } else if (strcmp(name, "count") == 0 && number(v, 1000000000ULL, &x) && x) {
            e.count = x;
            has_count = true;
        } else if (strcmp(name, "seconds") == 0 && number(v, 100000000ULL, &x)) {
            e.seconds = x;
            has_seconds = true;
        } else if (strcmp(name, "timeout") == 0 && e.type == T_RATE && number(v, 100000000ULL, &x)) {
            e.timeout = x;
            has_timeout = true;
        } else if (strcmp(name, "new_action") == 0 && e.type == T_RATE) {
            if (strcmp(v, "pass") == 0)
                e.action = A_PASS;
            else if (strcmp(v, "alert") && strcmp(v, "drop") && strcmp(v, "reject") &&
                     strcmp(v, "sdrop") && strcmp(v, "log")) {
                snprintf(why, wn, "new_action '%.40s': alert, drop, pass, reject, sdrop or log", v);
                return false;
            }
            has_action = true;
        } else if (strcmp(name, "ip") == 0 && e.type == T_SUPPRESS) {
            snprintf(ipval, sizeof ipval, "%s", v);
            has_ip = true;
        } else {
            snprintf(why, wn, "bad option '%.40s %.40s'", name, v);
            return false;
        }
    }
    if (!has_gid || !has_sid) {
        snprintf(why, wn, "gen_id and sig_id are needed");
        return false;
    }
    if (e.type == T_SUPPRESS && (e.track != TR_NONE) != has_ip) {
        snprintf(why, wn, "suppress takes track and ip together, or neither");
        return false;
    }
    if (e.type == T_THRESHOLD && (!has_type || !e.track || !has_count || !has_seconds)) {
        snprintf(why, wn, "threshold needs type, track, count and seconds");
        return false;
    }
    if (e.type == T_RATE && (!e.track || !has_count || !has_seconds || !has_action || !has_timeout)) {
        snprintf(why, wn, "rate_filter needs track, count, seconds, new_action and timeout");
        return false;
    }
    if (has_ip) {
        if (!ip_list(ipval, home, &e.ips, why, wn))
            return false;
        e.has_ips = true;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        th_entry *ne = realloc(t->e, cap * sizeof *ne);
        if (!ne) {
            entry_free(&e);
            snprintf(why, wn, "out of memory");
            return false;
        }
        t->e = ne;
        t->cap = cap;
    }
    t->e[t->n++] = e;
    return true;
}

mm_thresholds *mm_thresholds_parse(const char *text, size_t n, const mm_netlist *home,
                                   char *err, size_t errlen)
{
    mm_thresholds *t = calloc(1, sizeof(*t));
    char *line = malloc(n + 1);
    if (!t || !line || !(t->slot = calloc(TH_SLOTS, sizeof(th_slot)))) {
        free(line);
        mm_thresholds_free(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    size_t ll = 0, lineno = 1, first = 1;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? text[i] : '\n';
        if (c != '\n') {
            if (c == '\0' || c == '\r')
                c = ' ';
            line[ll++] = c;
            continue;
        }
        /* a '\' at the end continues the line */
        size_t e = ll;
        while (e && (line[e - 1] == ' ' || line[e - 1] == '\t'))
            e--;
        if (e && line[e - 1] == '\\' && i < n) {
            ll = e - 1;
            line[ll++] = ' ';
            lineno++;
            continue;
        }
        line[ll] = 0;
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        char *z = s + strlen(s);
        while (z > s && isspace((unsigned char)z[-1]))
            *--z = 0;
        char why[256];
        if (*s && !parse_line(t, s, home, why, sizeof why)) {
            snprintf(err, errlen, "line %zu: %s", first, why);
            free(line);
            mm_thresholds_free(t);
            return NULL;
        }
        ll = 0;
        lineno++;
        first = lineno;
    }
    free(line);
    return t;
}

mm_thresholds *mm_thresholds_load(const char *path, const mm_netlist *home, char *err,
                                  size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(TH_MAX_FILE);
    size_t n = buf ? fread(buf, 1, TH_MAX_FILE, fp) : 0;
    bool big = buf && n == TH_MAX_FILE && fgetc(fp) != EOF;
    bool bad = !buf || ferror(fp);
    fclose(fp);
    if (bad || big) {
        snprintf(err, errlen, "%s: %s", path, big ? "larger than 16 MiB" : "cannot read");
        free(buf);
        return NULL;
    }
    char e2[400];
    mm_thresholds *t = mm_thresholds_parse(buf, n, home, e2, sizeof e2);
    free(buf);
    if (!t)
        snprintf(err, errlen, "%s: %s", path, e2);
    return t;
}

/* --- applying ------------------------------------------------------------------ */

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static th_slot *slot_for(mm_thresholds *t, size_t entry, uint32_t gid, uint32_t sid, int track,
                         const mm_ip *src, const mm_ip *dst)
{
    uint64_t h = mix(1469598103934665603ULL, &entry, sizeof entry);
    h = mix(h, &gid, sizeof gid);
    h = mix(h, &sid, sizeof sid);
    const mm_ip *a = src, *b = dst;
    if (track == TR_BOTH && memcmp(a, b, sizeof *a) > 0) {
        a = dst;                                /* one pair, either direction */
        b = src;
    }
    if (track == TR_SRC || track == TR_BOTH)
        h = mix(h, a->b, 16), h = mix(h, &a->v, 1);
    if (track == TR_DST)
        h = mix(h, b->b, 16), h = mix(h, &b->v, 1);
    if (track == TR_BOTH)
        h = mix(h, b->b, 16), h = mix(h, &b->v, 1);
    h |= 1;
    th_slot *s = &t->slot[h % TH_SLOTS];
    if (s->key != h) {
        memset(s, 0, sizeof(*s));
        s->key = h;
    }
    return s;
}

static bool matches(const th_entry *e, uint32_t gid, uint32_t sid)
{
    return (e->gid == 0 || e->gid == gid) && (e->sid == 0 || e->sid == sid);
}

bool mm_thresholds_allow(mm_thresholds *t, uint32_t gid, uint32_t sid, const mm_ip *src,
                         const mm_ip *dst, uint64_t ts)
{
    if (!t)
        return true;
    for (size_t i = 0; i < t->n; i++) {
        const th_entry *e = &t->e[i];
        if (e->type != T_SUPPRESS || !matches(e, gid, sid))
            continue;
        if (!e->has_ips)
            return false;
        if (((e->track == TR_SRC || e->track == TR_EITHER) && mm_netlist_contains(&e->ips, src)) ||
            ((e->track == TR_DST || e->track == TR_EITHER) && mm_netlist_contains(&e->ips, dst)))
            return false;
    }
    bool ok = true;
    for (size_t i = 0; i < t->n; i++) {
        const th_entry *e = &t->e[i];
        if (e->type == T_SUPPRESS || !matches(e, gid, sid))
            continue;
        th_slot *s = slot_for(t, i, gid, sid, e->track, src, dst);
        uint64_t w = e->seconds * NS;
        if (e->type == T_RATE && s->until && ts < s->until) {
            if (e->action == A_PASS)
                ok = false;                 /* the new action holds */
            continue;
        }
        if (!s->start || ts < s->start || ts - s->start > w) {
            s->start = ts ? ts : 1;         /* a new window */
            s->count = 0;
            s->until = 0;
            s->done = false;
        }
        if (e->type == T_RATE) {
            if (++s->count > e->count) {
                s->until = ts + e->timeout * NS;
                if (e->action == A_PASS)
                    ok = false;
            }
            continue;
        }
        s->count++;
        switch (e->kind) {
        case K_LIMIT:
            ok = ok && s->count <= e->count;
            break;
        case K_THRESHOLD:
            if (s->count >= e->count)
                s->count = 0;               /* every count-th alerts */
            else
                ok = false;
            break;
        default:                            /* both: once a window, after count */
            if (s->count >= e->count && !s->done)
                s->done = true;
            else
                ok = false;
            break;
        }
    }
    return ok;
}
