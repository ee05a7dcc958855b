/*
 * stix.c - STIX 2.1 bundles (or one object, or a list of objects) as
 * indicators, read one object at a time; and the JSON-element helpers
 * the MISP and ThreatFox readers share.
 *
 * How it works: jsplit hands each element of the bundle's "objects" (or
 * of a top-level list) to stix_object, which parses it with jread:
 *
 *   indicator      pattern_type "stix" (or none, as in STIX 2.0): the
 *                  pattern goes to stix_pattern_eval; each value it maps
 *                  becomes an indicator with the object's name (or
 *                  description), TLP (the standard marking-definition ids
 *                  of STIX 2.1 and of the TLP 2.0 extension, or a TLP
 *                  marking-definition met earlier in the bundle), confidence,
 *                  created / modified (first / last seen), valid_from /
 *                  valid_until; past valid_until (opts.now_us) it is
 *                  counted expired; revoked ones and other pattern types
 *                  are skipped with a word to the sink;
 *   observed-data  the SCOs of its "objects" dictionary (STIX 2.0 form);
 *                  with only object_refs, the SCOs are in the bundle;
 *   SCOs           ipv4-addr, ipv6-addr, domain-name, url, email-addr
 *                  (value), file (hashes, name), email-message (subject);
 *   anything else  counted as skipped.
 *
 * A document whose root object has no "objects" list is read again as
 * one object (a file is rewound; one that cannot be is an error).
 */
#include "ioc/stix_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/util.h"

/* ---- shared helpers ---- */

void ioc_rd_init(ioc_rd *r, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                 mm_ioc_read_stats *st)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->s = s;
    r->st = st;
    jr_init(&r->doc, IOC_RD_MAX_TOKENS);
}

void ioc_rd_free(ioc_rd *r)
{
    jr_free(&r->doc);
}

bool ioc_rd_parse(ioc_rd *r, const js_elem *e)
{
    char where[64], why[160];
    snprintf(where, sizeof where, "element at byte %llu", (unsigned long long)e->at);
    if (e->why) {
        snprintf(why, sizeof why, "%s (%s)", e->why, "skipped, not read");
        mm_ioc_bad(r->s, r->st, where, why);
        return false;
    }
    if (jr_parse(&r->doc, e->s, e->n) < 0) {
        snprintf(why, sizeof why, "not JSON: %s", r->doc.err);
        mm_ioc_bad(r->s, r->st, where, why);
        return false;
    }
    return true;
}

int ioc_split(js_split *j, int fd, const char *d, size_t n, char *err, size_t errlen)
{
    return fd >= 0 ? js_split_fd(j, fd, err, errlen) : js_split_mem(j, d, n, err, errlen);
}

bool ioc_rewind(int fd, long long off)
{
    return off >= 0 && lseek(fd, (off_t)off, SEEK_SET) == (off_t)off;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

int64_t ioc_json_time(const jr_doc *d, int tok)
{
    int64_t v = 0, us = 0;
    char b[64];
    if (tok < 0)
        return 0;
    if (jr_i64(d, tok, &v))
        return (v > 0 && v < INT64_MAX / 1000000) ? v * 1000000 : 0;
    if (!jr_str(d, tok, b, sizeof b))
        return 0;
    size_t l = strlen(b);
    if (l > 4 && !strcmp(b + l - 4, " UTC"))
        b[l - 4] = 0;
    if (all_digits(b) && strlen(b) <= 12) {
        v = strtoll(b, NULL, 10);
        return v > 0 ? v * 1000000 : 0;
    }
    return mm_parse_iso_ts(b, &us) ? us : 0;
}

int ioc_json_conf(const jr_doc *d, int tok)
{
    int64_t v;
    char b[16];
    if (tok < 0)
        return -1;
    if (!jr_i64(d, tok, &v)) {
        if (!jr_str(d, tok, b, sizeof b) || !all_digits(b) || strlen(b) > 3)
            return -1;
        v = strtoll(b, NULL, 10);
    }
    return (v >= 0 && v <= 100) ? (int)v : -1;
}

bool ioc_json_value(const jr_doc *d, int tok, char *out, size_t outlen, size_t *n)
{
    if (tok < 0 || (uint32_t)tok >= d->nt || d->t[tok].type != JR_STR || !outlen)
        return false;
    const jr_tok *t = &d->t[tok];
    size_t raw = t->end - t->start;
    if (raw >= outlen)
        return false;
    if (t->esc)
        for (size_t i = t->start; i + 1 < t->end; i++)
            if (d->s[i] == '\\') {
                if (t->end - i >= 6 && !memcmp(d->s + i + 1, "u0000", 5))
                    return false;
                i++;   /* the escaped character */
            }
    if (!jr_str(d, tok, out, outlen))
        return false;
    *n = strlen(out);
    return true;
}

int ioc_emit(ioc_rd *r, const mm_ioc *base, mm_ioc_type t, const char *v, size_t n,
             const char *where)
{
    int rc = mm_ioc_emit(r->s, r->st, base, t, v, n, where);
    if (rc)
        r->stop = rc;
    return rc;
}

void ioc_skip_note(ioc_rd *r, const char *where, const char *why)
{
    r->st->skipped++;
    if (r->s && r->s->bad)
        r->s->bad(r->s->user, where, why);
}

void ioc_clean_copy(char *out, size_t outlen, const char *s)
{
    size_t k = 0;
    if (!outlen)
        return;
    for (; s && s[k] && k + 1 < outlen; k++) {
        unsigned char c = (unsigned char)s[k];
        out[k] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    out[k] = 0;
}

/* ---- STIX ---- */

/* TLP marking-definition ids: STIX 2.1 section 7.2.1.4 (TLP 1.0) and the
 * OASIS TLP 2.0 extension (cti-stix-common-objects), least to most
 * restrictive within each. rank: 1 clear (white), 2 green, 3 amber,
 * 4 amber+strict, 5 red (tlp_names). */
static const struct {
    const char *id;
    int rank;
} tlp_ids[] = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", 1},  /* TLP:WHITE */
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", 2},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", 3},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", 5},
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", 1},  /* TLP 2.0 */
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", 2},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", 3},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", 4},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", 5},
};

static const char *const tlp_names[] = {NULL, "clear", "green", "amber", "amber+strict", "red"};

#define STIX_MARKS 64

typedef struct stix_ctx {
    ioc_rd rd;
    char where[128];
    mm_ioc base;
    char desc[512];
    /* TLP marking definitions of the bundle itself (other ids than the
     * standard ones), as met: they are used by the objects after them */
    struct {
        char id[80];
        int rank;
    } marks[STIX_MARKS];
    unsigned nmarks;
} stix_ctx;

/* "amber", "TLP:AMBER+STRICT", "white" -> 1..5, 0 when none. */
static int tlp_word_rank(const char *w)
{
    if (!strncasecmp(w, "tlp:", 4))
        w += 4;
    if (!strcasecmp(w, "white") || !strcasecmp(w, "clear"))
        return 1;
    if (!strcasecmp(w, "green"))
        return 2;
    if (!strcasecmp(w, "amber"))
        return 3;
    if (!strcasecmp(w, "amber+strict"))
        return 4;
    return strcasecmp(w, "red") ? 0 : 5;
}

/* A marking-definition that is a TLP: remembered by id. STIX 2.1 form
 * (definition_type "tlp", definition.tlp) and the forms producers write
 * (definition.TLP "TLP:AMBER+STRICT", or only a name "TLP:RED"). */
static void stix_marking(stix_ctx *c, int obj)
{
    const jr_doc *d = &c->rd.doc;
    char v[48], id[80];
    int rank = 0, dt = jr_member(d, obj, "definition_type");
    if (dt >= 0 && jr_str(d, dt, v, sizeof v) && !strcasecmp(v, "tlp")) {
        int def = jr_member(d, obj, "definition");
        if (jr_str(d, jr_member(d, def, "tlp"), v, sizeof v) ||
            jr_str(d, jr_member(d, def, "TLP"), v, sizeof v))
            rank = tlp_word_rank(v);
    }
    if (!rank && jr_str(d, jr_member(d, obj, "name"), v, sizeof v) && !strncasecmp(v, "TLP:", 4))
        rank = tlp_word_rank(v);
    if (!rank || c->nmarks >= STIX_MARKS || !jr_str(d, jr_member(d, obj, "id"), id, sizeof id))
        return;
    for (size_t k = 0; k < sizeof tlp_ids / sizeof tlp_ids[0]; k++)
        if (!strcmp(id, tlp_ids[k].id))
            return;    /* a standard one: its meaning is fixed */
    snprintf(c->marks[c->nmarks].id, sizeof c->marks[0].id, "%s", id);
    c->marks[c->nmarks++].rank = rank;
}

static int marking_rank(const stix_ctx *c, const char *id)
{
    for (size_t k = 0; k < sizeof tlp_ids / sizeof tlp_ids[0]; k++)
        if (!strcmp(id, tlp_ids[k].id))
            return tlp_ids[k].rank;
    for (unsigned k = 0; k < c->nmarks; k++)
        if (!strcmp(id, c->marks[k].id))
            return c->marks[k].rank;
    return 0;
}

/* The most restrictive TLP among the object's marking refs, or NULL. */
static const char *stix_tlp(const stix_ctx *c, int obj)
{
    const jr_doc *d = &c->rd.doc;
    int refs = jr_member(d, obj, "object_marking_refs"), best = 0;
    char id[80];
    if (refs < 0 || d->t[refs].type != JR_ARR)
        return NULL;
    for (uint32_t e = (uint32_t)refs + 1; e < d->t[refs].next; e = d->t[e].next) {
        int r = jr_str(d, (int)e, id, sizeof id) ? marking_rank(c, id) : 0;
        if (r > best)
            best = r;
    }
    return tlp_names[best];
}

static bool type_is(const jr_doc *d, int obj, const char *type)
{
    return jr_eq(d, jr_member(d, obj, "type"), type);
}

static void set_where(stix_ctx *c, int obj, uint64_t at)
{
    char id[128];
    if (jr_str(&c->rd.doc, jr_member(&c->rd.doc, obj, "id"), id, sizeof id) && id[0])
        ioc_clean_copy(c->where, sizeof c->where, id);
    else
        snprintf(c->where, sizeof c->where, "object at byte %llu", (unsigned long long)at);
}

/* The indicator fields every object gives; titled: its name or description
 * describes it (an indicator; an SCO's name is a value). */
static void base_from(stix_ctx *c, int obj, bool titled)
{
    const jr_doc *d = &c->rd.doc;
    char tmp[512];
    memset(&c->base, 0, sizeof c->base);
    c->base.source = c->rd.o ? c->rd.o->source : NULL;
    c->base.confidence = ioc_json_conf(d, jr_member(d, obj, "confidence"));
    c->base.to_ids = true;
    c->base.ref = c->where;
    c->base.tlp = stix_tlp(c, obj);
    c->base.first_seen = ioc_json_time(d, jr_member(d, obj, "created"));
    c->base.last_seen = ioc_json_time(d, jr_member(d, obj, "modified"));
    c->desc[0] = 0;
    if (!titled)
        return;
    if (jr_str(d, jr_member(d, obj, "name"), tmp, sizeof tmp) ||
        jr_str(d, jr_member(d, obj, "description"), tmp, sizeof tmp)) {
        ioc_clean_copy(c->desc, sizeof c->desc, tmp);
        c->base.desc = c->desc[0] ? c->desc : NULL;
    }
}

/* The string member key of obj emitted as type t. */
static int emit_member(stix_ctx *c, int obj, const char *key, mm_ioc_type t)
{
    const jr_doc *d = &c->rd.doc;
    int tok = jr_member(d, obj, key);
    char v[MM_IOC_VALUE_MAX + 2];
    size_t n;
    if (tok < 0)
        return 0;
    if (!ioc_json_value(d, tok, v, sizeof v, &n)) {
        char why[96];
        snprintf(why, sizeof why, "%s is not a string, too long, or holds a NUL", key);
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, why);
        return 0;
    }
    return ioc_emit(&c->rd, &c->base, t, v, n, c->where);
}

/* file hashes: MD5, SHA-1, SHA-256 (other algorithms are not matched). */
static int emit_hashes(stix_ctx *c, int obj, uint64_t *n)
{
    const jr_doc *d = &c->rd.doc;
    int h = jr_member(d, obj, "hashes");
    static const struct {
        const char *k;
        mm_ioc_type t;
    } algs[] = {{"MD5", IOC_MD5},         {"SHA-1", IOC_SHA1}, {"SHA1", IOC_SHA1},
                {"SHA-256", IOC_SHA256}, {"SHA256", IOC_SHA256}};
    if (h < 0 || d->t[h].type != JR_OBJ)
        return 0;
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (jr_member(d, h, algs[i].k) >= 0) {
            (*n)++;
            int r = emit_member(c, h, algs[i].k, algs[i].t);
            if (r)
                return r;
        }
    return 0;
}

/* One cyber-observable object; *n counts the values found. */
static int stix_sco(stix_ctx *c, int obj, uint64_t *n)
{
    const jr_doc *d = &c->rd.doc;
    static const struct {
        const char *type;
        mm_ioc_type t;
    } simple[] = {{"ipv4-addr", IOC_IPV4}, {"ipv6-addr", IOC_IPV6}, {"domain-name", IOC_DOMAIN},
                  {"url", IOC_URL},        {"email-addr", IOC_EMAIL}};
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (type_is(d, obj, simple[i].type)) {
            (*n)++;
            return emit_member(c, obj, "value", simple[i].t);
        }
    if (type_is(d, obj, "file")) {
        int r = emit_hashes(c, obj, n);
        if (r || jr_member(d, obj, "name") < 0)
            return r;
        (*n)++;
        return emit_member(c, obj, "name", IOC_FILENAME);
    }
    if (type_is(d, obj, "windows-registry-key") && jr_member(d, obj, "key") >= 0) {
        (*n)++;
        return emit_member(c, obj, "key", IOC_REGKEY);
    }
    if (type_is(d, obj, "email-message") && jr_member(d, obj, "subject") >= 0) {
        (*n)++;
        return emit_member(c, obj, "subject", IOC_SUBJECT);
    }
    return 0;
}

static int sp_value(void *u, mm_ioc_type t, const char *v, size_t n)
{
    stix_ctx *c = u;
    return ioc_emit(&c->rd, &c->base, t, v, n, c->where) ? 1 : 0;
}

static void sp_unsupported(void *u, const char *why)
{
    stix_ctx *c = u;
    mm_ioc_bad(c->rd.s, c->rd.st, c->where, why);
}

static void sp_loosened(void *u, const char *why)
{
    stix_ctx *c = u;
    if (c->rd.s && c->rd.s->bad)
        c->rd.s->bad(c->rd.s->user, c->where, why);
}

static int stix_indicator(stix_ctx *c, int obj)
{
    const jr_doc *d = &c->rd.doc;
    int pt = jr_member(d, obj, "pattern_type"), pat = jr_member(d, obj, "pattern");
    char why[160], ptype[32];
    if (pt >= 0 && !jr_eq(d, pt, "stix")) {
        if (!jr_str(d, pt, ptype, sizeof ptype))
            snprintf(ptype, sizeof ptype, "?");
        char clean[32];
        ioc_clean_copy(clean, sizeof clean, ptype);
        snprintf(why, sizeof why, "pattern_type \"%s\" is not read (only \"stix\")", clean);
        ioc_skip_note(&c->rd, c->where, why);
        return 0;
    }
    int rv = jr_member(d, obj, "revoked");
    if (rv >= 0 && d->t[rv].type == JR_BOOL && d->s[d->t[rv].start] == 't') {
        ioc_skip_note(&c->rd, c->where, "revoked indicator");
        return 0;
    }
    base_from(c, obj, true);
    c->base.valid_from = ioc_json_time(d, jr_member(d, obj, "valid_from"));
    c->base.valid_until = ioc_json_time(d, jr_member(d, obj, "valid_until"));
    if (c->rd.o && c->rd.o->now_us && c->base.valid_until &&
        c->base.valid_until < c->rd.o->now_us) {
        c->rd.st->expired++;
        return 0;
    }
    if (pat < 0 || d->t[pat].type != JR_STR) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, "indicator without a pattern string");
        return 0;
    }
    size_t plen = (size_t)(d->t[pat].end - d->t[pat].start) + 1, pn;
    char *p = malloc(plen);
    if (!p) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, "out of memory for the pattern");
        return 0;
    }
    if (!ioc_json_value(d, pat, p, plen, &pn)) {
        free(p);
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, "pattern holds a NUL");
        return 0;
    }
    sp_out o = {sp_value, sp_unsupported, sp_loosened, c};
    char err[192];
    int r = stix_pattern_eval(p, pn, &o, err, sizeof err);
    free(p);
    if (r < 0) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, err);
        return 0;
    }
    return r;
}

static int stix_observed(stix_ctx *c, int obj)
{
    jr_doc *d = &c->rd.doc;
    int objs = jr_member(d, obj, "objects");
    uint64_t n = 0;
    base_from(c, obj, false);
    int64_t fo = ioc_json_time(d, jr_member(d, obj, "first_observed"));
    int64_t lo = ioc_json_time(d, jr_member(d, obj, "last_observed"));
    if (fo)
        c->base.first_seen = fo;
    if (lo)
        c->base.last_seen = lo;
    if (objs < 0 || d->t[objs].type != JR_OBJ) {
        c->rd.st->skipped++;    /* object_refs: the SCOs are objects of the bundle */
        return 0;
    }
    /* members alternate key, value */
    for (uint32_t k = (uint32_t)objs + 1; k < d->t[objs].next; k = d->t[k + 1].next) {
        int v = (int)k + 1;
        if (d->t[v].type != JR_OBJ)
            continue;
        int r = stix_sco(c, v, &n);
        if (r)
            return r;
    }
    if (n == 0)
        ioc_skip_note(&c->rd, c->where, "observed-data with no observable we match");
    return 0;
}

static int stix_object(stix_ctx *c, const js_elem *e)
{
    if (!ioc_rd_parse(&c->rd, e))
        return 0;
    jr_doc *d = &c->rd.doc;
    if (d->t[0].type != JR_OBJ) {
        mm_ioc_bad(c->rd.s, c->rd.st, "stix", "an element of objects is not an object");
        return 0;
    }
    set_where(c, 0, e->at);
    int ty = jr_member(d, 0, "type");
    if (ty < 0 || d->t[ty].type != JR_STR) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, "not a STIX object: no type");
        return 0;
    }
    if (type_is(d, 0, "indicator"))
        return stix_indicator(c, 0);
    if (type_is(d, 0, "observed-data"))
        return stix_observed(c, 0);
    if (type_is(d, 0, "marking-definition")) {
        stix_marking(c, 0);
        c->rd.st->skipped++;
        return 0;
    }
    if (type_is(d, 0, "bundle")) {
        mm_ioc_bad(c->rd.s, c->rd.st, c->where, "bundle without an objects list");
        return 0;
    }
    uint64_t n = 0;
    base_from(c, 0, false);
    int r = stix_sco(c, 0, &n);
    if (n == 0)
        c->rd.st->skipped++;
    return r;
}

static int stix_elem(void *u, const js_elem *e)
{
    stix_ctx *c = u;
    int r = stix_object(c, e);
    return (r || c->rd.stop) ? 1 : 0;   /* the sink said stop (never -1: that is an error) */
}

int stix_stream(int fd, const char *d, size_t n, const mm_ioc_read_opts *o,
                const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    static const char *const paths[] = {"objects[]", "[]"};
    static const char *const root[] = {""};
    stix_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ioc_rd_init(&c->rd, o, s, st);
    long long start = fd >= 0 ? (long long)lseek(fd, 0, SEEK_CUR) : 0;
    js_split j = {paths, 2, 0, 0, stix_elem, c, 0, 0, 0, 0, 0};
    int r = ioc_split(&j, fd, d, n, err, errlen);
    if (r == 0 && j.root == '{' && j.containers == 0) {
        /* one object, not a bundle */
        if (fd >= 0 && !ioc_rewind(fd, start)) {
            snprintf(err, errlen, "a single STIX object in a file that cannot be rewound");
            r = -1;
        } else {
            js_split j1 = {root, 1, 0, 0, stix_elem, c, 0, 0, 0, 0, 0};
            r = ioc_split(&j1, fd, d, n, err, errlen);
        }
    } else if (r == 0 && j.root != '{' && j.root != '[') {
        snprintf(err, errlen, "not STIX: the document is not an object or a list");
        r = -1;
    }
    ioc_rd_free(&c->rd);
    free(c);
    return r < 0 ? -1 : 0;
}

int mm_ioc_read_stix(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                     mm_ioc_read_stats *st, char *err, size_t errlen)
{
    return stix_stream(-1, d, n, o, s, st, err, errlen);
}

int mm_ioc_stream_json(int fd, mm_ioc_format f, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                       mm_ioc_read_stats *st, char *err, size_t errlen)
{
    switch (f) {
    case IOC_FMT_STIX:
        return stix_stream(fd, NULL, 0, o, s, st, err, errlen);
    case IOC_FMT_MISP:
        return misp_stream(fd, NULL, 0, o, s, st, err, errlen);
    case IOC_FMT_THREATFOX:
        return threatfox_stream(fd, NULL, 0, o, s, st, err, errlen);
    default:
        snprintf(err, errlen, "format %s is not a streamed JSON format", mm_ioc_format_name(f));
        return -1;
    }
}
