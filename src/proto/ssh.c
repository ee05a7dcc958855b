/*
 * ssh.c - SSH: the identification strings of both sides.
 *
 * Each side starts with "SSH-protoversion-softwareversion [comments]" and
 * CR LF (RFC 4253 4.2); a server may send other lines before it. We keep
 * the protocol and software versions of each side (at most 255 bytes of
 * line) and log one ssh event once both are known, or at the end of the
 * flow. After the banner comes each side's KEXINIT, in clear: its
 * algorithm lists give HASSH (client) and HASSH server, as Suricata logs
 * them (MD5 of "kex;encryption;mac;compression" of the side's direction).
 * Everything after is encrypted: ignored.
 */
#include "proto/app.h"

#include <nettle/md5.h>
#include <stdio.h>
#include <string.h>

#define KEX_MAX 16384u          /* a KEXINIT longer than this is not read */

#define LINE_MAX_SSH 256

typedef struct ssh_dir {
    char line[LINE_MAX_SSH];
    uint16_t len;
    bool done;
    char proto[16], software[LINE_MAX_SSH];
    uint8_t pre_lines;       /* lines before the banner (bounded) */
    /* KEXINIT */
    uint8_t *kex;            /* KEX_MAX bytes while reading it */
    uint32_t kex_len, kex_want;
    bool kex_done;           /* read, or given up */
    char *hassh;             /* "kex;enc;mac;cmp" (allocated) */
    size_t hassh_size;
    /* the clear packets after KEXINIT, walked to NEWKEYS (message 21):
     * encryption starts after it */
    uint8_t pk[6];           /* a packet's length, padding length, type */
    uint8_t pklen;
    uint32_t skip;           /* rest of the packet being passed over */
    uint8_t npk;
    bool newkeys, walk_done;
} ssh_dir;

typedef struct ssh_state {
    ssh_dir d[2];
    bool logged;
    uint64_t ts;
} ssh_state;

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    (void)dir;
    (void)udp;
    static const char pre[] = "SSH-";
    uint32_t k = n < 4 ? n : 4;
    if (memcmp(d, pre, k) != 0)
        return MM_PROBE_NO;
    if (n < 9)
        return MM_PROBE_MORE;
    /* "SSH-2.0-", "SSH-1.99-" or another 1.x: all have "1." or "2.0-" at 4 */
    return (memcmp(d + 4, "2.0-", 4) == 0 || memcmp(d + 4, "1.", 2) == 0) ? MM_PROBE_YES
                                                                           : MM_PROBE_NO;
}

static void hassh_hex(const char *str, char hx[2 * MD5_DIGEST_SIZE + 1])
{
    struct md5_ctx c;
    uint8_t dg[MD5_DIGEST_SIZE];
    md5_init(&c);
    md5_update(&c, strlen(str), (const uint8_t *)str);
    md5_digest(&c, sizeof dg, dg);
    for (int i = 0; i < MD5_DIGEST_SIZE; i++)
        snprintf(hx + 2 * i, 3, "%02x", dg[i]);
}

static void hassh_obj(mm_json *j, const char *key, const char *str)
{
    char hx[2 * MD5_DIGEST_SIZE + 1];
    hassh_hex(str, hx);
    mj_obj_open(j, key);
    mj_str(j, "hash", hx);
    mj_str(j, "string", str);
    mj_obj_close(j);
}

/* The "ssh" object of events and alerts: each side's banner seen so far. */
static void ssh_json(mm_json *j, const void *arg)
{
    const ssh_state *s = arg;
    mj_obj_open(j, "ssh");
    for (int dir = 0; dir < 2; dir++) {
        if (!s->d[dir].done)
            continue;
        mj_obj_open(j, dir == MM_TO_SERVER ? "client" : "server");
        mj_str(j, "proto_version", s->d[dir].proto);
        mj_str(j, "software_version", s->d[dir].software);
        if (s->d[dir].hassh)
            hassh_obj(j, "hassh", s->d[dir].hassh);
        mj_obj_close(j);
    }
    mj_obj_close(j);
}

static void log_ssh(mm_app *a, mm_flow *f, ssh_state *s)
{
    if (s->logged || (!s->d[0].done && !s->d[1].done))
        return;
    s->logged = true;
    mm_json *j = mm_app_event_begin(a, f, s->ts, "ssh", MM_TO_SERVER, false);
    ssh_json(j, s);
    mm_app_event_end(a, f);
}

/* A complete line: the banner, or a line before it. */
static void line(ssh_dir *d)
{
    size_t l = d->len;
    if (l && d->line[l - 1] == '\r')
        l--;
    d->line[l] = 0;
    d->len = 0;
    if (l < 4 || memcmp(d->line, "SSH-", 4) != 0) {
        if (++d->pre_lines > 32)
            d->done = true;          /* not SSH after all: stop looking */
        return;
    }
    const char *pv = d->line + 4;
    const char *dash = strchr(pv, '-');
    if (!dash)
        return;
    size_t pl = (size_t)(dash - pv);
    if (pl >= sizeof d->proto)
        pl = sizeof d->proto - 1;
    memcpy(d->proto, pv, pl);
    d->proto[pl] = 0;
    /* software version ends at the first space (comments follow) */
    const char *sw = dash + 1;
    size_t sl = strcspn(sw, " ");
    memcpy(d->software, sw, sl);
    d->software[sl] = 0;
    d->done = true;
}

/* One name-list of a KEXINIT: a 4-byte length and the names. */
static bool name_list(const uint8_t *p, uint32_t n, uint32_t *off, const uint8_t **v,
                      uint32_t *vl)
{
    if (*off + 4 > n)
        return false;
    uint32_t l = (uint32_t)p[*off] << 24 | (uint32_t)p[*off + 1] << 16 |
                 (uint32_t)p[*off + 2] << 8 | p[*off + 3];
    if (l > n - *off - 4)
        return false;
    *v = p + *off + 4;
    *vl = l;
    *off += 4 + l;
    return true;
}

/* A whole KEXINIT packet (length, padding length, payload) of direction dir. */
static void kexinit(mm_app *a, ssh_dir *d, int dir, const uint8_t *p, uint32_t n)
{
    /* length 4, padding length 1, then the payload: type 20, cookie 16,
     * ten name-lists */
    if (n < 6 + 16 || p[5] != 20)
        return;
    uint32_t off = 6 + 16;
    const uint8_t *v[10];
    uint32_t vl[10];
    for (int i = 0; i < 10; i++)
        if (!name_list(p, n, &off, &v[i], &vl[i]))
            return;
    /* kex; then the lists of our direction: client->server at 2, 4, 6 */
    int e = dir == MM_TO_SERVER ? 2 : 3, m = e + 2, c = e + 4;
    size_t sz = (size_t)vl[0] + vl[e] + vl[m] + vl[c] + 4;
    if (!(d->hassh = mm_app_alloc_buf(a, sz)))
        return;
    d->hassh_size = sz;
    size_t k = 0;
    const int order[4] = {0, e, m, c};
    for (int i = 0; i < 4; i++) {
        if (i)
            d->hassh[k++] = ';';
        memcpy(d->hassh + k, v[order[i]], vl[order[i]]);
        k += vl[order[i]];
    }
    d->hassh[k] = 0;
}

/* Bytes after KEXINIT: packet by packet (a length and a type each) up to
 * NEWKEYS; a bounded number of packets, then no more. */
static void walk(ssh_dir *d, const uint8_t *b, uint32_t n)
{
    while (n && !d->walk_done) {
        if (d->skip) {
            uint32_t k = n < d->skip ? n : d->skip;
            d->skip -= k;
            b += k;
            n -= k;
            continue;
        }
        d->pk[d->pklen++] = *b++;
        n--;
        if (d->pklen < 6)
            continue;
        d->pklen = 0;
        uint32_t len = (uint32_t)d->pk[0] << 24 | (uint32_t)d->pk[1] << 16 |
                       (uint32_t)d->pk[2] << 8 | d->pk[3];
        if (d->pk[5] == 21) {
            d->newkeys = true;
            d->walk_done = true;
        } else if (len < 2 || len > 65536 || ++d->npk > 16) {
            d->walk_done = true;        /* not what a key exchange sends */
        } else {
            d->skip = len - 2;
        }
    }
}

static void kex_bytes(mm_app *a, mm_flow *f, ssh_state *s, int dir, const uint8_t *b,
                      uint32_t n)
{
    ssh_dir *d = &s->d[dir];
    while (n && !d->kex_done) {
        if (!d->kex && !(d->kex = mm_app_alloc_buf(a, KEX_MAX))) {
            d->kex_done = true;
            return;
        }
        uint32_t want = d->kex_want ? d->kex_want : 5;
        uint32_t k = n < want - d->kex_len ? n : want - d->kex_len;
        memcpy(d->kex + d->kex_len, b, k);
        d->kex_len += k;
        b += k;
        n -= k;
        if (d->kex_len < want)
            return;
        if (!d->kex_want) {
            uint32_t pl = (uint32_t)d->kex[0] << 24 | (uint32_t)d->kex[1] << 16 |
                          (uint32_t)d->kex[2] << 8 | d->kex[3];
            if (pl < 2 || pl > KEX_MAX - 4) {
                mm_app_error(a, f);
                d->kex_done = true;
                break;
            }
            d->kex_want = pl + 4;
            continue;
        }
        kexinit(a, d, dir, d->kex, d->kex_len);
        d->kex_done = true;
        if (d->hassh && a->buffers) {
            /* to the rules: ssh.hassh(.string) of the client, ssh.hassh.server(.string) */
            char hx[2 * MD5_DIGEST_SIZE + 1];
            hassh_hex(d->hassh, hx);
            bool cli = dir == MM_TO_SERVER;
            mm_obs_buf ob[2] = {
                {cli ? MM_BUF_SSH_HASSH : MM_BUF_SSH_HASSH_SERVER, (const uint8_t *)hx,
                 2 * MD5_DIGEST_SIZE},
                {cli ? MM_BUF_SSH_HASSH_STRING : MM_BUF_SSH_HASSH_SERVER_STRING,
                 (const uint8_t *)d->hassh, (uint32_t)strlen(d->hassh)},
            };
            mm_obs_buffers o = {ob, 2, ssh_json, s, NULL};
            mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &o, f->last_ns);
        }
    }
    if (d->kex_done) {
        mm_app_free(a, d->kex, KEX_MAX);
        d->kex = NULL;
        if (b)
            walk(d, b, n);
    }
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *b, uint32_t n,
                  uint64_t ts)
{
    ssh_state *s = st;
    ssh_dir *d = &s->d[dir];
    if (!s->ts)
        s->ts = ts;
    if (!b) {
        d->done = d->done || d->len > 0;  /* a gap: give up on this banner */
        d->kex_done = true;
        kex_bytes(a, f, s, dir, NULL, 0);
        return;
    }
    uint32_t i = 0;
    for (; i < n && !d->done; i++) {
        if (b[i] == '\n') {
            line(d);
            if (d->done && d->proto[0]) {
                /* the banner to the rules: ssh.proto, ssh.software */
                mm_obs_buf ob[2] = {
                    {MM_BUF_SSH_PROTO, (const uint8_t *)d->proto, (uint32_t)strlen(d->proto)},
                    {MM_BUF_SSH_SOFTWARE, (const uint8_t *)d->software,
                     (uint32_t)strlen(d->software)},
                };
                mm_obs_buffers o = {ob, 2, ssh_json, s};
                mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &o, ts);
            }
            continue;
        }
        if (d->len < LINE_MAX_SSH - 1)
            d->line[d->len++] = (char)b[i];
    }
    if (d->done && i < n && !d->kex_done)
        kex_bytes(a, f, s, dir, b + i, n - i);
    else if (d->kex_done && i < n)
        walk(d, b + i, n - i);
    if (s->d[0].done && s->d[1].done && s->d[0].kex_done && s->d[1].kex_done)
        log_ssh(a, f, s);
    /* both sides encrypt from here: as Suricata's default for SSH, the
     * flow is bypassed (its log says so) */
    if (s->d[0].newkeys && s->d[1].newkeys)
        f->bypassed = true;
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)ts;
    ssh_state *s = st;
    log_ssh(a, f, s);
    for (int i = 0; i < 2; i++) {
        mm_app_free(a, s->d[i].kex, KEX_MAX);
        mm_app_free(a, s->d[i].hassh, s->d[i].hassh_size);
    }
}

const mm_app_parser mm_parser_ssh = {
    .name = "ssh", .id = MM_APP_SSH, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(ssh_state), .parse = parse, .finish = finish,
};
