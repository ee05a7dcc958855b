/*
 * rule_engine.c - the loaded rules, grouped by inspection moment, with a
 * Hyperscan prefilter per inspection buffer (see rule_engine.h).
 *
 * Moments: a rule that inspects an app-layer buffer (http.uri, dns.query,
 * tls.sni ...) is checked when its protocol's parser has that buffer (a
 * complete HTTP request, a DNS query ...); a rule on the payload of TCP
 * flows (tcp or an app-layer protocol in the header) is checked on each
 * reassembled stream chunk; rules on UDP, ICMP, IP, tcp-pkt, and rules
 * testing packet fields (dsize, flags, ttl ...) on each packet.
 *
 * Fast pattern: the content marked fast_pattern, else the longest content
 * not negated (ties: the first). Its bytes go to the database of its
 * buffer and transforms, case-insensitive when the content is nocase;
 * every occurrence of a pattern only makes its rule a candidate, which
 * the full option chain then confirms. Rules without a usable fast
 * pattern are checked at every moment of their group.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs/hs.h>
#include <nettle/sha2.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rule_engine.h"
#include "rules/rule_int.h"
#include "rules/rule_match.h"
#include "rules/rule_ftp.h"

#define M_PACKET 1
#define M_STREAM 2
#define M_APP 4
#define M_TCPPKT 8      /* with M_PACKET|M_STREAM: TCP packets too (depth/offset) */
#define M_IPONLY 16     /* with M_PACKET: the first packet of each direction of a flow */

/* Directions in a flow. Every list is built per direction, as Suricata's
 * toserver/toclient pattern matchers: a rule with flow:to_server has its
 * pattern in the to-server list only, so the large to-client data (web
 * pages, downloads) is scanned without the many request patterns. A pair
 * that no directed rule tells apart is one list for both. */
#define D_TS 1
#define D_TC 2

typedef struct pf_list {
    uint8_t moment;             /* M_* */
    uint16_t pgroup;            /* stream moment: a destination-port group (0: any port) */
    uint8_t cls;                /* packet moment: transport class (0 tcp 1 udp 2 icmp 3 other);
                                 * stream moment: the flows' app protocol (MM_RP_N: any) */
    uint8_t id, ntr;
    uint8_t tr[MM_MAX_TRANSFORMS];
    uint32_t maxlen;            /* packet moment: payloads longer never match (dsize) */
    uint32_t head;              /* every pattern's match ends within the first head
                                 * bytes: only those are scanned (0: all) */
    uint8_t dir;                /* the directions scanned: D_TS | D_TC (0: none, dropped) */
    bool merged;                /* stream: holds the generic patterns too */
    hs_database_t *db;
    uint32_t *rule_of;          /* pattern id -> rule index */
    uint32_t *pend;             /* pattern id -> the furthest its match can end */
    uint32_t npat, cap;
    /* patterns while building */
    char **pat;
    size_t *plen;
    unsigned *pflags;
} pf_list;

/* Rules with no fast pattern whose source (or destination) is a narrow
 * address set - reputation rules listing hundreds of addresses - are
 * found by address, as Suricata's IP-only rules are: the address space is
 * cut into segments at every set's edges; each segment lists the rules
 * whose set covers it. */
typedef struct ip_index {
    mm_u128 *start;             /* segment i is [start[i], start[i+1]) */
    uint32_t *off;              /* its rules: rules[off[i] .. off[i+1]) */
    uint32_t *rules;
    uint32_t nseg;
    bool iponly;                /* all its rules are IP-only: a flow's later
                                 * packets need no lookup */
} ip_index;

/* Indexes into the lists. */
typedef struct lsel {
    uint32_t *li;
    uint32_t n;
} lsel;

struct mm_rules {
    mm_ruleset *rs;
    const mm_rule **r;          /* inspected rules */
    uint8_t *moment;            /* M_* per rule */
    uint32_t n;
    pf_list *lists;
    size_t nlists;
    /* The lists an inspection scans, found without walking them all: per
     * direction (0 to the server, 1 to the client) and key - a packet's
     * transport class, a stream's app protocol (MM_RP_N: none or
     * unknown), an app moment's buffer id; a stream's port-group lists by
     * their group (1 .. npg). */
    lsel pkt_sel[2][4];
    lsel stream_sel[2][MM_RP_N + 1];
    lsel app_sel[2][MM_BUF_N];
    lsel *pg_sel[2];
    uint16_t npg;
    uint8_t app_merged[MM_RP_N + 1]; /* D_*: the app's stream list holds the generic patterns */
    /* rules without a fast pattern, checked at every moment of their group:
     * per moment, transport class (tcp, udp, icmp, other) and app protocol
     * (MM_RP_N: any), each list in rule order */
    uint32_t *nopf[3][4][MM_RP_N + 1];
    uint32_t nnopf[3][4][MM_RP_N + 1];
    /* the same rules found by address instead (per moment and class;
     * side 0 by the packet's source, 1 by its destination) */
    ip_index ipx[3][4][2];
    uint32_t *ev;               /* decode-event / stream-event rules, in rule order */
    uint32_t nev;
    /* Stream rules of no app protocol that name destination ports ("tcp any
     * any -> any 445") are kept apart from the rest, in one database per
     * group of ports sharing the same such rules (as Suricata's signature
     * groups): a chunk going to port P scans its group's database besides
     * the common one. port_group[P]: the group (0: none). */
    uint16_t *port_group;
    uint8_t split[MM_RP_N + 1]; /* D_*: app lists without the port-specific rules */
    /* Packet rules without a fast pattern that name a few ports ("flags:S"
     * scan rules to 3389, 22 ...): found by the packet's destination port
     * (side 0) or, when they name only source ports, its source port (side
     * 1), per class tcp/udp, instead of being checked on every packet.
     * Port P's rules: pp_rules[c][side][pp_off[c][side][P] .. [P + 1]),
     * in rule order (NULL: no such rules). */
    uint32_t *pp_off[2][2];
    uint32_t *pp_rules[2][2];
    size_t bits_words;
    bool need_csum;             /* a rule has a checksum keyword */
    mm_rules_info info;
};

/* An xbit set on a host (or a pair of hosts), until it expires. */
typedef struct xbit {
    uint64_t expire;            /* ns */
    uint32_t bit;
    uint8_t track;              /* 1 a host (ip_src and ip_dst name the same), 3 a pair */
    mm_ip a, b;                 /* the host; a pair in address order */
} xbit;

#define XBITS_MAX 4096          /* set at once; then the one ending first goes */
#define XBITS_EXPIRE 30         /* seconds, when a rule gives none (Suricata's) */

struct mm_rules_thread {
    xbit *xb;
    uint32_t nxb;
    hs_scratch_t *scratch;
    mm_matcher *m;
    uint32_t *stamp;            /* per rule: the inspection that made it a candidate */
    uint32_t gen;
    uint32_t *cand;
    uint32_t ncand;
};

/* --- building ------------------------------------------------------------- */

static int moment_index(uint8_t m)
{
    return m == M_PACKET ? 0 : m == M_STREAM ? 1 : 2;
}

static bool is_app_proto(int p)
{
    return p >= MM_RP_HTTP;
}

/* A rule of app protocol rp sees a flow of app protocol app: the same, or
 * (as Suricata's) a dcerpc rule an SMB flow, whose pipes carry DCE/RPC. */
static bool app_is(int rp, int app)
{
    return rp == app || (rp == MM_RP_DCERPC && app == MM_RP_SMB);
}

/* Suricata's IP-only rule: addresses and ports (none written with '!'),
 * no payload, no flow keyword, no packet field; of the state keywords only
 * flowbits set, xbits, iprep, thresholds and tags. Suricata checks it on
 * the first packet of each direction of a flow (and on packets outside
 * flows), not on every packet. */
bool mm_rule_ip_only(const mm_rule *r)
{
    if (r->proto > MM_RP_ICMP || r->nbuf || r->flow || r->src->negated || r->dst->negated ||
        r->has_dsize || r->has_stream_size || r->has_ip_proto || r->has_itype || r->has_icode ||
        r->has_flags || r->nhdr || r->csum || r->nflowint || r->file || r->event ||
        r->app_event || r->bypass || r->nolog || r->ftpbounce)
        return false;
    for (int i = 0; i < r->nbitops; i++)
        if (!r->bitops[i].xbits && r->bitops[i].cmd != MM_BIT_SET)
            return false;
    return true;
}

/* The moments a rule inspects (0: not inspected yet). */
static uint8_t rule_moments(const mm_rule *r)
{
    bool app = false, hdr = false;
    for (int i = 0; i < r->nbuf; i++) {
        uint8_t id = r->buf[i].id;
        if (id >= MM_BUF_IPV4_HDR && id <= MM_BUF_TCP_MSS)
            hdr = true;     /* packet headers and addresses: the packet moment */
        else if (id != MM_BUF_PAYLOAD && id != MM_BUF_BASE64_DATA)
            app = true;
    }
    if (r->app_event)
        return 0;               /* inspected when a parser raises its event */
    if (app || r->file || r->dce)
        return M_APP;   /* with payload content too: HTTP gives its raw message */
    bool pkt_fields = hdr || r->has_dsize || r->has_flags || r->nhdr || r->has_itype || r->has_icode ||
                      r->csum ||
                      r->has_ip_proto || r->proto == MM_RP_TCP_PKT || r->geo;
    if (pkt_fields || r->nbuf == 0)
        return mm_rule_ip_only(r) ? M_PACKET | M_IPONLY : M_PACKET;
    /* Suricata's rule on TCP payload is a stream rule; one with a content
     * anchored by depth or offset is checked on the packets as well.
     * (Suricata counts startswith as a depth too; with ET Open that puts
     * ~550 more patterns in the TCP packet database, whose Hyperscan compile
     * then peaks 65 MiB higher - over the memory target - so startswith
     * rules stay stream rules here.) */
    bool anchored = false;
    for (int i = 0; i < r->nbuf && r->proto != MM_RP_TCP_STREAM; i++)
        for (int k = 0; r->buf[i].id == MM_BUF_PAYLOAD && k < r->buf[i].nsm; k++)
            if (r->buf[i].sm[k].type == MM_SM_CONTENT &&
                r->buf[i].sm[k].u.c.flags & (MM_CF_DEPTH | MM_CF_OFFSET))
                anchored = true;
    if (r->proto == MM_RP_TCP || r->proto == MM_RP_TCP_STREAM)
        return anchored ? M_STREAM | M_PACKET | M_TCPPKT : M_STREAM;
    if (is_app_proto(r->proto))         /* TCP flows by stream, UDP ones by packet */
        return M_STREAM | M_PACKET | (anchored ? M_TCPPKT : 0);
    return M_PACKET;                    /* ip: every packet, as Suricata (flowbits order) */
}

static const mm_content *fast_pattern(const mm_rule *r, const mm_rbuf **in)
{
    const mm_content *best = NULL;
    for (int i = 0; i < r->nbuf; i++) {
        /* a transform with an argument (pcrexform, xor) makes a buffer of
         * its own, which the prefilter's lists (by buffer and transforms)
         * do not tell apart */
        if (r->buf[i].id == MM_BUF_BASE64_DATA || r->buf[i].targ)
            continue;
        for (int k = 0; k < r->buf[i].nsm; k++) {
            const mm_sm *s = &r->buf[i].sm[k];
            if (s->type != MM_SM_CONTENT || s->u.c.flags & MM_CF_NEGATED)
                continue;
            if (s->u.c.flags & MM_CF_FAST) {
                *in = &r->buf[i];
                return &s->u.c;
            }
            if (!best || s->u.c.len > best->len) {
                best = &s->u.c;
                *in = &r->buf[i];
            }
        }
    }
    return best;
}

/* The directions a rule can match in (D_*). */
static uint8_t rule_dirs(const mm_rule *r)
{
    return r->flow & MM_FLOW_TO_SERVER ? D_TS : r->flow & MM_FLOW_TO_CLIENT ? D_TC : D_TS | D_TC;
}

static pf_list *list_for(mm_rules *e, uint8_t moment, int cls, uint32_t maxlen,
                         const mm_rbuf *b, uint16_t pgroup, uint8_t dir)
{
    for (size_t i = 0; i < e->nlists; i++) {
        pf_list *l = &e->lists[i];
        if (l->moment == moment && l->cls == cls && l->maxlen == maxlen && l->id == b->id &&
            l->ntr == b->ntr && l->pgroup == pgroup && l->dir == dir &&
            memcmp(l->tr, b->tr, b->ntr) == 0)
            return l;
    }
    pf_list *nl = realloc(e->lists, (e->nlists + 1) * sizeof *nl);
    if (!nl)
        return NULL;
    e->lists = nl;
    pf_list *l = &e->lists[e->nlists++];
    memset(l, 0, sizeof *l);
    l->moment = moment;
    l->dir = dir;
    l->cls = (uint8_t)cls;
    l->pgroup = pgroup;
    l->maxlen = maxlen;
    l->id = b->id;
    l->ntr = b->ntr;
    memcpy(l->tr, b->tr, b->ntr);
    return l;
}

/* Packets longer than a rule's dsize allows never match it: such rules
 * go to databases skipped for longer payloads (bounds 64, 256, 1024). */
static uint32_t dsize_bucket(const mm_rule *r)
{
    if (!r->has_dsize)
        return UINT32_MAX;
    uint64_t u;
    switch (r->dsize.op) {
    case MM_CMP_EQ: case MM_CMP_LE: u = r->dsize.a; break;
    case MM_CMP_LT: u = r->dsize.a ? r->dsize.a - 1 : 0; break;
    case MM_CMP_RANGE: u = r->dsize.b ? r->dsize.b - 1 : 0; break;
    default: return UINT32_MAX;
    }
    return u <= 64 ? 64 : u <= 256 ? 256 : u <= 1024 ? 1024 : UINT32_MAX;
}

static bool grow_list(pf_list *l)
{
    uint32_t cap = l->cap ? l->cap * 2 : 64;
    char **p = realloc(l->pat, cap * sizeof *p);
    if (p)
        l->pat = p;
    size_t *pl = realloc(l->plen, cap * sizeof *pl);
    if (pl)
        l->plen = pl;
    unsigned *pf = realloc(l->pflags, cap * sizeof *pf);
    if (pf)
        l->pflags = pf;
    uint32_t *ro = realloc(l->rule_of, cap * sizeof *ro);
    if (ro)
        l->rule_of = ro;
    uint32_t *pe = realloc(l->pend, cap * sizeof *pe);
    if (pe)
        l->pend = pe;
    if (!p || !pl || !pf || !ro || !pe)
        return false;
    l->cap = cap;
    return true;
}

/* 0 letter, 1 digit, 2 space, 3 other printable ASCII, 4 anything else */
static int byte_class(uint8_t c)
{
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return 0;
    if (c >= '0' && c <= '9')
        return 1;
    if (c == ' ')
        return 2;
    return c > ' ' && c < 0x7f ? 3 : 4;
}

/* How much the byte pair a b looks like text: 5 for two letters down to 0
 * for bytes outside printable ASCII. */
static int text_pair(uint8_t a, uint8_t b)
{
    static const uint8_t rank[5][5] = {
        /*          letter digit space punct other */
        /* letter */ {5, 2, 4, 3, 0},
        /* digit  */ {2, 2, 0, 1, 0},
        /* space  */ {4, 0, 3, 3, 0},
        /* punct  */ {3, 1, 3, 1, 0},
        /* other  */ {0, 0, 0, 0, 0},
    };
    return rank[byte_class(a)][byte_class(b)];
}

/* The piece of content c that goes to the prefilter: fast_pattern's
 * offset,length when the rule gives them; else, for a content longer
 * than WIN_MIN, the prefix of at least WIN_MIN bytes whose last WIN_TAIL
 * bytes look least like text (the longest of equals). Hyperscan's literal
 * matcher (FDR) checks the last bytes of its literals at every position:
 * with ET Open's 2,190 file.data literals, of which 934 end in two
 * letters, a web page's words make it confirm at almost every word.
 * Measured on HTTP bodies in a stand-alone harness (the same literals,
 * 32 KiB per body): bench400's pages 4.1 -> 2.9 cycles per byte, the
 * corpus's real bodies 1.10 -> 1.03. Only app-layer buffers (text) take
 * such a piece (text true): the packet and stream lists scanned no faster
 * with it, and Hyperscan's compile of them then took 1.4 s and 120 MiB
 * more. Any piece of a content the rule needs is a sound prefilter: the
 * rule's whole chain is checked on every candidate. */
#define WIN_MIN 10
#define WIN_TAIL 8
static void fp_window(const mm_content *c, bool text, uint16_t *off, uint16_t *len)
{
    *off = 0;
    *len = c->len;
    if (c->flags & MM_CF_FAST_CHOP) {
        *off = c->fp_off;
        *len = c->fp_len;
        return;
    }
    if (!text || c->len <= WIN_MIN)
        return;
    /* sc: the pairs of pat[e - WIN_TAIL, e), slid from the longest prefix
     * down (one pair in, one out per step); equals keep the longer */
    const uint8_t *p = c->pat;
    uint16_t e = c->len;
    int sc = 0;
    for (uint16_t i = e - WIN_TAIL; i + 1 < e; i++)
        sc += text_pair(p[i], p[i + 1]);
    int best = sc;
    for (; e > WIN_MIN; e--) {
        sc += text_pair(p[e - WIN_TAIL - 1], p[e - WIN_TAIL]) - text_pair(p[e - 2], p[e - 1]);
        if (sc < best) {
            best = sc;
            *len = e - 1;
        }
    }
}

/* The furthest from the buffer's start that the fast pattern fp of buffer
 * b can end in a match of the rule (UINT32_MAX: anywhere): its content's
 * offset + depth, or for a content relative to earlier ones their bound +
 * distance + within, as the matcher checks them, less tail (the content's
 * bytes after the piece the prefilter holds). Matches of the pattern
 * ending further on are no candidates ("|03|"; depth:1 in every packet). */
static uint32_t fp_end(const mm_rbuf *b, const mm_content *fp, uint32_t tail)
{
    const int64_t inf = UINT32_MAX;
    int64_t cur = 0;            /* the furthest the cursor can be */
    for (int k = 0; k < b->nsm; k++) {
        const mm_sm *s = &b->sm[k];
        if (s->type == MM_SM_ISDATAAT || s->type == MM_SM_BSIZE || s->type == MM_SM_URILEN ||
            s->type == MM_SM_DATASET || s->type == MM_SM_ASN1)
            continue;           /* the cursor stays */
        if (s->type != MM_SM_CONTENT) {
            cur = inf;          /* pcre, byte_jump ...: anywhere */
            continue;
        }
        const mm_content *c = &s->u.c;
        int64_t end = inf;
        if (c->flags & (MM_CF_DISTANCE | MM_CF_WITHIN)) {
            if (c->flags & MM_CF_WITHIN && c->within.var < 0 && cur < inf &&
                (!(c->flags & MM_CF_DISTANCE) || c->distance.var < 0)) {
                int64_t d = c->flags & MM_CF_DISTANCE ? c->distance.v : 0;
                end = cur + d + c->within.v;
            }
        } else if (c->flags & (MM_CF_DEPTH | MM_CF_STARTSWITH) && c->depth.var < 0 &&
                   (!(c->flags & MM_CF_OFFSET) || c->offset.var < 0)) {
            end = (int64_t)(c->flags & MM_CF_OFFSET ? c->offset.v : 0) + c->depth.v;
        }
        if (end < 0)
            end = 0;
        if (c == fp) {
            if (end >= inf)
                return UINT32_MAX;
            end -= tail;                        /* the piece ends before the content */
            return end < 0 ? 0 : (uint32_t)end;
        }
        if (!(c->flags & MM_CF_NEGATED))
            cur = end;
    }
    return UINT32_MAX;
}

static bool add_pattern(pf_list *l, const mm_rbuf *b, const mm_content *c, uint32_t rule)
{
    if (l->npat == l->cap && !grow_list(l))
        return false;
    uint16_t off, len;
    fp_window(c, l->moment == M_APP, &off, &len);
    l->pat[l->npat] = (char *)c->pat + off;
    l->plen[l->npat] = len;
    l->pflags[l->npat] = HS_FLAG_SINGLEMATCH | (c->flags & MM_CF_NOCASE ? HS_FLAG_CASELESS : 0);
    l->rule_of[l->npat] = rule;
    l->pend[l->npat] = fp_end(b, c, (uint32_t)c->len - off - len);
    l->npat++;
    return true;
}

/* Appends pattern j of list o to list l. */
static bool copy_pattern(pf_list *l, const pf_list *o, uint32_t j)
{
    if (l->npat == l->cap && !grow_list(l))
        return false;
    l->pat[l->npat] = o->pat[j];
    l->plen[l->npat] = o->plen[j];
    l->pflags[l->npat] = o->pflags[j];
    l->rule_of[l->npat] = o->rule_of[j];
    l->pend[l->npat++] = o->pend[j];
    return true;
}

/* The rule's fast pattern in the lists of (moment, cls, maxlen, buffer,
 * port group) of each direction it can match in. */
static bool add_dirs(mm_rules *e, uint8_t moment, int cls, uint32_t maxlen, const mm_rbuf *b,
                     uint16_t pgroup, const mm_content *fp, uint32_t rule)
{
    uint8_t dirs = rule_dirs(e->r[rule]);
    for (uint8_t d = D_TS; d <= D_TC; d <<= 1) {
        if (!(dirs & d))
            continue;
        pf_list *l = list_for(e, moment, cls, maxlen, b, pgroup, d);
        if (!l || !add_pattern(l, b, fp, rule))
            return false;
    }
    return true;
}

static bool add_nopf1(mm_rules *e, int mi, int cls, int app, uint32_t rule)
{
    uint32_t **l = &e->nopf[mi][cls][app];
    uint32_t *n = realloc(*l, (e->nnopf[mi][cls][app] + 1) * sizeof *n);
    if (!n)
        return false;
    *l = n;
    n[e->nnopf[mi][cls][app]++] = rule;
    return true;
}

static int ip_class(uint8_t proto)
{
    return proto == 6 ? 0 : proto == 17 ? 1 : proto == 1 || proto == 58 ? 2 : 3;
}

/* Interval lists for the address indexes while building. */
typedef struct ival {
    mm_u128 lo, hi;
    uint32_t rule;
} ival;

typedef struct ivlist {
    ival *v;
    size_t n, cap;
} ivlist;

static ivlist ivs[3][4][2];

/* A set narrow enough to index by: not any, no range wider than 2^32
 * addresses (a list of hosts and networks, not "everything but ..."). */
static bool narrow(const mm_addrset *a)
{
    if (a->any || a->n > 100000)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->r[i].hi.hi != a->r[i].lo.hi || a->r[i].hi.lo - a->r[i].lo.lo > 0xFFFFFFFFULL)
            return false;
    return true;
}

static bool index_rule(int mi, int cls, const mm_addrset *a, int side, uint32_t rule)
{
    ivlist *l = &ivs[mi][cls][side];
    if (l->n + a->n > l->cap) {
        size_t cap = (l->cap + a->n) * 2;
        ival *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return false;
        l->v = nv;
        l->cap = cap;
    }
    for (size_t i = 0; i < a->n; i++)
        l->v[l->n++] = (ival){a->r[i].lo, a->r[i].hi, rule};
    return true;
}

/* (port, rule) pairs of the packet port index while building, per class
 * tcp/udp and side. */
typedef struct pplist {
    uint32_t *v;                /* port << 32 would not fit: two words per pair */
    size_t n, cap;
} pplist;

static pplist pps[2][2];

/* The number of ports a set names when it names a few (at most 64), else 0. */
static uint32_t narrow_ports(const mm_portset *ps)
{
    if (ps->any || ps->n == 0)
        return 0;
    uint32_t ports = 0;
    for (size_t k = 0; k < ps->n; k++)
        ports += (uint32_t)ps->r[k].hi - ps->r[k].lo + 1;
    return ports <= 64 ? ports : 0;
}

static bool pp_add(int cls, int side, const mm_portset *ps, uint32_t rule)
{
    pplist *l = &pps[cls][side];
    for (size_t k = 0; k < ps->n; k++)
        for (uint32_t port = ps->r[k].lo; port <= ps->r[k].hi; port++) {
            if (!mm_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, 256))
                return false;
            l->v[l->n++] = port;
            l->v[l->n++] = rule;
        }
    return true;
}

/* The index of pps[c][side] (counting sort by port; rules stay in order). */
static bool pp_build(mm_rules *e, int c, int side)
{
    pplist *l = &pps[c][side];
    if (!l->n)
        return true;
    uint32_t *off = calloc(65537, sizeof *off), *rules = malloc(l->n / 2 * sizeof *rules);
    if (!off || !rules) {
        free(off);
        free(rules);
        return false;
    }
    for (size_t i = 0; i < l->n; i += 2)
        off[l->v[i] + 1]++;
    for (uint32_t p = 0; p < 65536; p++)
        off[p + 1] += off[p];
    uint32_t *fill = calloc(65536, sizeof *fill);
    if (!fill) {
        free(off);
        free(rules);
        return false;
    }
    for (size_t i = 0; i < l->n; i += 2)
        rules[off[l->v[i]] + fill[l->v[i]]++] = l->v[i + 1];
    free(fill);
    e->pp_off[c][side] = off;
    e->pp_rules[c][side] = rules;
    return true;
}

/* Files a rule with no fast pattern under the groups it may match in. */
static bool add_nopf(mm_rules *e, int mi, const mm_rule *r, uint32_t rule)
{
    int cls = r->proto == MM_RP_UDP ? 1 : r->proto == MM_RP_ICMP ? 2
            : r->proto == MM_RP_IP ? -1 : 0;
    bool transport = r->proto <= MM_RP_TCP_STREAM;
    if (transport && !r->bidir && (narrow(r->src) || narrow(r->dst))) {
        int side = narrow(r->src) ? 0 : 1;
        const mm_addrset *a = side ? r->dst : r->src;
        for (int c = 0; c < 4; c++)
            if ((cls < 0 || c == cls) && !index_rule(mi, c, a, side, rule))
                return false;
        return true;
    }
    /* packet rules of tcp or udp naming a few ports: by port */
    if (mi == 0 && (r->proto == MM_RP_TCP || r->proto == MM_RP_TCP_PKT || r->proto == MM_RP_UDP) &&
        !r->bidir) {
        int c = r->proto == MM_RP_UDP ? 1 : 0;
        if (narrow_ports(r->dp))
            return pp_add(c, 0, r->dp, rule);
        if (r->dp->any && narrow_ports(r->sp))
            return pp_add(c, 1, r->sp, rule);
    }
    switch (r->proto) {
    case MM_RP_TCP: case MM_RP_TCP_PKT: case MM_RP_TCP_STREAM:
        return add_nopf1(e, mi, 0, MM_RP_N, rule);
    case MM_RP_UDP:
        return add_nopf1(e, mi, 1, MM_RP_N, rule);
    case MM_RP_ICMP:
        return add_nopf1(e, mi, 2, MM_RP_N, rule);
    case MM_RP_IP:
        for (int c = 0; c < 4; c++)
            if (!add_nopf1(e, mi, c, MM_RP_N, rule))
                return false;
        return true;
    default:                    /* an app protocol, over TCP or UDP */
        return add_nopf1(e, mi, 0, r->proto, rule) && add_nopf1(e, mi, 1, r->proto, rule);
    }
}

/* The cache file of a database: named by the SHA-256 of Hyperscan's
 * version and every pattern (bytes, flags), so any change gives a new
 * name and a stale file is never used. */
static void cache_path(const pf_list *l, const char *dir, char *out, size_t outlen)
{
    struct sha256_ctx c;
    uint8_t h[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    const char *v = hs_version();
    sha256_update(&c, strlen(v) + 1, (const uint8_t *)v);
    for (uint32_t i = 0; i < l->npat; i++) {
        uint32_t meta[2] = {(uint32_t)l->plen[i], l->pflags[i]};
        sha256_update(&c, sizeof meta, (const uint8_t *)meta);
        sha256_update(&c, l->plen[i], (const uint8_t *)l->pat[i]);
    }
    sha256_digest(&c, sizeof h, h);
    char hx[2 * SHA256_DIGEST_SIZE + 1];
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(hx + 2 * i, 3, "%02x", h[i]);
    snprintf(out, outlen, "%s/%s.hsdb", dir, hx);
}

static bool cache_load(pf_list *l, const char *path)
{
    char err[256];
    size_t n;
    char *b = mm_read_file(path, 256u << 20, &n, err, sizeof err);
    bool ok = b && n && hs_deserialize_database(b, n, &l->db) == HS_SUCCESS;
    free(b);
    return ok;
}

static void cache_store(const pf_list *l, const char *path)
{
    char *b = NULL;
    size_t n = 0;
    if (hs_serialize_database(l->db, &b, &n) != HS_SUCCESS)
        return;
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(b, 1, n, f) == n;
    if (f)
        ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);            /* a cache that cannot be written is no error */
    free(b);
}

/* Databases of rules no longer loaded would pile up in the cache with
 * every rule update (ET Open: 16 MB for the whole set; a list with one
 * rule changed is a new file). Each load marks the files it uses (their
 * modification time); files of ours unused for CACHE_KEEP days, and
 * temporary files a crash left a day ago, are removed. Another ruleset
 * sharing the directory at most compiles again after a long pause. */
#define CACHE_KEEP (14 * 86400)
static void cache_prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        size_t len = strlen(n), h = strspn(n, "0123456789abcdef");
        bool db = len == 2 * SHA256_DIGEST_SIZE + 5 && h == 2 * SHA256_DIGEST_SIZE &&
                  strcmp(n + h, ".hsdb") == 0;
        bool tmp = h == 2 * SHA256_DIGEST_SIZE && strncmp(n + h, ".hsdb.", 6) == 0 &&
                   len > 4 && strcmp(n + len - 4, ".tmp") == 0;
        if (!db && !tmp)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (now - st.st_mtime > (db ? CACHE_KEEP : 86400))
            unlinkat(dirfd(d), n, 0);
    }
    closedir(d);
}

static bool compile(pf_list *l, const char *cache_dir, char *err, size_t errlen)
{
    if (!l->npat)
        return true;
    char path[1200];
    if (cache_dir) {
        cache_path(l, cache_dir, path, sizeof path);
        if (cache_load(l, path)) {
            utimensat(AT_FDCWD, path, NULL, 0);     /* in use: see cache_prune */
            goto done;
        }
    }
    unsigned *ids = malloc(l->npat * sizeof *ids);
    if (!ids) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < l->npat; i++)
        ids[i] = i;
    hs_compile_error_t *ce = NULL;
    hs_error_t rc = hs_compile_lit_multi((const char *const *)l->pat, l->pflags, ids, l->plen,
                                         l->npat, HS_MODE_BLOCK, NULL, &l->db, &ce);
    free(ids);
    if (rc != HS_SUCCESS) {
        snprintf(err, errlen, "prefilter for %s: %s", mm_buf_name(l->id),
                 ce && ce->message ? ce->message : "compile error");
        hs_free_compile_error(ce);
        return false;
    }
    if (cache_dir)
        cache_store(l, path);
done:
    free(l->pat);
    free(l->plen);
    free(l->pflags);
    l->pat = NULL;
    l->plen = NULL;
    l->pflags = NULL;
    return true;
}

static int ev_cmp(const void *a, const void *b)
{
    const ival *x = a, *y = b;
    int c = mm_u128_cmp(x->lo, y->lo);
    return c ? c : (x->rule > y->rule) - (x->rule < y->rule);
}

static int u128_cmp_p(const void *a, const void *b)
{
    return mm_u128_cmp(*(const mm_u128 *)a, *(const mm_u128 *)b);
}

/* Segments from the intervals: breakpoints at every lo and hi+1; each
 * segment lists the intervals' rules covering it (once each, in order). */
static bool build_index(ip_index *x, ivlist *l)
{
    if (!l->n)
        return true;
    size_t nb = 0;
    mm_u128 *b = malloc(2 * l->n * sizeof *b);
    if (!b)
        return false;
    for (size_t i = 0; i < l->n; i++) {
        b[nb++] = l->v[i].lo;
        if (!(l->v[i].hi.hi == UINT64_MAX && l->v[i].hi.lo == UINT64_MAX))
            b[nb++] = mm_u128_inc(l->v[i].hi);
    }
    qsort(b, nb, sizeof *b, u128_cmp_p);
    size_t k = 0;
    for (size_t i = 0; i < nb; i++)
        if (!k || mm_u128_cmp(b[i], b[k - 1]) != 0)
            b[k++] = b[i];
    nb = k;
    qsort(l->v, l->n, sizeof *l->v, ev_cmp);
    /* sweep: active intervals (indexes into l->v) */
    size_t *act = malloc(l->n * sizeof *act), nact = 0, next = 0;
    size_t cap = nb + l->n, nr = 0;
    x->rules = malloc(cap * sizeof *x->rules);
    x->off = malloc((nb + 1) * sizeof *x->off);
    x->start = b;
    if (!act || !x->rules || !x->off) {
        free(act);
        return false;
    }
    for (size_t s = 0; s < nb; s++) {
        /* drop intervals ended before this segment, add those starting here */
        size_t w = 0;
        for (size_t i = 0; i < nact; i++)
            if (mm_u128_cmp(l->v[act[i]].hi, b[s]) >= 0)
                act[w++] = act[i];
        nact = w;
        while (next < l->n && mm_u128_cmp(l->v[next].lo, b[s]) <= 0)
            act[nact++] = next++;
        x->off[s] = (uint32_t)nr;
        for (size_t i = 0; i < nact; i++) {
            uint32_t r = l->v[act[i]].rule;
            bool dup = false;
            for (size_t j = x->off[s]; j < nr && !dup; j++)
                dup = x->rules[j] == r;
            if (dup)
                continue;
            if (nr == cap) {
                cap *= 2;
                uint32_t *nrs = realloc(x->rules, cap * sizeof *nrs);
                if (!nrs) {
                    free(act);
                    return false;
                }
                x->rules = nrs;
            }
            x->rules[nr++] = r;
        }
    }
    x->off[nb] = (uint32_t)nr;
    x->nseg = (uint32_t)nb;
    free(act);
    return true;
}

/* The rules of the segment holding ip (none when before the first). */
static void index_lookup(const ip_index *x, const mm_ip *ip, const uint32_t **r, uint32_t *n)
{
    *n = 0;
    if (!x->nseg)
        return;
    mm_u128 u = mm_u128_of_ip(ip);
    size_t lo = 0, hi = x->nseg;          /* last start <= u */
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (mm_u128_cmp(x->start[m], u) <= 0)
            lo = m + 1;
        else
            hi = m;
    }
    if (!lo)
        return;
    *r = x->rules + x->off[lo - 1];
    *n = x->off[lo] - x->off[lo - 1];
}

/* A stream rule of no app protocol whose destination ports are a list or
 * a range (and not "<>"): found through its port group. */
static bool port_specific(const mm_rule *r)
{
    /* wide ranges (1024:, the ephemeral ports) stay with the rest: their
     * groups would be many and hold them all */
    return !r->bidir && narrow_ports(r->dp);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The port groups of the port-specific stream rules ps[0..nps): a port
 * that many such rules name (445, 139, 1521 ...) gets a group of its own
 * (neighbouring ports with the same rules share it); every other port
 * they name shares one group of the rules naming any of them. Each group
 * has a database of its rules' fast patterns. A few groups keep the
 * compile short; the common ones keep their patterns out of every other
 * flow's scan. */
#define PG_HEAVY 12             /* rules naming a port that earn it a group */
#define PG_SPLIT_OWN 200        /* patterns of an app's own that split its list */

static bool group_list(mm_rules *e, const uint32_t *set, size_t nset, uint16_t g)
{
    for (size_t i = 0; i < nset; i++) {
        const mm_rbuf *in = NULL;
        const mm_content *fp = fast_pattern(e->r[set[i]], &in);
        if (!add_dirs(e, M_STREAM, MM_RP_N, UINT32_MAX, in, g, fp, set[i]))
            return false;
    }
    return true;
}

/* A packet database's patterns anchored near the start (depth, or within
 * after such a content: fp_end) can only match in a payload's first bytes.
 * When enough of them are, they move to a database of their own that scans
 * those first bytes only, and the rest scans the whole payload with fewer
 * patterns: on ET Open the TCP packets' scan costs 30 % less. A list that
 * is all anchored just scans its head. (HTTP's stream list would gain 20 %
 * too, but Hyperscan's compile of its two halves peaks 30 MiB higher than
 * of the whole: bench/RESULTS.md.) */
#define HEAD_MAX 256            /* a pattern ending within this is a head pattern */
#define HEAD_SPLIT 64           /* head patterns that earn a database of their own */
#define HEAD_REST 256           /* ... when the rest is at least this many: with
                                 * fewer (the to-client TCP packets' 87 of ET
                                 * Open), one scan of all beats two calls per
                                 * packet (bench400: 0.2-0.3 s less) */

static bool split_head(mm_rules *e, size_t i)
{
    pf_list *l = &e->lists[i];
    if (l->id != MM_BUF_PAYLOAD || !l->npat)
        return true;
    uint32_t nh = 0, far = 0;
    for (uint32_t j = 0; j < l->npat; j++)
        if (l->pend[j] <= HEAD_MAX) {
            nh++;
            if (l->pend[j] > far)
                far = l->pend[j];
        }
    if (nh == l->npat) {
        l->head = far;
        return true;
    }
    if (nh < HEAD_SPLIT || l->npat - nh < HEAD_REST)
        return true;
    pf_list *nl = realloc(e->lists, (e->nlists + 1) * sizeof *nl);
    if (!nl)
        return false;
    e->lists = nl;
    l = &e->lists[i];
    pf_list *h = &e->lists[e->nlists++];
    *h = *l;
    h->pat = NULL, h->plen = NULL, h->pflags = NULL, h->rule_of = NULL, h->pend = NULL;
    h->npat = h->cap = 0;
    h->head = far;
    uint32_t k = 0;
    for (uint32_t j = 0; j < l->npat; j++) {
        if (l->pend[j] > HEAD_MAX) {
            l->pat[k] = l->pat[j];
            l->plen[k] = l->plen[j];
            l->pflags[k] = l->pflags[j];
            l->rule_of[k] = l->rule_of[j];
            l->pend[k++] = l->pend[j];
            continue;
        }
        if (!copy_pattern(h, l, j))
            return false;
    }
    l->npat = k;
    return true;
}

/* Appends to l the patterns of o whose rules match only in direction d. */
static bool take_dir(pf_list *l, const mm_rules *e, const pf_list *o, uint8_t d)
{
    for (uint32_t j = 0; j < o->npat; j++) {
        if (rule_dirs(e->r[o->rule_of[j]]) == d && !copy_pattern(l, o, j))
            return false;
    }
    return true;
}

/* The two directions' lists of one kind: a direction whose list holds more
 * than half of the patterns of both scans the union instead. It would scan
 * little less, and Hyperscan's compile of such a large part costs as much
 * again, sometimes far more: with ET Open, 1,677 of the 1,929 generic
 * stream patterns (to server) compiled in 0.44 s with a peak 80 MiB above
 * the union's, HTTP's 812 of 1,291 in 0.42 s with 91 MiB more - over the
 * memory target. So the large side keeps the union's database (as before
 * the split) and the small side, usually the to-client one of web pages
 * and downloads, gets a database of its own. A pair that no directed rule
 * tells apart is one list for both. */
static bool pair_dirs(mm_rules *e)
{
    for (size_t i = 0; i < e->nlists; i++) {
        if (e->lists[i].dir != D_TS)
            continue;
        for (size_t k = 0; k < e->nlists; k++) {
            pf_list *a = &e->lists[i], *b = &e->lists[k];
            if (b->dir != D_TC || b->moment != a->moment || b->cls != a->cls ||
                b->maxlen != a->maxlen || b->id != a->id || b->ntr != a->ntr ||
                b->pgroup != a->pgroup || b->merged != a->merged ||
                memcmp(b->tr, a->tr, a->ntr) != 0)
                continue;
            uint32_t both = 0;
            for (uint32_t j = 0; j < a->npat; j++)
                both += rule_dirs(e->r[a->rule_of[j]]) == (D_TS | D_TC);
            uint64_t nu = (uint64_t)a->npat + b->npat - both;
            bool ua = 2ull * a->npat > nu, ub = 2ull * b->npat > nu;
            if (ua && ub) {             /* one list for both */
                if (!take_dir(a, e, b, D_TC))
                    return false;
                a->dir = D_TS | D_TC;
                b->dir = 0;
                b->npat = 0;            /* not compiled, never scanned */
            } else if (ua) {
                if (!take_dir(a, e, b, D_TC))
                    return false;
            } else if (ub) {
                if (!take_dir(b, e, a, D_TS))
                    return false;
            }
            break;
        }
    }
    return true;
}

static bool port_groups(mm_rules *e, const uint32_t *ps, size_t nps)
{
    if (!nps)
        return true;
    uint16_t *cnt = calloc(65536, sizeof *cnt);
    uint32_t *set = malloc(nps * sizeof *set), *prev = malloc(nps * sizeof *prev);
    e->port_group = calloc(65536, sizeof *e->port_group);
    bool ok = cnt && set && prev && e->port_group;
    for (size_t i = 0; ok && i < nps; i++) {
        const mm_portset *d = e->r[ps[i]]->dp;
        for (size_t k = 0; k < d->n; k++)
            for (uint32_t p = d->r[k].lo; p <= d->r[k].hi; p++)
                if (cnt[p] < UINT16_MAX)
                    cnt[p]++;
    }
    /* group 1: the ports few rules name, together */
    size_t nmisc = 0;
    for (size_t i = 0; ok && i < nps; i++) {
        const mm_portset *d = e->r[ps[i]]->dp;
        bool light = false;
        for (size_t k = 0; k < d->n && !light; k++)
            for (uint32_t p = d->r[k].lo; p <= d->r[k].hi && !light; p++)
                light = cnt[p] < PG_HEAVY;
        if (light)
            set[nmisc++] = ps[i];
    }
    uint16_t g = 1;
    if (ok && nmisc)
        ok = group_list(e, set, nmisc, 1);
    size_t nprev = 0;
    for (uint32_t p = 0; ok && p <= 65535; p++) {
        if (!cnt[p])
            continue;
        if (cnt[p] < PG_HEAVY) {
            e->port_group[p] = 1;
            nprev = 0;
            continue;
        }
        size_t nset = 0;
        for (size_t i = 0; i < nps; i++)
            if (mm_portset_has(e->r[ps[i]]->dp, (uint16_t)p))
                set[nset++] = ps[i];
        if (nset != nprev || memcmp(set, prev, nset * sizeof *set) != 0) {
            if (g == UINT16_MAX) {
                ok = false;
                break;
            }
            ok = group_list(e, set, nset, ++g);
            memcpy(prev, set, nset * sizeof *set);
            nprev = nset;
        }
        e->port_group[p] = g;
    }
    free(cnt);
    free(set);
    free(prev);
    return ok;
}

static bool sel_add(lsel *s, uint32_t li)
{
    uint32_t *n = realloc(s->li, (s->n + 1) * sizeof *n);
    if (!n)
        return false;
    s->li = n;
    n[s->n++] = li;
    return true;
}

/* Files each list that has a database under the inspections scanning it
 * (see lsel in mm_rules): a stream of app protocol a scans that app's
 * lists, and the generic ones unless a's lists hold them (app_merged). */
static bool select_lists(mm_rules *e)
{
    for (size_t i = 0; i < e->nlists; i++)
        if (e->lists[i].pgroup > e->npg)
            e->npg = e->lists[i].pgroup;
    for (int d = 0; d < 2; d++)
        if (e->npg && !(e->pg_sel[d] = calloc(e->npg + 1u, sizeof(lsel))))
            return false;
    for (size_t i = 0; i < e->nlists; i++) {
        const pf_list *l = &e->lists[i];
        for (int d = 0; d < 2 && l->db; d++) {
            uint8_t dbit = d ? D_TC : D_TS;
            if (!(l->dir & dbit))
                continue;
            bool ok = true;
            if (l->moment == M_PACKET)
                ok = sel_add(&e->pkt_sel[d][l->cls], (uint32_t)i);
            else if (l->moment == M_APP)
                ok = sel_add(&e->app_sel[d][l->id], (uint32_t)i);
            else if (l->pgroup)
                ok = sel_add(&e->pg_sel[d][l->pgroup], (uint32_t)i);
            else
                for (int a = 0; a <= MM_RP_N && ok; a++) {
                    bool merged = a < MM_RP_N && e->app_merged[a] & dbit;
                    if (l->cls == MM_RP_N ? !merged : app_is(l->cls, a))
                        ok = sel_add(&e->stream_sel[d][a], (uint32_t)i);
                }
            if (!ok)
                return false;
        }
    }
    return true;
}

mm_rules *mm_rules_build(mm_ruleset *rs, const char *cache_dir, char *err, size_t errlen)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int mi = 0; mi < 3; mi++)          /* leftovers of a build that failed */
        for (int c = 0; c < 4; c++)
            for (int side = 0; side < 2; side++) {
                free(ivs[mi][c][side].v);
                ivs[mi][c][side] = (ivlist){0};
            }
    for (int c = 0; c < 2; c++)
        for (int side = 0; side < 2; side++) {
            free(pps[c][side].v);
            pps[c][side] = (pplist){0};
        }
    mm_rules *e = calloc(1, sizeof *e);
    size_t n = mm_ruleset_count(rs);
    if (!e || !(e->r = calloc(n ? n : 1, sizeof *e->r)) ||
        !(e->moment = calloc(n ? n : 1, 1))) {
        if (e) {
            free(e->r);
            free(e);
        }
        mm_ruleset_free(rs);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->rs = rs;
    e->info.rules = n;
    uint32_t *ps = malloc((n ? n : 1) * sizeof *ps);    /* port-specific stream rules */
    size_t nps = 0;
    if (!ps) {
        mm_rules_free(e);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* pass rules first, then the others in file order: Suricata's default
     * action-order (a pass rule matching a packet silences the alerts of
     * the rules after it) */
    for (size_t k = 0; k < 2 * n; k++) {
        size_t i = k % n;
        const mm_rule *r = mm_ruleset_rule(rs, i);
        if ((r->action == MM_RA_PASS) != (k < n))
            continue;
        if (r->event || r->app_event) {     /* inspected when their event is raised */
            uint32_t *ne = realloc(e->ev, (e->nev + 1) * sizeof *ne);
            if (!ne) {
                free(ps);
                mm_rules_free(e);
                snprintf(err, errlen, "out of memory");
                return NULL;
            }
            e->ev = ne;
            e->ev[e->nev++] = e->n;
            e->r[e->n] = r;
            e->moment[e->n++] = 0;
            continue;
        }
        uint8_t mo = rule_moments(r);
        if (!mo) {
            e->info.not_inspected++;
            continue;
        }
        uint32_t idx = e->n++;
        e->r[idx] = r;
        e->moment[idx] = mo;
        e->need_csum |= r->csum != 0;
        const mm_rbuf *in = NULL;
        const mm_content *fp = fast_pattern(r, &in);
        for (int b = 0; b < 3; b++) {
            uint8_t m1 = (uint8_t)(1 << b);
            if (!(mo & m1))
                continue;
            bool ok = true;
            if (!fp) {
                ok = add_nopf(e, b, r, idx);
            } else if (m1 == M_STREAM) {
                /* an app protocol's payload rules scan its flows only; the
                 * others naming destination ports go to port groups too */
                int cls = is_app_proto(r->proto) ? r->proto : MM_RP_N;
                if (cls == MM_RP_N && port_specific(r))
                    ps[nps++] = idx;
                ok = add_dirs(e, m1, cls, UINT32_MAX, in, 0, fp, idx);
            } else if (m1 == M_APP) {
                ok = add_dirs(e, m1, 0, UINT32_MAX, in, 0, fp, idx);
            } else {
                /* packets: only the classes the rule's protocol can be
                 * (the TCP payload of app rules goes by stream) */
                for (int c = 0; c < 4 && ok; c++) {
                    bool want = r->proto == MM_RP_IP ? true
                              : r->proto == MM_RP_UDP ? c == 1
                              : r->proto == MM_RP_ICMP ? c == 2
                              : r->proto <= MM_RP_TCP_STREAM ? c == 0
                              : c == 1 || (c == 0 && mo & M_TCPPKT);
                    if (!want)
                        continue;
                    ok = add_dirs(e, m1, c, dsize_bucket(r), in, 0, fp, idx);
                }
            }
            if (!ok) {
                free(ps);
                mm_rules_free(e);
                snprintf(err, errlen, "out of memory");
                return NULL;
            }
        }
        if (fp)
            e->info.prefiltered++;
    }
    e->info.inspected = e->n;
    bool pg_ok = port_groups(e, ps, nps);
    bool *is_ps = calloc(e->n ? e->n : 1, sizeof *is_ps);
    for (size_t i = 0; is_ps && i < nps; i++)
        is_ps[ps[i]] = true;
    free(ps);
    ps = NULL;
    if (!pg_ok || !is_ps) {
        free(is_ps);
        mm_rules_free(e);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int mi = 0; mi < 3; mi++)
        for (int c = 0; c < 4; c++)
            for (int side = 0; side < 2; side++) {
                ip_index *x = &e->ipx[mi][c][side];
                bool ok = build_index(x, &ivs[mi][c][side]);
                x->iponly = mi == 0;
                for (uint32_t i = 0; ok && x->nseg && i < x->off[x->nseg]; i++)
                    x->iponly = x->iponly && e->moment[x->rules[i]] & M_IPONLY;
                free(ivs[mi][c][side].v);
                ivs[mi][c][side] = (ivlist){0};
                if (!ok) {
                    mm_rules_free(e);
                    snprintf(err, errlen, "out of memory");
                    return NULL;
                }
            }
    bool pp_ok = true;
    for (int c = 0; c < 2; c++)
        for (int side = 0; side < 2; side++) {
            pp_ok = pp_ok && pp_build(e, c, side);
            free(pps[c][side].v);
            pps[c][side] = (pplist){0};
        }
    if (!pp_ok) {
        mm_rules_free(e);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* a flow of an app protocol with payload rules of its own scans one
     * database: its rules and the generic ones together. An app with many
     * rules of its own (HTTP) leaves out the generic rules that name
     * destination ports: its flows scan their port group's database for
     * them, which keeps "USER" and "PASS" of FTP and POP3 rules out of
     * every web page's scan. (Only there: Hyperscan compiles a set of a
     * thousand literals mixing short and long ones slowly and in much
     * memory, and the small apps' lists would be such sets.) */
    /* an app with stream patterns of one direction only gets an (empty)
     * list of the other too, to hold the generic patterns of that direction */
    for (size_t i = 0, n0 = e->nlists; i < n0; i++) {
        pf_list *l = &e->lists[i];
        if (l->moment != M_STREAM || l->cls == MM_RP_N || l->pgroup)
            continue;
        mm_rbuf kb = {.id = l->id, .ntr = l->ntr};
        memcpy(kb.tr, l->tr, l->ntr);
        if (!list_for(e, M_STREAM, l->cls, l->maxlen, &kb, 0, (uint8_t)(l->dir ^ (D_TS | D_TC)))) {
            free(is_ps);
            mm_rules_free(e);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    }
    uint32_t own[MM_RP_N + 1] = {0};  /* an app's own stream patterns, both directions */
    for (size_t i = 0; i < e->nlists; i++)
        if (e->lists[i].moment == M_STREAM && !e->lists[i].pgroup)
            own[e->lists[i].cls] += e->lists[i].npat;
    for (size_t i = 0; i < e->nlists; i++) {
        pf_list *g = &e->lists[i];
        if (g->moment != M_STREAM || g->cls != MM_RP_N || g->pgroup)
            continue;
        for (size_t k = 0; k < e->nlists; k++) {
            pf_list *l = &e->lists[k];
            if (l->moment != M_STREAM || l->cls == MM_RP_N || l->pgroup || l->id != g->id ||
                l->dir != g->dir || l->ntr != g->ntr || memcmp(l->tr, g->tr, g->ntr) != 0)
                continue;
            l->merged = true;
            bool split = e->port_group && own[l->cls] >= PG_SPLIT_OWN;
            if (split)
                e->split[l->cls] |= l->dir;
            for (uint32_t j = 0; j < g->npat; j++) {
                if (split && is_ps[g->rule_of[j]])
                    continue;
                if (!copy_pattern(l, g, j)) {
                    free(is_ps);
                    mm_rules_free(e);
                    snprintf(err, errlen, "out of memory");
                    return NULL;
                }
            }
        }
    }
    free(is_ps);
    if (!pair_dirs(e)) {
        mm_rules_free(e);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* the packet lists' anchored patterns in databases of their own */
    for (size_t i = 0, n0 = e->nlists; i < n0; i++)
        if (e->lists[i].moment == M_PACKET && !split_head(e, i)) {
            mm_rules_free(e);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    if (cache_dir)
        mkdir(cache_dir, 0755);         /* when missing; a cache is never required */
    for (size_t i = 0; i < e->nlists; i++) {
        e->info.patterns += e->lists[i].npat;
        if (!compile(&e->lists[i], cache_dir, err, errlen)) {
            mm_rules_free(e);
            return NULL;
        }
        if (e->lists[i].db) {
            size_t sz = 0;
            hs_database_size(e->lists[i].db, &sz);
            e->info.db_bytes += sz;
            e->info.databases++;
        }
    }
    if (cache_dir)
        cache_prune(cache_dir);
    for (size_t i = 0; i < e->nlists; i++) {
        const pf_list *l = &e->lists[i];
        if (l->moment == M_STREAM && l->merged && !l->pgroup && l->cls < MM_RP_N)
            e->app_merged[l->cls] |= l->dir;
    }
    if (!select_lists(e)) {
        mm_rules_free(e);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->bits_words = (rs->nbits + 31) / 32;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    e->info.build_seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    return e;
}

void mm_rules_free(mm_rules *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nlists; i++) {
        hs_free_database(e->lists[i].db);
        free(e->lists[i].rule_of);
        free(e->lists[i].pend);
        free(e->lists[i].pat);
        free(e->lists[i].plen);
        free(e->lists[i].pflags);
    }
    free(e->lists);
    for (int d = 0; d < 2; d++) {
        for (int c = 0; c < 4; c++)
            free(e->pkt_sel[d][c].li);
        for (int a = 0; a <= MM_RP_N; a++)
            free(e->stream_sel[d][a].li);
        for (int b = 0; b < MM_BUF_N; b++)
            free(e->app_sel[d][b].li);
        for (uint32_t g = 0; e->pg_sel[d] && g <= e->npg; g++)
            free(e->pg_sel[d][g].li);
        free(e->pg_sel[d]);
    }
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 4; c++) {
            for (int a = 0; a <= MM_RP_N; a++)
                free(e->nopf[i][c][a]);
            for (int side = 0; side < 2; side++) {
                free(e->ipx[i][c][side].start);
                free(e->ipx[i][c][side].off);
                free(e->ipx[i][c][side].rules);
            }
        }
    for (int c = 0; c < 2; c++)
        for (int side = 0; side < 2; side++) {
            free(e->pp_off[c][side]);
            free(e->pp_rules[c][side]);
        }
    free(e->ev);
    free(e->port_group);
    free(e->r);
    free(e->moment);
    mm_ruleset_free(e->rs);
    free(e);
}

const mm_ruleset *mm_rules_set(const mm_rules *e)
{
    return e->rs;
}

unsigned mm_rules_file_hashes(const mm_rules *e)
{
    unsigned h = 0;
    for (uint32_t i = 0; i < e->n; i++) {
        const mm_rfile *f = e->r[i]->file;
        if (f && f->hash_len)
            h |= f->hash_len == 16 ? 1u : f->hash_len == 20 ? 2u : 4u;
    }
    return h;
}

void mm_rules_info_get(const mm_rules *e, mm_rules_info *i)
{
    *i = e->info;
}

size_t mm_rules_bits_words(const mm_rules *e)
{
    return e->bits_words;
}

const mm_capture *mm_rules_captures(const mm_rules_thread *t, int *n)
{
    return mm_matcher_captures(t->m, n);
}

size_t mm_rules_ints(const mm_rules *e)
{
    return e->rs->flowints.n;
}

mm_rules_thread *mm_rules_thread_new(const mm_rules *e)
{
    mm_rules_thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->stamp = calloc(e->n ? e->n : 1, sizeof *t->stamp);
    t->cand = calloc(e->n ? e->n : 1, sizeof *t->cand);
    t->m = mm_matcher_new();
    if (!t->stamp || !t->cand || !t->m) {
        mm_rules_thread_free(t);
        return NULL;
    }
    for (size_t i = 0; i < e->nlists; i++)
        if (e->lists[i].db && hs_alloc_scratch(e->lists[i].db, &t->scratch) != HS_SUCCESS) {
            mm_rules_thread_free(t);
            return NULL;
        }
    return t;
}

void mm_rules_thread_free(mm_rules_thread *t)
{
    if (!t)
        return;
    hs_free_scratch(t->scratch);
    mm_matcher_free(t->m);
    free(t->xb);
    free(t->stamp);
    free(t->cand);
    free(t);
}

/* --- inspecting ----------------------------------------------------------- */

typedef struct scan_ctx {
    mm_rules_thread *t;
    const pf_list *l;
} scan_ctx;

static void candidate(mm_rules_thread *t, uint32_t rule)
{
    if (t->stamp[rule] == t->gen)
        return;
    t->stamp[rule] = t->gen;
    t->cand[t->ncand++] = rule;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    scan_ctx *s = ctx;
    /* a literal's matches come in order of their end (Hyperscan's
     * unordered_matches is for assertions) and once per pattern
     * (SINGLEMATCH): the first ending too far means every one does */
    if (to > s->l->pend[id])
        return 0;
    candidate(s->t, s->l->rule_of[id]);
    return 0;
}

static bool proto_ok(const mm_rule *r, const mm_inspection *in)
{
    switch (r->proto) {
    case MM_RP_IP:
        return true;
    case MM_RP_TCP:
    case MM_RP_TCP_PKT:
    case MM_RP_TCP_STREAM:
        return in->ip_proto == 6;
    case MM_RP_UDP:
        return in->ip_proto == 17;
    case MM_RP_ICMP:
        return in->ip_proto == 1 || in->ip_proto == 58;
    default:
        return app_is(r->proto, in->app);
    }
}

static bool hosts_ok(const mm_rule *r, const mm_inspection *in)
{
    /* ports first: cheaper, and they reject most */
    if (mm_portset_has(r->dp, in->dp) && mm_portset_has(r->sp, in->sp) &&
        mm_addrset_has(r->src, in->src) && mm_addrset_has(r->dst, in->dst))
        return true;
    return r->bidir && mm_portset_has(r->sp, in->dp) && mm_portset_has(r->dp, in->sp) &&
           mm_addrset_has(r->src, in->dst) && mm_addrset_has(r->dst, in->src);
}

static bool flow_ok(const mm_rule *r, const mm_inspection *in)
{
    uint16_t f = r->flow;
    if (f & MM_FLOW_TO_SERVER && in->to_client)
        return false;
    if (f & MM_FLOW_TO_CLIENT && !in->to_client)
        return false;
    if (f & MM_FLOW_ESTABLISHED && !in->established)
        return false;
    if (f & MM_FLOW_NOT_ESTABLISHED && in->established)
        return false;
    return true;
}

static bool packet_ok(const mm_rule *r, const mm_inspection *in, uint32_t payload_len)
{
    if (in->pkt && in->pkt->nopayload) {
        if (r->has_dsize)
            return false;
        for (int i = 0; i < r->nbuf; i++)
            if (r->buf[i].id == MM_BUF_PAYLOAD)
                return false;
    }
    if (r->has_dsize && (in->moment != MM_MOMENT_PACKET || !mm_cmp_eval(&r->dsize, payload_len)))
        return false;
    const mm_insp_pkt *p = in->pkt;
    if (r->has_flags || r->nhdr || r->has_itype || r->has_icode || r->has_ip_proto || r->csum) {
        if (!p)
            return false;
        if (r->csum) {          /* the packet has that layer, and its checksum is as asked */
            bool ok;
            if (r->csum == MM_CSUM_IPV4) {
                if (!p->csum_ip4)
                    return false;
                ok = p->csum_ip4_ok;
            } else {
                if (p->csum_l4 != r->csum)
                    return false;
                ok = p->csum_l4_ok;
            }
            if (ok != (bool)r->csum_valid)
                return false;
        }
        if (r->has_ip_proto && (in->ip_proto == r->ip_proto) == (bool)r->ip_proto_neg)
            return false;
        if (r->has_itype && !mm_cmp_eval(&r->itype, p->icmp_type))
            return false;
        if (r->has_icode && !mm_cmp_eval(&r->icode, p->icmp_code))
            return false;
        if (r->has_flags) {
            if (in->ip_proto != 6)
                return false;
            uint8_t fl = p->tcp_flags & r->tcp_flags_mask;
            bool ok;
            switch (r->tcp_flags_mod) {
            case '+': ok = (fl & r->tcp_flags) == r->tcp_flags; break;
            case '*': ok = (fl & r->tcp_flags) != 0; break;
            case '!': ok = (fl & r->tcp_flags) == 0; break;
            default: ok = fl == r->tcp_flags;
            }
            if (!ok)
                return false;
        }
        for (int i = 0; i < r->nhdr; i++) {
            uint64_t v;
            switch (r->hdr[i].field) {
            case MM_HF_TTL: v = p->ttl; break;
            case MM_HF_IP_ID: v = p->ip_id; break;
            case MM_HF_TCP_WINDOW: v = p->window; break;
            case MM_HF_TCP_SEQ: v = p->seq; break;
            case MM_HF_TCP_ACK: v = p->ack; break;
            case MM_HF_ICMP_ID: v = p->icmp_id; break;
            default: v = p->icmp_seq;
            }
            if (!mm_cmp_eval(&r->hdr[i].c, v))
                return false;
        }
    }
    return true;
}

static bool bit_set(const uint32_t *bits, uint32_t b)
{
    return bits && (bits[b / 32] >> (b % 32)) & 1;
}

/* An isset / isnotset test of flowbits or xbits, given how many of its
 * names are set ('|': any of them, '&' or one name: all). */
static bool bit_test_ok(const mm_bitop *o, int set)
{
    bool all = set == o->nbits, any = set > 0;
    if (o->cmd == MM_BIT_ISSET)
        return o->any ? any : all;
    return !(o->any ? all : any);
}

static bool bits_ok(const mm_rule *r, const uint32_t *bits)
{
    for (int i = 0; i < r->nbitops; i++) {
        const mm_bitop *o = &r->bitops[i];
        if (o->xbits || (o->cmd != MM_BIT_ISSET && o->cmd != MM_BIT_ISNOTSET))
            continue;
        int set = 0;
        for (int k = 0; k < o->nbits; k++)
            set += bit_set(bits, o->bit[k]);
        if (!bit_test_ok(o, set))
            return false;
    }
    return true;
}

/* flowint tests (<, >, ==, isset ...): an unset one passes only notset. */
static bool ints_ok(const mm_rule *r, const mm_fint *ints)
{
    for (int i = 0; i < r->nflowint; i++) {
        const mm_flowint *o = &r->flowint[i];
        const mm_fint *v = ints ? &ints[o->var] : NULL;
        bool set = v && v->set;
        int64_t x = set ? v->v : 0, y = o->value;
        bool ok;
        switch (o->op) {
        case '<': ok = set && x < y; break;
        case '>': ok = set && x > y; break;
        case 'l': ok = set && x <= y; break;
        case 'g': ok = set && x >= y; break;
        case 'e': ok = set && x == y; break;
        case 'n': ok = set && x != y; break;
        case 's': ok = set; break;
        case 'x': ok = !set; break;
        default: ok = true;     /* =, +, -: changes, after the match */
        }
        if (!ok)
            return false;
    }
    return true;
}

/* flowint changes of a rule that matched: "+" and "-" on an unset one
 * start it from the value (as Suricata). */
static mm_fint *ints_apply(const mm_rule *r, const mm_inspection *in, mm_fint *ints)
{
    for (int i = 0; i < r->nflowint; i++) {
        const mm_flowint *o = &r->flowint[i];
        if (o->op != '=' && o->op != '+' && o->op != '-')
            continue;
        if (!ints && (!in->ints_alloc || !(ints = in->ints_alloc(in->bits_ctx))))
            return NULL;
        mm_fint *v = &ints[o->var];
        int64_t y = o->value;
        v->v = o->op == '=' || !v->set ? (o->op == '-' && v->set ? v->v - y : y)
             : o->op == '+' ? v->v + y : v->v - y;
        v->set = true;
    }
    return ints;
}

static uint32_t *bits_apply(const mm_rule *r, const mm_inspection *in, uint32_t *bits)
{
    for (int i = 0; i < r->nbitops; i++) {
        const mm_bitop *o = &r->bitops[i];
        if (o->xbits || (o->cmd != MM_BIT_SET && o->cmd != MM_BIT_UNSET && o->cmd != MM_BIT_TOGGLE))
            continue;
        if (!bits && (!in->bits_alloc || !(bits = in->bits_alloc(in->bits_ctx))))
            return NULL;        /* the flow's bits are made on the first change */
        for (int k = 0; k < o->nbits; k++) {
            uint32_t w = o->bit[k] / 32, m = 1u << (o->bit[k] % 32);
            if (o->cmd == MM_BIT_SET)
                bits[w] |= m;
            else if (o->cmd == MM_BIT_UNSET)
                bits[w] &= ~m;
            else if (o->cmd == MM_BIT_TOGGLE)
                bits[w] ^= m;
        }
    }
    return bits;
}

/* --- xbits ---------------------------------------------------------------- */

/* The host (or pair) an xbit of this track is about in this inspection. */
static void xb_key(const mm_inspection *in, uint8_t track, mm_ip *a, mm_ip *b)
{
    static const mm_ip none = {{0}, 0};
    *b = none;
    if (track == 1) {
        *a = *in->src;
    } else if (track == 2) {
        *a = *in->dst;
    } else {                    /* a pair is the same both ways */
        bool swap = memcmp(in->src->b, in->dst->b, 16) > 0;
        *a = swap ? *in->dst : *in->src;
        *b = swap ? *in->src : *in->dst;
    }
}

static xbit *xb_find(mm_rules_thread *t, const mm_inspection *in, uint8_t track, uint32_t bit)
{
    mm_ip a, b;
    xb_key(in, track, &a, &b);
    uint8_t kind = track == 3 ? 3 : 1;  /* a host's bits, however it was named */
    for (uint32_t i = 0; i < t->nxb; i++) {
        xbit *x = &t->xb[i];
        if (x->bit == bit && x->track == kind && memcmp(x->a.b, a.b, 16) == 0 &&
            memcmp(x->b.b, b.b, 16) == 0)
            return x;
    }
    return NULL;
}

static bool xb_isset(mm_rules_thread *t, const mm_inspection *in, uint8_t track, uint32_t bit)
{
    const xbit *x = xb_find(t, in, track, bit);
    return x && x->expire > in->ts;
}

static void xb_del(mm_rules_thread *t, xbit *x)
{
    *x = t->xb[--t->nxb];
}

static void xb_set(mm_rules_thread *t, const mm_inspection *in, const mm_bitop *o, uint32_t bit)
{
    uint64_t exp = in->ts + (uint64_t)(o->expire ? o->expire : XBITS_EXPIRE) * 1000000000ULL;
    xbit *x = xb_find(t, in, o->xbits, bit);
    if (x) {
        x->expire = exp;
        return;
    }
    if (!t->xb && !(t->xb = malloc(XBITS_MAX * sizeof *t->xb)))
        return;
    if (t->nxb == XBITS_MAX) {
        /* full: the expired go, else the one that ends first */
        for (uint32_t i = 0; i < t->nxb;)
            if (t->xb[i].expire <= in->ts)
                xb_del(t, &t->xb[i]);
            else
                i++;
        if (t->nxb == XBITS_MAX) {
            uint32_t m = 0;
            for (uint32_t i = 1; i < t->nxb; i++)
                if (t->xb[i].expire < t->xb[m].expire)
                    m = i;
            xb_del(t, &t->xb[m]);
        }
    }
    x = &t->xb[t->nxb++];
    x->expire = exp;
    x->bit = bit;
    x->track = o->xbits == 3 ? 3 : 1;
    xb_key(in, o->xbits, &x->a, &x->b);
}

static bool xbits_ok(mm_rules_thread *t, const mm_rule *r, const mm_inspection *in)
{
    for (int i = 0; i < r->nbitops; i++) {
        const mm_bitop *o = &r->bitops[i];
        if (!o->xbits || (o->cmd != MM_BIT_ISSET && o->cmd != MM_BIT_ISNOTSET))
            continue;
        int set = 0;
        for (int k = 0; k < o->nbits; k++)
            set += xb_isset(t, in, o->xbits, o->bit[k]);
        if (!bit_test_ok(o, set))
            return false;
    }
    return true;
}

static void xbits_apply(mm_rules_thread *t, const mm_rule *r, const mm_inspection *in)
{
    for (int i = 0; i < r->nbitops; i++) {
        const mm_bitop *o = &r->bitops[i];
        if (!o->xbits)
            continue;
        for (int k = 0; k < o->nbits; k++) {
            xbit *x = o->cmd == MM_BIT_SET ? NULL : xb_find(t, in, o->xbits, o->bit[k]);
            bool on = x && x->expire > in->ts;
            if (o->cmd == MM_BIT_SET || (o->cmd == MM_BIT_TOGGLE && !on))
                xb_set(t, in, o, o->bit[k]);
            else if ((o->cmd == MM_BIT_UNSET || o->cmd == MM_BIT_TOGGLE) && x)
                xb_del(t, x);
        }
    }
}

static const mm_obs_buf *find_buf(const mm_inspection *in, uint8_t id)
{
    for (int i = 0; i < in->nbuf; i++)
        if (in->buf[i].id == id)
            return &in->buf[i];
    return NULL;
}

/* A rule that matched: its flowbits and flowints changed, then its alert
 * (none with noalert). Returns the alerts given (0 or 1). */
static int matched(mm_rules_thread *t, const mm_rule *r, const mm_inspection *in,
                   uint32_t **bits, mm_fint **ints, mm_rule_hit_fn hit, void *ctx)
{
    if (r->nbitops) {
        *bits = bits_apply(r, in, *bits);
        xbits_apply(t, r, in);
    }
    if (r->nflowint)
        *ints = ints_apply(r, in, *ints);
    int nc;
    const mm_capture *c = mm_matcher_captures(t->m, &nc);
    for (int i = 0; i < nc && in->var_set; i++)
        if (c[i].kind == MM_VAR_FLOW)
            in->var_set(in->bits_ctx, c[i].id, c[i].data, c[i].len);
    if (r->noalert)
        return 0;
    hit(ctx, r, in);
    return 1;
}

/* geoip on the countries of the packet's addresses */
static bool geo_ok(const mm_rgeo *g, const mm_inspection *in)
{
    char s[3] = "", d[3] = "";
    if (in->country) {
        if (g->where != MM_GEO_DST)
            in->country(in->bits_ctx, in->src, s);
        if (g->where != MM_GEO_SRC)
            in->country(in->bits_ctx, in->dst, d);
    }
    return mm_rgeo_match(g, s, d);
}

/* dcerpc.iface / dcerpc.opnum on the moment's DCE/RPC buffers */
static bool dce_ok(const mm_rdce *d, const mm_inspection *in)
{
    const mm_obs_buf *op = find_buf(in, MM_BUF_DCERPC_OPNUM);
    const mm_obs_buf *ifc = find_buf(in, MM_BUF_DCERPC_IFACE);
    return mm_rdce_match(d, op && op->len == 2 ? op->data : NULL,
                         ifc && ifc->len == 20 ? ifc->data : NULL);
}

static bool rule_matches(mm_rules_thread *t, const mm_rule *r, const mm_inspection *in,
                         const uint32_t *bits, const mm_fint *ints)
{
    const mm_obs_buf *pl = find_buf(in, MM_BUF_PAYLOAD);
    if (!proto_ok(r, in) || !flow_ok(r, in) || !packet_ok(r, in, pl ? pl->len : 0) ||
        !hosts_ok(r, in) || !bits_ok(r, bits) || !xbits_ok(t, r, in) ||
        (r->file && !mm_rfile_match(r->file, in->file)) ||
        (r->dce && !dce_ok(r->dce, in)) || (r->geo && !geo_ok(r->geo, in)) ||
        (r->nflowint && !ints_ok(r, ints)))
        return false;
    for (int i = 0; i < r->niprep; i++)
        if (!mm_iprep_match(&r->iprep[i], in->src, in->dst))
            return false;
    /* ftpbounce: an FTP flow's PORT command from its client naming another host */
    if (r->ftpbounce && (in->app != MM_RP_FTP || !pl || !mm_ftpbounce(pl->data, pl->len, in->src)))
        return false;
    mm_matcher_reset(t->m);
    for (int i = 0; i < r->nbuf; i++) {
        const mm_rbuf *b = &r->buf[i];
        if (b->id == MM_BUF_BASE64_DATA) {
            if (!mm_rbuf_match(t->m, b, NULL, 0))
                return false;
            continue;
        }
        /* several buffers of one id (a header line each): one must match */
        bool ok = false;
        for (int k = 0; k < in->nbuf && !ok; k++)
            ok = in->buf[k].id == b->id && mm_rbuf_match(t->m, b, in->buf[k].data, in->buf[k].len);
        if (!ok)
            return false;
    }
    return true;
}


static int message_events(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in,
                          mm_rule_hit_fn hit, void *ctx);

/* One buffer through one list's database: its candidates to t. */
static void scan(mm_rules_thread *t, const pf_list *l, const mm_obs_buf *b)
{
    if (b->id != l->id || !b->len)
        return;
    const uint8_t *data = b->data;
    uint32_t len = b->len;
    if (l->ntr) {
        mm_rbuf tb = {.id = l->id, .ntr = l->ntr};
        memcpy(tb.tr, l->tr, l->ntr);
        if (!mm_matcher_transform(t->m, &tb, &data, &len))
            return;
    }
    if (l->head && len > l->head)
        len = l->head;
    scan_ctx sc = {t, l};
    hs_scan(l->db, (const char *)data, len, 0, t->scratch, on_match, &sc);
}

int mm_rules_inspect(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in,
                     mm_rule_hit_fn hit, void *ctx)
{
    uint8_t m1 = in->moment == MM_MOMENT_PACKET ? M_PACKET
               : in->moment == MM_MOMENT_STREAM ? M_STREAM : M_APP;
    if (++t->gen == 0) {
        memset(t->stamp, 0, e->n * sizeof *t->stamp);
        t->gen = 1;
    }
    t->ncand = 0;
    int mi = moment_index(m1), cls = ip_class(in->ip_proto);
    int d = in->to_client ? 1 : 0;
    uint8_t dbit = d ? D_TC : D_TS;
    if (m1 == M_APP) {
        for (int k = 0; k < in->nbuf; k++) {
            const mm_obs_buf *b = &in->buf[k];
            const lsel *s = b->id < MM_BUF_N ? &e->app_sel[d][b->id] : NULL;
            for (uint32_t i = 0; s && i < s->n; i++)
                scan(t, &e->lists[s->li[i]], b);
        }
    } else if (in->nbuf) {
        /* packets and streams: the payload first, then any header buffers */
        const lsel *s, *pg = NULL;
        if (m1 == M_PACKET) {
            s = &e->pkt_sel[d][cls];
        } else {
            int a = in->app >= 0 && in->app < MM_RP_N ? in->app : MM_RP_N;
            s = &e->stream_sel[d][a];
            /* and the group of the port the data goes to */
            uint16_t g = a < MM_RP_N && e->port_group && e->split[a] & dbit
                       ? e->port_group[in->dp] : 0;
            if (g && g <= e->npg)
                pg = &e->pg_sel[d][g];
        }
        for (int w = 0; w < 2; w++, s = pg) {
            for (uint32_t i = 0; s && i < s->n; i++) {
                const pf_list *l = &e->lists[s->li[i]];
                if (m1 == M_PACKET && in->buf[0].len > l->maxlen)
                    continue;
                for (int k = 0; k < in->nbuf; k++)
                    scan(t, l, &in->buf[k]);
            }
        }
    }
    for (int side = 0; side < 2; side++) {
        const uint32_t *xr;
        uint32_t xn;
        const ip_index *x = &e->ipx[mi][cls][side];
        if (x->iponly && in->pkt && in->pkt->later)
            continue;                   /* Suricata's IP-only rules: see below */
        index_lookup(x, side ? in->dst : in->src, &xr, &xn);
        for (uint32_t i = 0; i < xn; i++)
            candidate(t, xr[i]);
    }
    /* in rule order, so flowbits set by an earlier rule count for a later
     * one: the prefilter's few candidates sorted, then merged with the two
     * groups' lists (already in order) */
    if (t->ncand > 1)
        qsort(t->cand, t->ncand, sizeof *t->cand, cmp_u32);
    const uint32_t *g1 = e->nopf[mi][cls][MM_RP_N];
    uint32_t n1 = e->nnopf[mi][cls][MM_RP_N];
    const uint32_t *g2 = in->app >= 0 && in->app < MM_RP_N ? e->nopf[mi][cls][in->app] : NULL;
    uint32_t n2 = g2 ? e->nnopf[mi][cls][in->app] : 0;
    /* an SMB flow's DCE/RPC: the dcerpc rules too */
    const uint32_t *g5 = in->app == MM_RP_SMB ? e->nopf[mi][cls][MM_RP_DCERPC] : NULL;
    uint32_t n5 = g5 ? e->nnopf[mi][cls][MM_RP_DCERPC] : 0;
    /* and the packet rules of the packet's ports */
    const uint32_t *g3 = NULL, *g4 = NULL;
    uint32_t n3 = 0, n4 = 0;
    if (m1 == M_PACKET && cls < 2) {
        if (e->pp_off[cls][0]) {
            g3 = e->pp_rules[cls][0] + e->pp_off[cls][0][in->dp];
            n3 = e->pp_off[cls][0][in->dp + 1] - e->pp_off[cls][0][in->dp];
        }
        if (e->pp_off[cls][1]) {
            g4 = e->pp_rules[cls][1] + e->pp_off[cls][1][in->sp];
            n4 = e->pp_off[cls][1][in->sp + 1] - e->pp_off[cls][1][in->sp];
        }
    }
    uint32_t i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0;
    uint32_t *bits = in->bits;
    mm_fint *ints = in->ints;
    int hits = 0;
    for (;;) {
        uint32_t ri = UINT32_MAX;
        if (i0 < t->ncand)
            ri = t->cand[i0];
        if (i1 < n1 && g1[i1] < ri)
            ri = g1[i1];
        if (i2 < n2 && g2[i2] < ri)
            ri = g2[i2];
        if (i3 < n3 && g3[i3] < ri)
            ri = g3[i3];
        if (i4 < n4 && g4[i4] < ri)
            ri = g4[i4];
        if (i5 < n5 && g5[i5] < ri)
            ri = g5[i5];
        if (ri == UINT32_MAX)
            break;
        while (i0 < t->ncand && t->cand[i0] == ri)
            i0++;
        while (i1 < n1 && g1[i1] == ri)
            i1++;
        while (i2 < n2 && g2[i2] == ri)
            i2++;
        while (i3 < n3 && g3[i3] == ri)
            i3++;
        while (i4 < n4 && g4[i4] == ri)
            i4++;
        while (i5 < n5 && g5[i5] == ri)
            i5++;
        const mm_rule *r = e->r[ri];
        if (m1 == M_PACKET && e->moment[ri] & M_IPONLY && in->pkt && in->pkt->later)
            continue;
        if (in->pkt_stream && e->moment[ri] & M_TCPPKT)
            continue;
        /* a UDP flow of an app protocol is seen by packet, a TCP one by stream */
        if (m1 == M_PACKET && (e->moment[ri] & (M_STREAM | M_TCPPKT)) == M_STREAM &&
            in->ip_proto == 6)
            continue;
        /* every rule is checked (flowbits of the later ones change as in
         * Suricata); what a pass rule silences is the alert path's call */
        if (rule_matches(t, r, in, bits, ints))
            hits += matched(t, r, in, &bits, &ints, hit, ctx);
    }
    if (m1 == M_APP && in->nevents)
        hits += message_events(e, t, in, hit, ctx);
    return hits;
}

bool mm_rules_need_csum(const mm_rules *e)
{
    return e->need_csum;
}

bool mm_rules_has_events(const mm_rules *e)
{
    return e->nev > 0;
}

/* A rule on an app-layer event that also looks at the message's buffers:
 * checked with the message (its event among in->events), not alone. */
static bool event_with_buffers(const mm_rule *r)
{
    for (int i = 0; i < r->nbuf; i++)
        if (r->buf[i].id != MM_BUF_PAYLOAD && r->buf[i].id != MM_BUF_BASE64_DATA)
            return true;
    return false;
}

static int message_events(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in,
                          mm_rule_hit_fn hit, void *ctx)
{
    uint32_t *bits = in->bits;
    mm_fint *ints = in->ints;
    int hits = 0;
    for (uint32_t i = 0; i < e->nev && in->nevents; i++) {
        const mm_rule *r = e->r[e->ev[i]];
        if (!r->app_event || (!event_with_buffers(r) && !in->events_alone))
            continue;
        bool mine = false;
        for (int k = 0; k < in->nevents && !mine; k++)
            mine = strcmp(r->app_event, in->events[k]) == 0;
        if (mine && rule_matches(t, r, in, bits, ints))
            hits += matched(t, r, in, &bits, &ints, hit, ctx);
    }
    return hits;
}

/* The rules on an anomaly (event >= 0) or on an app-layer event (name). */
static int events(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in, int event,
                  const char *name, bool directed, mm_rule_hit_fn hit, void *ctx)
{
    uint32_t *bits = in->bits;
    mm_fint *ints = in->ints;
    int hits = 0;
    for (uint32_t i = 0; i < e->nev; i++) {
        const mm_rule *r = e->r[e->ev[i]];
        /* an event rule with buffers of the message is checked with the
         * message (message_events), never alone */
        bool mine = name ? r->app_event && strcmp(r->app_event, name) == 0 &&
                           !event_with_buffers(r)
                         : r->event == event + 1;
        if (directed && !(r->flow & (MM_FLOW_TO_SERVER | MM_FLOW_TO_CLIENT)))
            continue;
        if (mine && rule_matches(t, r, in, bits, ints))
            hits += matched(t, r, in, &bits, &ints, hit, ctx);
    }
    return hits;
}

int mm_rules_event(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in, int event,
                   mm_rule_hit_fn hit, void *ctx)
{
    return events(e, t, in, event, NULL, false, hit, ctx);
}

int mm_rules_app_event(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in,
                       const char *name, bool directed, mm_rule_hit_fn hit, void *ctx)
{
    return events(e, t, in, -1, name, directed, hit, ctx);
}
