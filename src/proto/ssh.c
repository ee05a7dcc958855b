/*
 * ssh.c - SSH: the identification strings of both sides.
 *
 * Each side starts with "SSH-protoversion-softwareversion [comments]" and
 * CR LF (RFC 4253 4.2); a server may send other lines before it. We keep
 * the protocol and software versions of each side (at most 255 bytes of
 * line) and log one ssh event once both are known, or at the end of the
 * flow. Everything after the banners is encrypted key exchange: ignored.
 */
#include "proto/app.h"

#include <string.h>

#define LINE_MAX_SSH 256

typedef struct ssh_dir {
    char line[LINE_MAX_SSH];
    uint16_t len;
    bool done;
    char proto[16], software[LINE_MAX_SSH];
    uint8_t pre_lines;       /* lines before the banner (bounded) */
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

static void log_ssh(mm_app *a, mm_flow *f, ssh_state *s)
{
    if (s->logged || (!s->d[0].done && !s->d[1].done))
        return;
    s->logged = true;
    mm_json *j = mm_app_event_begin(a, f, s->ts, "ssh", MM_TO_SERVER, false);
    mj_obj_open(j, "ssh");
    for (int dir = 0; dir < 2; dir++) {
        if (!s->d[dir].done)
            continue;
        mj_obj_open(j, dir == MM_TO_SERVER ? "client" : "server");
        mj_str(j, "proto_version", s->d[dir].proto);
        mj_str(j, "software_version", s->d[dir].software);
        mj_obj_close(j);
    }
    mj_obj_close(j);
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

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *b, uint32_t n,
                  uint64_t ts)
{
    ssh_state *s = st;
    ssh_dir *d = &s->d[dir];
    if (!s->ts)
        s->ts = ts;
    if (!b) {
        d->done = d->done || d->len > 0;  /* a gap: give up on this banner */
        return;
    }
    for (uint32_t i = 0; i < n && !d->done; i++) {
        if (b[i] == '\n') {
            line(d);
            continue;
        }
        if (d->len < LINE_MAX_SSH - 1)
            d->line[d->len++] = (char)b[i];
    }
    if (s->d[0].done && s->d[1].done)
        log_ssh(a, f, s);
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)ts;
    log_ssh(a, f, st);
}

const mm_app_parser mm_parser_ssh = {
    .name = "ssh", .id = MM_APP_SSH, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(ssh_state), .parse = parse, .finish = finish,
};
