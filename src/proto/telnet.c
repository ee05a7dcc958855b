/*
 * telnet.c - Telnet: option negotiation, login prompts and the user names
 * typed at them (what IoT botnets such as Mirai try by the thousand).
 *
 * Detection: a side opening with option negotiation (IAC DO/DONT/WILL/WONT
 * of a known option), or, on ports 23 and 2323, a server text asking for a
 * login. Commands (IAC ...) are stripped; the server's text is watched for
 * "login:"/"username:" and "password:" prompts and for refusals; the
 * client's next line after a login prompt is a user name (kept, at most
 * TN_USERS), after a password prompt a password (counted, never kept).
 * One "telnet" event (ours: Suricata has none) at the end of the flow,
 * fields in mimamori.telnet.
 */
#include "proto/app.h"
#include "util/util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define TN_USERS 8
#define TN_LINE 128
#define TN_TAIL 64          /* last bytes of server text, for prompts */

enum { EXPECT_NONE, EXPECT_USER, EXPECT_PASS };

typedef struct tn_dir {
    uint8_t iac;            /* 0: text; else bytes left of an IAC sequence */
    bool sb;                /* inside IAC SB ... IAC SE */
    bool sb_iac;
} tn_dir;

typedef struct telnet_state {
    tn_dir d[2];
    char tail[TN_TAIL + 1];
    uint32_t tail_len;
    char line[TN_LINE];
    uint32_t llen;
    int expect;
    char users[TN_USERS][TN_LINE];
    uint8_t nusers;
    uint32_t user_lines, passwords, failures;
    bool negotiated;
    bool in_line;           /* the client is typing a line */
    bool refused;           /* a refusal seen, not yet told to the detectors */
    uint64_t ts;
} telnet_state;

static bool negotiation(const uint8_t *d, uint32_t n)
{
    /* IAC (DO|DONT|WILL|WONT) option, with a known option */
    return n >= 3 && d[0] == 0xFF && d[1] >= 0xFB && d[1] <= 0xFE && d[2] <= 49;
}

static bool ci_has(const char *s, const char *w)
{
    size_t l = strlen(w);
    for (; *s; s++)
        if (!strncasecmp(s, w, l))
            return true;
    return false;
}

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    if (udp)
        return MM_PROBE_NO;
    if (d[0] == 0xFF) {
        if (n < 3)
            return MM_PROBE_MORE;
        return negotiation(d, n) ? MM_PROBE_YES : MM_PROBE_NO;
    }
    /* on the Telnet ports, a server asking for a login */
    if (dir == MM_TO_CLIENT && (f->sport == 23 || f->sport == 2323)) {
        char t[MM_APP_PROBE_MAX + 1];
        uint32_t k = 0;
        for (uint32_t i = 0; i < n && k < MM_APP_PROBE_MAX; i++)
            t[k++] = d[i] ? (char)d[i] : ' ';
        t[k] = 0;
        if (ci_has(t, "login:") || ci_has(t, "username:"))
            return MM_PROBE_YES;
        return n < MM_APP_PROBE_MAX ? MM_PROBE_MORE : MM_PROBE_NO;
    }
    return MM_PROBE_NO;
}

/* Server text: its last bytes are kept; what they say when the client
 * starts a line is the prompt it answers. */
static void server_text(telnet_state *s, char c)
{
    if (s->tail_len == TN_TAIL) {
        memmove(s->tail, s->tail + 1, TN_TAIL - 1);
        s->tail_len--;
    }
    s->tail[s->tail_len++] = c ? c : ' ';
    s->tail[s->tail_len] = 0;
}

static bool ends_with(const char *t, size_t l, const char *w)
{
    size_t wl = strlen(w);
    return l >= wl && !strncasecmp(t + l - wl, w, wl);
}

/* The client starts a line: which prompt does it answer? */
static void prompt(telnet_state *s)
{
    size_t l = s->tail_len;
    const char *t = s->tail;
    while (l && (t[l - 1] == ' ' || t[l - 1] == '\r' || t[l - 1] == '\n'))
        l--;
    s->expect = EXPECT_NONE;
    if (ends_with(t, l, "password:")) {
        s->expect = EXPECT_PASS;
    } else if (ends_with(t, l, "login:") || ends_with(t, l, "username:") ||
               ends_with(t, l, "user name:")) {
        s->expect = EXPECT_USER;
        if (ci_has(s->tail, "incorrect") || ci_has(s->tail, "failed") ||
            ci_has(s->tail, "denied") || ci_has(s->tail, "invalid")) {
            s->failures++;
            s->refused = true;          /* told to the detectors by the caller */
        }
    }
    s->tail_len = 0;
    s->tail[0] = 0;
}

static void client_line(telnet_state *s)
{
    s->line[s->llen] = 0;
    if (s->expect == EXPECT_USER && s->llen) {
        s->user_lines++;
        bool dup = false;
        for (int i = 0; i < s->nusers; i++)
            dup = dup || !strcmp(s->users[i], s->line);
        if (!dup && s->nusers < TN_USERS)
            memcpy(s->users[s->nusers++], s->line, s->llen + 1);
    } else if (s->expect == EXPECT_PASS) {
        s->passwords++;
    }
    s->expect = EXPECT_NONE;
    s->llen = 0;
    s->in_line = false;
}

static void client_text(telnet_state *s, char c)
{
    if (c == 0)
        return;
    if (!s->in_line) {
        prompt(s);
        s->in_line = true;
    }
    if (c == '\r' || c == '\n') {
        client_line(s);
        return;
    }
    if (c == 0x08 || c == 0x7f) {
        if (s->llen)
            s->llen--;
        return;
    }
    if (s->llen < TN_LINE - 1)
        s->line[s->llen++] = (c >= 0x20 && c < 0x7f) ? c : '?';
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *p, uint32_t n,
                  uint64_t ts)
{
    (void)a;
    (void)f;
    telnet_state *s = st;
    tn_dir *d = &s->d[dir];
    if (!s->ts)
        s->ts = ts;
    if (!p) {
        d->iac = 0;
        d->sb = false;
        if (dir == MM_TO_SERVER)
            s->llen = 0;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (d->sb) {                        /* subnegotiation: up to IAC SE */
            if (d->sb_iac && c == 0xF0)
                d->sb = false;
            d->sb_iac = c == 0xFF && !d->sb_iac;
            continue;
        }
        if (d->iac) {
            if (d->iac == 2) {              /* the command byte */
                if (c == 0xFF) {            /* IAC IAC: a data byte 255 */
                    d->iac = 0;
                    continue;
                }
                if (c == 0xFA) {
                    d->sb = true;
                    d->sb_iac = false;
                    d->iac = 0;
                    continue;
                }
                d->iac = (c >= 0xFB && c <= 0xFE) ? 1 : 0;
                if (d->iac)
                    s->negotiated = true;
                continue;
            }
            d->iac = 0;                     /* the option byte */
            continue;
        }
        if (c == 0xFF) {
            d->iac = 2;
            continue;
        }
        if (dir == MM_TO_CLIENT)
            server_text(s, (char)c);
        else
            client_text(s, (char)c);
        if (s->refused) {
            s->refused = false;
            mm_obs_login o = {.service = "telnet", .ok = false};
            mm_app_observe(a, f, MM_TO_CLIENT, MM_OBS_LOGIN, &o, ts);
        }
    }
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)ts;
    telnet_state *s = st;
    mm_json *j = mm_app_event_begin(a, f, s->ts ? s->ts : ts, "telnet", MM_TO_SERVER, false);
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "telnet");
    if (s->nusers) {
        mj_arr_open(j, "users");
        for (int i = 0; i < s->nusers; i++)
            mj_str(j, NULL, s->users[i]);
        mj_arr_close(j);
    }
    mj_u64(j, "login_attempts", s->passwords > s->user_lines ? s->passwords : s->user_lines);
    mj_u64(j, "login_failures", s->failures);
    mj_bool(j, "negotiated", s->negotiated);
    mj_obj_close(j);
    mm_app_event_close(a);
}

const mm_app_parser mm_parser_telnet = {
    .name = "telnet", .id = MM_APP_TELNET, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(telnet_state), .parse = parse, .finish = finish,
};
