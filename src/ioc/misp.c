/*
 * misp.c - MISP event JSON and abuse.ch ThreatFox JSON as indicators,
 * read one attribute (or one ThreatFox entry) at a time.
 *
 * MISP (the event format of MISP's documentation and exports): an event
 * is {"Event": {...}}, a list of them, or {"response": [{"Event": ...}]};
 * the attribute search (restSearch) answers {"response": {"Attribute":
 * [...]}}, each attribute with its event's info in an "Event" member.
 * Its attributes are Event.Attribute[] and Event.Object[].Attribute[],
 * each with type, value (composite types "a|b" give both parts), to_ids,
 * category, comment, uuid, timestamp, first_seen / last_seen, deleted and
 * an own Tag list; the event gives info, uuid and Tag (tlp:*). Because
 * MISP writes Tag after the attributes, a pre-pass gathers each event's
 * info, uuid and TLP (a file that cannot be rewound gets what precedes
 * the attributes). Types that are not indicators we match (text, AS,
 * jarm, regkey, ...) are skipped and each such type is named once to the
 * sink.
 *
 * ThreatFox: based on abuse.ch's API documentation (threatfox.abuse.ch/
 * api: get_iocs answers {"query_status", "data": [{id, ioc, ioc_type,
 * threat_type, malware_printable, confidence_level, first_seen
 * "2020-12-08 13:36:27 UTC", last_seen, reference, tags [..]}]}) and on
 * the JSON data export (an object keyed by IOC id, each value a list of
 * objects with ioc_value, ioc_type, threat_type, malware_printable,
 * confidence_level, first_seen_utc, last_seen_utc, reference, tags as a
 * comma-separated string). Both are read by one path ("*[]": each element
 * of any top-level list). ioc_type: ip:port, domain, url, md5_hash,
 * sha1_hash, sha256_hash; others are skipped with a word.
 */
#include "ioc/stix_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MISP_MAX_EVENTS 65536
#define MISP_MAX_TYPES 128
#define MISP_SEARCH_PATH 15     /* "response.Attribute[]" in misp_stream's paths */

/* Attribute type parts: an indicator type, or one of these. */
enum { MT_IP = IOC__COUNT + 1, MT_DROP };

typedef struct misp_ev {
    char info[96];
    char uuid[40];
    int tlp;            /* rank, 0: none */
} misp_ev;

typedef struct misp_ctx {
    ioc_rd rd;
    bool meta_only;
    bool meta_done;     /* the pre-pass read the events' meta */
    misp_ev *ev;
    size_t nev;
    bool ev_full;       /* said once: more events than kept */
    char types[MISP_MAX_TYPES][48];
    unsigned ntypes;
    bool types_full;
    char where[80];
    char desc[512];
    mm_ioc base;
} misp_ctx;

static const char *const tlp_names[] = {NULL, "clear", "green", "amber", "amber+strict", "red"};

/* "tlp:amber" -> rank (1..5), 0 when not a TLP tag. */
static int tlp_rank(const char *tag)
{
    static const struct {
        const char *n;
        int r;
    } t[] = {{"tlp:white", 1}, {"tlp:clear", 1}, {"tlp:green", 2},
             {"tlp:amber", 3}, {"tlp:amber+strict", 4}, {"tlp:red", 5}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcasecmp(tag, t[i].n))
            return t[i].r;
    return 0;
}

/* The most restrictive TLP of a Tag list token, 0 when none. */
static int tags_tlp(const jr_doc *d, int tags)
{
    int best = 0;
    char name[64];
    if (tags < 0 || d->t[tags].type != JR_ARR)
        return 0;
    for (uint32_t e = (uint32_t)tags + 1; e < d->t[tags].next; e = d->t[e].next) {
        int r = 0;
        if (jr_str(d, jr_member(d, (int)e, "name"), name, sizeof name))
            r = tlp_rank(name);
        if (r > best)
            best = r;
    }
    return best;
}

static misp_ev *event_at(misp_ctx *c, uint64_t n)
{
    if (n >= MISP_MAX_EVENTS) {
        if (!c->ev_full) {
            c->ev_full = true;
            if (c->rd.s && c->rd.s->bad)
                c->rd.s->bad(c->rd.s->user, "misp",
                             "more than 65536 events: later events' info and TLP are not kept");
        }
        return NULL;
    }
    if (n >= c->nev) {
        size_t nn = c->nev ? c->nev : 16;
        while (nn <= n)
            nn *= 2;
        if (nn > MISP_MAX_EVENTS)
            nn = MISP_MAX_EVENTS;
        misp_ev *e = realloc(c->ev, nn * sizeof *e);
        if (!e)
            return NULL;
        memset(e + c->nev, 0, (nn - c->nev) * sizeof *e);
        c->ev = e;
        c->nev = nn;
    }
    return &c->ev[n];
}

/* Event.info, Event.uuid, one Event.Tag element. */
static void misp_meta(misp_ctx *c, unsigned kind, uint64_t event, const js_elem *e)
{
    misp_ev *m = event_at(c, event);
    if (!m || !ioc_rd_parse(&c->rd, e))
        return;
    jr_doc *d = &c->rd.doc;
    char tmp[128];
    if (kind == 2 && jr_str(d, 0, tmp, sizeof tmp)) {
        ioc_clean_copy(m->info, sizeof m->info, tmp);
    } else if (kind == 3 && jr_str(d, 0, tmp, sizeof tmp)) {
        ioc_clean_copy(m->uuid, sizeof m->uuid, tmp);
    } else if (kind == 4 && jr_str(d, jr_member(d, 0, "name"), tmp, sizeof tmp)) {
        int r = tlp_rank(tmp);
        if (r > m->tlp)
            m->tlp = r;
    }
}

/* ---- attribute types ---- */

static const struct {
    const char *type;
    int a, b;
} misp_types[] = {
    {"ip-src", MT_IP, 0},
    {"ip-dst", MT_IP, 0},
    {"ip-src|port", MT_IP, MT_DROP},
    {"ip-dst|port", MT_IP, MT_DROP},
    {"domain", IOC_DOMAIN, 0},
    {"hostname", IOC_DOMAIN, 0},
    {"domain|ip", IOC_DOMAIN, MT_IP},
    {"hostname|port", IOC_DOMAIN, MT_DROP},
    {"url", IOC_URL, 0},
    {"email", IOC_EMAIL, 0},
    {"email-src", IOC_EMAIL, 0},
    {"email-dst", IOC_EMAIL, 0},
    {"email-reply-to", IOC_EMAIL, 0},
    {"email-subject", IOC_SUBJECT, 0},
    {"email-attachment", IOC_FILENAME, 0},
    {"filename", IOC_FILENAME, 0},
    {"md5", IOC_MD5, 0},
    {"sha1", IOC_SHA1, 0},
    {"sha256", IOC_SHA256, 0},
    {"filename|md5", IOC_FILENAME, IOC_MD5},
    {"filename|sha1", IOC_FILENAME, IOC_SHA1},
    {"filename|sha256", IOC_FILENAME, IOC_SHA256},
    {"malware-sample", IOC_FILENAME, IOC_MD5},  /* its value is "name|md5" */
    {"ja3-fingerprint-md5", IOC_JA3, 0},
    {"user-agent", IOC_USER_AGENT, 0},
    {"regkey", IOC_REGKEY, 0},
    {"regkey|value", IOC_REGKEY, MT_DROP},     /* "key|data": the key; the data is not kept */
    {"x509-fingerprint-md5", IOC_MD5, 0},
    {"x509-fingerprint-sha1", IOC_SHA1, 0},
    {"x509-fingerprint-sha256", IOC_SHA256, 0},
};

/* Says once per type that it is not read. */
static void type_not_read(misp_ctx *c, const char *type, const char *where)
{
    char why[128];
    c->rd.st->skipped++;
    for (unsigned i = 0; i < c->ntypes; i++)
        if (!strcmp(c->types[i], type))
            return;
    if (c->ntypes < MISP_MAX_TYPES) {
        ioc_clean_copy(c->types[c->ntypes++], sizeof c->types[0], type);
        snprintf(why, sizeof why, "MISP type \"%s\" is not read as an indicator (said once)",
                 c->types[c->ntypes - 1]);
    } else if (!c->types_full) {
        c->types_full = true;
        snprintf(why, sizeof why, "more MISP types not read as indicators (not listed)");
    } else {
        return;
    }
    if (c->rd.s && c->rd.s->bad)
        c->rd.s->bad(c->rd.s->user, where, why);
}

static int emit_part(misp_ctx *c, int t, const char *v, size_t n)
{
    if (t == MT_DROP || t == 0)
        return 0;
    if (t == MT_IP)
        t = memchr(v, ':', n) ? IOC_IPV6 : IOC_IPV4;
    return ioc_emit(&c->rd, &c->base, (mm_ioc_type)t, v, n, c->where);
}

static bool truthy(const jr_doc *d, int tok, bool dflt)
{
    int64_t v;
    if (tok < 0)
        return dflt;
    if (d->t[tok].type == JR_BOOL)
        return d->s[d->t[tok].start] == 't';
    if (jr_i64(d, tok, &v))
        return v != 0;
    if (jr_eq(d, tok, "1") || jr_eq(d, tok, "true"))
        return true;
    if (jr_eq(d, tok, "0") || jr_eq(d, tok, "false"))
        return false;
    return dflt;
}

static void attr_desc(misp_ctx *c, const misp_ev *m, int a)
{
    const jr_doc *d = &c->rd.doc;
    char cat[64] = "", com[256] = "", tmp[256];
    if (jr_str(d, jr_member(d, a, "category"), tmp, sizeof cat))
        ioc_clean_copy(cat, sizeof cat, tmp);
    if (jr_str(d, jr_member(d, a, "comment"), tmp, sizeof tmp))
        ioc_clean_copy(com, sizeof com, tmp);
    snprintf(c->desc, sizeof c->desc, "%s%s%s%s%s%s", m && m->info[0] ? m->info : "",
             cat[0] ? " (" : "", cat, cat[0] ? ")" : "", com[0] ? ": " : "", com);
    const char *p = c->desc;
    while (*p == ' ')
        p++;
    c->base.desc = *p ? p : NULL;
}

/* One attribute object a of event m. */
static int misp_attr(misp_ctx *c, const misp_ev *m, int a, uint64_t at)
{
    const jr_doc *d = &c->rd.doc;
    char type[48], uuid[48], v[MM_IOC_VALUE_MAX * 2 + 4];
    if (d->t[a].type != JR_OBJ || truthy(d, jr_member(d, a, "deleted"), false)) {
        c->rd.st->skipped++;
        return 0;
    }
    if (jr_str(d, jr_member(d, a, "uuid"), uuid, sizeof uuid) && uuid[0])
        ioc_clean_copy(c->where, sizeof c->where, uuid);
    else
        snprintf(c->where, sizeof c->where, "attribute at byte %llu", (unsigned long long)at);
    if (!jr_str(d, jr_member(d, a, "type"), type, sizeof type)) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, "attribute without a type");
        return 0;
    }
    size_t k = 0;
    while (k < sizeof misp_types / sizeof misp_types[0] && strcmp(type, misp_types[k].type))
        k++;
    if (k == sizeof misp_types / sizeof misp_types[0]) {
        type_not_read(c, type, c->where);
        return 0;
    }
    size_t n;
    if (!ioc_json_value(d, jr_member(d, a, "value"), v, sizeof v, &n)) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where,
                   "attribute value not a string, too long, or holding a NUL");
        return 0;
    }
    memset(&c->base, 0, sizeof c->base);
    c->base.source = c->rd.o ? c->rd.o->source : NULL;
    c->base.ref = c->where;
    c->base.confidence = -1;
    c->base.to_ids = truthy(d, jr_member(d, a, "to_ids"), true);
    int tlp = tags_tlp(d, jr_member(d, a, "Tag"));
    c->base.tlp = tlp_names[tlp ? tlp : (m ? m->tlp : 0)];
    c->base.first_seen = ioc_json_time(d, jr_member(d, a, "first_seen"));
    c->base.last_seen = ioc_json_time(d, jr_member(d, a, "last_seen"));
    if (!c->base.last_seen)
        c->base.last_seen = ioc_json_time(d, jr_member(d, a, "timestamp"));
    attr_desc(c, m, a);
    if (misp_types[k].b) {
        const char *bar = memchr(v, '|', n);
        if (!bar) {
            mm_ioc_bad(c->rd.s, c->rd.st, c->where, "composite attribute without '|'");
            return 0;
        }
        size_t l = (size_t)(bar - v);
        int r = emit_part(c, misp_types[k].a, v, l);
        return r ? r : emit_part(c, misp_types[k].b, bar + 1, n - l - 1);
    }
    return emit_part(c, misp_types[k].a, v, n);
}

static int misp_object(misp_ctx *c, const misp_ev *m, uint64_t at)
{
    const jr_doc *d = &c->rd.doc;
    int attrs = jr_member(d, 0, "Attribute");
    if (d->t[0].type != JR_OBJ || truthy(d, jr_member(d, 0, "deleted"), false) || attrs < 0 ||
        d->t[attrs].type != JR_ARR) {
        c->rd.st->skipped++;
        return 0;
    }
    for (uint32_t e = (uint32_t)attrs + 1; e < d->t[attrs].next; e = d->t[e].next) {
        int r = misp_attr(c, m, (int)e, at);
        if (r)
            return r;
    }
    return 0;
}

/* restSearch's attribute list: each attribute carries its event's info
 * and uuid in an "Event" member (and its tags, event tags included, in
 * its own Tag list). */
static int misp_search_attr(misp_ctx *c, uint64_t at)
{
    const jr_doc *d = &c->rd.doc;
    misp_ev m;
    char tmp[128];
    memset(&m, 0, sizeof m);
    int ev = jr_member(d, 0, "Event");
    if (jr_str(d, jr_member(d, ev, "info"), tmp, sizeof tmp))
        ioc_clean_copy(m.info, sizeof m.info, tmp);
    if (jr_str(d, jr_member(d, ev, "uuid"), tmp, sizeof tmp))
        ioc_clean_copy(m.uuid, sizeof m.uuid, tmp);
    return misp_attr(c, &m, 0, at);
}

static int misp_elem(void *u, const js_elem *e)
{
    misp_ctx *c = u;
    if (e->path == MISP_SEARCH_PATH) {
        if (c->meta_only || !ioc_rd_parse(&c->rd, e))
            return 0;
        int r = misp_search_attr(c, e->at);
        return (r || c->rd.stop) ? 1 : 0;
    }
    unsigned kind = e->path % 5;
    uint64_t event = e->path < 5 ? 0 : e->outer;
    if (kind >= 2) {
        if (!c->meta_done)
            misp_meta(c, kind, event, e);
        return 0;
    }
    if (c->meta_only || !ioc_rd_parse(&c->rd, e))
        return 0;
    const misp_ev *m = event < c->nev ? &c->ev[event] : NULL;
    int r = kind == 0 ? misp_attr(c, m, 0, e->at) : misp_object(c, m, e->at);
    return (r || c->rd.stop) ? 1 : 0;   /* the sink said stop */
}

int misp_stream(int fd, const char *d, size_t n, const mm_ioc_read_opts *o,
                const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    static const char *const paths[] = {
        "Event.Attribute[]",           "Event.Object[]",           "Event.info",
        "Event.uuid",                  "Event.Tag[]",              "response[].Event.Attribute[]",
        "response[].Event.Object[]",   "response[].Event.info",    "response[].Event.uuid",
        "response[].Event.Tag[]",      "[].Event.Attribute[]",     "[].Event.Object[]",
        "[].Event.info",               "[].Event.uuid",            "[].Event.Tag[]",
        "response.Attribute[]"};
    misp_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ioc_rd_init(&c->rd, o, s, st);
    long long start = fd >= 0 ? (long long)lseek(fd, 0, SEEK_CUR) : 0;
    js_split j = {paths, 16, 0, 0, misp_elem, c, 0, 0, 0, 0, 0};
    int r = 0;
    if (start >= 0) {
        /* pre-pass: each event's info, uuid and TLP (Tag comes last); the
         * meta elements are read (and any bad one counted) here only */
        c->meta_only = true;
        r = ioc_split(&j, fd, d, n, err, errlen);
        c->meta_only = false;
        c->meta_done = true;
        if (r == 0 && fd >= 0 && !ioc_rewind(fd, start)) {
            snprintf(err, errlen, "cannot rewind the file for the second pass");
            r = -1;
        }
    }
    if (r == 0)
        r = ioc_split(&j, fd, d, n, err, errlen);
    if (r == 0 && j.containers == 0 && j.elements == 0 && j.refused == 0) {
        snprintf(err, errlen, "not MISP: no Event with attributes or objects");
        r = -1;
    }
    ioc_rd_free(&c->rd);
    free(c->ev);
    free(c);
    return r < 0 ? -1 : 0;
}

int mm_ioc_read_misp(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                     mm_ioc_read_stats *st, char *err, size_t errlen)
{
    return misp_stream(-1, d, n, o, s, st, err, errlen);
}

/* ---- ThreatFox ---- */

typedef struct tf_ctx {
    ioc_rd rd;
    char where[80];
    char desc[256];
    char types[32][24];
    unsigned ntypes;
} tf_ctx;

static const struct {
    const char *n;
    int t;
} tf_types[] = {{"ip:port", MT_IP},       {"domain", IOC_DOMAIN},
                {"url", IOC_URL},         {"md5_hash", IOC_MD5},
                {"sha1_hash", IOC_SHA1},  {"sha256_hash", IOC_SHA256}};

static int tf_str(const jr_doc *d, int obj, const char *k1, const char *k2, char *out,
                  size_t outlen)
{
    int t = jr_member(d, obj, k1);
    if (t < 0 && k2)
        t = jr_member(d, obj, k2);
    if (!jr_str(d, t, out, outlen))
        out[0] = 0;
    return t;
}

/* "1.2.3.4:443", "[2001:db8::1]:443" -> the address part. */
static size_t tf_host(const char *v, size_t n, const char **h)
{
    *h = v;
    if (n && v[0] == '[') {
        const char *e = memchr(v, ']', n);
        if (e) {
            *h = v + 1;
            return (size_t)(e - v - 1);
        }
    }
    const char *colon = memchr(v, ':', n);
    if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - v) - 1))
        return (size_t)(colon - v);
    return n;
}

static void tf_type_not_read(tf_ctx *c, const char *type)
{
    c->rd.st->skipped++;
    for (unsigned i = 0; i < c->ntypes; i++)
        if (!strcmp(c->types[i], type))
            return;
    if (c->ntypes >= 32)
        return;
    ioc_clean_copy(c->types[c->ntypes++], sizeof c->types[0], type);
    char why[96];
    snprintf(why, sizeof why, "ThreatFox ioc_type \"%s\" is not read (said once)",
             c->types[c->ntypes - 1]);
    if (c->rd.s && c->rd.s->bad)
        c->rd.s->bad(c->rd.s->user, c->where, why);
}

static int tf_entry(tf_ctx *c, const js_elem *e)
{
    const jr_doc *d = &c->rd.doc;
    char v[MM_IOC_VALUE_MAX + 2], type[24], id[32], mal[96], thr[48];
    if (d->t[0].type != JR_OBJ) {
        c->rd.st->skipped++;
        return 0;
    }
    tf_str(d, 0, "id", NULL, id, sizeof id);
    if (!id[0] && e->key[0] && strlen(e->key) < sizeof id)
        snprintf(id, sizeof id, "%s", e->key);
    if (id[0]) {
        char clean[32];
        ioc_clean_copy(clean, sizeof clean, id);
        snprintf(c->where, sizeof c->where, "threatfox:%s", clean);
    } else {
        snprintf(c->where, sizeof c->where, "entry at byte %llu", (unsigned long long)e->at);
    }
    int vt = jr_member(d, 0, "ioc_value");
    size_t n;
    if (!ioc_json_value(d, vt >= 0 ? vt : jr_member(d, 0, "ioc"), v, sizeof v, &n) || !n) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, "entry without a usable ioc_value");
        return 0;
    }
    tf_str(d, 0, "ioc_type", NULL, type, sizeof type);
    size_t k = 0;
    while (k < sizeof tf_types / sizeof tf_types[0] && strcmp(type, tf_types[k].n))
        k++;
    if (k == sizeof tf_types / sizeof tf_types[0]) {
        tf_type_not_read(c, type);
        return 0;
    }
    tf_str(d, 0, "malware_printable", "malware", mal, sizeof mal);
    tf_str(d, 0, "threat_type", NULL, thr, sizeof thr);
    char raw[256];
    snprintf(raw, sizeof raw, "%s%s%s%s", mal, thr[0] ? " (" : "", thr, thr[0] ? ")" : "");
    ioc_clean_copy(c->desc, sizeof c->desc, raw);
    mm_ioc b = {0};
    b.source = c->rd.o ? c->rd.o->source : NULL;
    b.desc = c->desc[0] ? c->desc : NULL;
    b.ref = c->where;
    b.to_ids = true;
    b.confidence = ioc_json_conf(d, jr_member(d, 0, "confidence_level"));
    int fs = jr_member(d, 0, "first_seen_utc");
    b.first_seen = ioc_json_time(d, fs >= 0 ? fs : jr_member(d, 0, "first_seen"));
    int ls = jr_member(d, 0, "last_seen_utc");
    b.last_seen = ioc_json_time(d, ls >= 0 ? ls : jr_member(d, 0, "last_seen"));
    int t = tf_types[k].t;
    if (t == MT_IP) {
        const char *h;
        n = tf_host(v, n, &h);
        t = memchr(h, ':', n) ? IOC_IPV6 : IOC_IPV4;
        return ioc_emit(&c->rd, &b, (mm_ioc_type)t, h, n, c->where);
    }
    return ioc_emit(&c->rd, &b, (mm_ioc_type)t, v, n, c->where);
}

static int tf_elem(void *u, const js_elem *e)
{
    tf_ctx *c = u;
    if (!ioc_rd_parse(&c->rd, e))
        return 0;
    int r = tf_entry(c, e);
    return (r || c->rd.stop) ? 1 : 0;
}

int threatfox_stream(int fd, const char *d, size_t n, const mm_ioc_read_opts *o,
                     const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    static const char *const paths[] = {"*[]"};
    tf_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ioc_rd_init(&c->rd, o, s, st);
    js_split j = {paths, 1, 0, 0, tf_elem, c, 0, 0, 0, 0, 0};
    int r = ioc_split(&j, fd, d, n, err, errlen);
    if (r == 0 && j.root != '{') {
        snprintf(err, errlen, "not a ThreatFox export: the document is not an object");
        r = -1;
    }
    ioc_rd_free(&c->rd);
    free(c);
    return r < 0 ? -1 : 0;
}

int mm_ioc_read_threatfox(const char *d, size_t n, const mm_ioc_read_opts *o,
                          const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    return threatfox_stream(-1, d, n, o, s, st, err, errlen);
}
