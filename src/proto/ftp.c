/*
 * ftp.c - FTP control connections, and the data connections they open.
 *
 * Control: each command with its reply lines (preliminary 1xx and the
 * final one) is an "ftp" event as Suricata writes it: command,
 * command_data, reply texts, completion codes, and for PASV/EPSV/PORT/EPRT
 * the data port and mode. PASS's argument is logged, as Suricata does:
 * FTP sends it in clear, and seeing it is the point (a password sent in
 * clear is a finding).
 *
 * Data: a PASV/EPSV reply or a PORT/EPRT command says which connection
 * will carry the next transfer; it is registered with app.c
 * (mm_app_expect) together with the transfer command that follows (RETR,
 * STOR, LIST...) and its file name. The data connection is "ftp-data" and
 * logs one "ftp_data" event with the file name, the command and the bytes
 * carried.
 */
#include "proto/app.h"
#include "proto/file.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FTP_LINE 4097          /* a line as Suricata keeps it: 4 KiB, and a NUL */
#define FTP_REPLIES 8
#define FTP_PENDING 8

typedef struct ftp_cmd {
    char cmd[8];
    char data[FTP_LINE];
    bool cut;
    char reply[FTP_REPLIES][256];
    char code[FTP_REPLIES][4];
    uint8_t nreply;
    bool reply_cut;
    bool has_port, passive;
    uint16_t port;
    uint64_t ts;
} ftp_cmd;

typedef struct ftp_state {
    char line[2][FTP_LINE];
    uint32_t llen[2];
    bool cut[2];
    ftp_cmd q[FTP_PENDING];     /* commands awaiting their final reply */
    uint8_t qh, qn;
    ftp_cmd unasked;            /* a reply no command asked for (the greeting) */
    bool unasked_open;
    mm_ip data_ip;              /* the last announced data connection */
    uint16_t data_port;
    bool data_ready;
} ftp_state;

/* --- detection ---------------------------------------------------------- */

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    if (udp)
        return MM_PROBE_NO;
    if (dir == MM_TO_SERVER) {
        /* POP3 and IRC clients say USER too: from the client alone only
         * on the FTP port (elsewhere the server's greeting decides) */
        if (f->sport != 21)
            return MM_PROBE_NO;
        static const char *const first[] = {"USER ", "AUTH ", "FEAT", "SYST", "OPTS "};
        return mm_probe_verbs(d, n, first, sizeof first / sizeof first[0]);
    }
    /* a greeting "220 ... FTP ..." (SMTP greets with 220 too) */
    return mm_probe_greeting(d, n, "FTP");
}

/* --- events --------------------------------------------------------------- */

static void log_cmd(mm_app *a, mm_flow *f, ftp_cmd *c, bool replied)
{
    mm_json *j = mm_app_event_begin(a, f, c->ts, "ftp", MM_TO_SERVER, false);
    mj_obj_open(j, "ftp");
    if (c->cmd[0])              /* none: the reply nobody asked for (greeting) */
        mj_str(j, "command", c->cmd);
    if (c->data[0])
        mj_str(j, "command_data", c->data);
    mj_bool(j, "command_truncated", c->cut);
    if (c->nreply) {
        mj_arr_open(j, "reply");
        for (int i = 0; i < c->nreply; i++)
            mj_str(j, NULL, c->reply[i]);
        mj_arr_close(j);
        mj_arr_open(j, "completion_code");
        for (int i = 0; i < c->nreply; i++)
            mj_str(j, NULL, c->code[i]);
        mj_arr_close(j);
    }
    if (c->has_port) {
        mj_u64(j, "dynamic_port", c->port);
        mj_str(j, "mode", c->passive ? "passive" : "active");
    }
    mj_str(j, "reply_received", replied ? "yes" : "no");
    mj_bool(j, "reply_truncated", c->reply_cut);
    mj_obj_close(j);
    mm_app_event_end(a, f);
}

/* --- data connections ------------------------------------------------------ */

/* "h1,h2,h3,h4,p1,p2" (PORT, PASV reply) */
static bool host_port(const char *p, mm_ip *ip, uint16_t *port)
{
    unsigned v[6];
    int k = 0;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    for (; k < 6; k++) {
        char *e;
        unsigned long x = strtoul(p, &e, 10);
        if (e == p || x > 255)
            return false;
        v[k] = (unsigned)x;
        p = e;
        if (k < 5) {
            if (*p != ',')
                return false;
            p++;
        }
    }
    memset(ip, 0, sizeof(*ip));
    ip->v = 4;
    for (int i = 0; i < 4; i++)
        ip->b[i] = (uint8_t)v[i];
    *port = (uint16_t)(v[4] << 8 | v[5]);
    return *port != 0;
}

/* "|1|addr|port|" (EPRT) or "(|||port|)" (EPSV reply) */
static bool ext_port(const char *p, mm_ip *ip, uint16_t *port, bool *has_ip)
{
    const char *s = strchr(p, '|');
    if (!s)
        return false;
    char dl = '|';
    const char *f[4];
    int k = 0;
    for (const char *q = s; *q && k < 4; q++)
        if (*q == dl)
            f[k++] = q;
    if (k < 4)
        return false;
    char addr[64];
    size_t al = (size_t)(f[2] - f[1] - 1);
    *has_ip = al > 0 && al < sizeof addr;
    if (*has_ip) {
        memcpy(addr, f[1] + 1, al);
        addr[al] = 0;
        if (!mm_ip_parse(addr, ip))
            *has_ip = false;
    }
    unsigned long x = strtoul(f[2] + 1, NULL, 10);
    if (x == 0 || x > 65535)
        return false;
    *port = (uint16_t)x;
    return true;
}

static bool transfer_cmd(const char *c)
{
    static const char *const t[] = {"RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(c, t[i]))
            return true;
    return false;
}

/* --- control ---------------------------------------------------------------- */

static void command(mm_app *a, mm_flow *f, ftp_state *s, const char *l, bool cut, uint64_t ts)
{
    if (s->qn == FTP_PENDING) {
        log_cmd(a, f, &s->q[s->qh], false);     /* never answered */
        s->qh = (uint8_t)((s->qh + 1) % FTP_PENDING);
        s->qn--;
    }
    ftp_cmd *c = &s->q[(s->qh + s->qn) % FTP_PENDING];
    s->qn++;
    memset(c, 0, sizeof(*c));
    c->ts = ts;
    size_t k = 0;
    while (l[k] && l[k] != ' ' && k + 1 < sizeof c->cmd) {
        c->cmd[k] = (char)toupper((unsigned char)l[k]);
        k++;
    }
    c->cmd[k] = 0;
    const char *arg = l + k;
    while (*arg && *arg != ' ')
        arg++;                                   /* a verb longer than we keep */
    while (*arg == ' ')
        arg++;
    mm_strcpy(c->data, sizeof c->data, arg);
    c->cut = cut;
    if (!strcmp(c->cmd, "PORT")) {
        mm_ip ip;
        if (host_port(arg, &ip, &c->port)) {
            c->has_port = true;
            s->data_ip = ip;
            s->data_port = c->port;
            s->data_ready = true;
        }
    } else if (!strcmp(c->cmd, "EPRT")) {
        mm_ip ip;
        bool has_ip;
        if (ext_port(arg, &ip, &c->port, &has_ip)) {
            c->has_port = true;
            s->data_ip = has_ip ? ip : f->cli;
            s->data_port = c->port;
            s->data_ready = true;
        }
    } else if (transfer_cmd(c->cmd) && s->data_ready) {
        mm_app_expect(a, &s->data_ip, s->data_port, c->cmd, c->data);
        s->data_ready = false;
    }
}

static void reply(mm_app *a, mm_flow *f, ftp_state *s, const char *l, uint32_t n, bool cut)
{
    if (n < 3 || !isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1]) ||
        !isdigit((unsigned char)l[2]))
        return;                                  /* a continuation line */
    /* a reply no command asked for (the server's greeting) is a transaction
     * of its own, as Suricata's */
    bool unasked = !s->qn;
    if (unasked && !s->unasked_open) {
        memset(&s->unasked, 0, sizeof s->unasked);
        s->unasked.ts = f->last_ns;
        s->unasked_open = true;
    }
    ftp_cmd *c = unasked ? &s->unasked : &s->q[s->qh];
    if (cut)
        c->reply_cut = true;
    const char *text = l + 3;
    if (*text == ' ' || *text == '-')
        text++;
    if (c->nreply < FTP_REPLIES) {
        mm_strcpy(c->reply[c->nreply], sizeof c->reply[0], text);
        memcpy(c->code[c->nreply], l, 3);
        c->code[c->nreply][3] = 0;
        c->nreply++;
    } else {
        c->reply_cut = true;
    }
    if (n > 3 && l[3] == '-')
        return;                                  /* more lines follow */
    if (!strcmp(c->cmd, "PASS") && (l[0] == '2' || !strncmp(l, "530", 3))) {
        mm_obs_login o = {.service = "ftp", .ok = l[0] == '2'};
        mm_app_observe(a, f, MM_TO_CLIENT, MM_OBS_LOGIN, &o, f->last_ns);
    }
    if (!strcmp(c->cmd, "PASV") && !strncmp(l, "227", 3)) {
        mm_ip ip;
        const char *p = strchr(text, '(');
        if (host_port(p ? p : text, &ip, &c->port)) {
            c->has_port = c->passive = true;
            s->data_ip = ip;
            s->data_port = c->port;
            s->data_ready = true;
        }
    } else if (!strcmp(c->cmd, "EPSV") && !strncmp(l, "229", 3)) {
        mm_ip ip;
        bool has_ip;
        if (ext_port(text, &ip, &c->port, &has_ip)) {
            c->has_port = c->passive = true;
            s->data_ip = f->srv;                 /* EPSV: the same server */
            s->data_port = c->port;
            s->data_ready = true;
        }
    }
    if (l[0] == '1')
        return;                                  /* preliminary: the final one follows */
    log_cmd(a, f, c, true);
    if (unasked) {
        s->unasked_open = false;
        return;
    }
    s->qh = (uint8_t)((s->qh + 1) % FTP_PENDING);
    s->qn--;
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    ftp_state *s = st;
    /* after AUTH TLS, app.c gives the records to TLS, and cleartext
     * again after CCC */
    if (!d) {
        s->llen[dir] = 0;
        return;
    }
    char *line = s->line[dir];
    for (uint32_t i = 0; i < n; i++) {
        char c = (char)d[i];
        if (c != '\n') {
            if (s->llen[dir] < FTP_LINE - 1)
                line[s->llen[dir]++] = c;
            else
                s->cut[dir] = true;
            continue;
        }
        uint32_t ll = s->llen[dir];
        if (ll && line[ll - 1] == '\r')
            ll--;
        line[ll] = 0;
        bool cut = s->cut[dir];
        s->llen[dir] = 0;
        s->cut[dir] = false;
        if (cut) {
            /* a line past 4 KiB: Suricata's event, and the line cut */
            mm_app_error(a, f);
            mm_app_observe(a, f, dir, MM_OBS_APP_EVENT,
                           dir == MM_TO_SERVER ? "ftp.request_command_too_long"
                                               : "ftp.response_command_too_long", ts);
        }
        if (dir == MM_TO_SERVER) {
            if (ll)
                command(a, f, s, line, cut, ts);
        } else {
            reply(a, f, s, line, ll, cut);
        }
    }
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)ts;
    ftp_state *s = st;
    while (s->qn) {
        log_cmd(a, f, &s->q[s->qh], s->q[s->qh].nreply > 0);
        s->qh = (uint8_t)((s->qh + 1) % FTP_PENDING);
        s->qn--;
    }
}

const mm_app_parser mm_parser_ftp = {
    .name = "ftp", .id = MM_APP_FTP, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(ftp_state), .parse = parse, .finish = finish,
};

/* --- ftp-data ---------------------------------------------------------------- */

typedef struct ftpdata_state {
    char cmd[8];
    char name[FTP_LINE];
    uint64_t bytes[2];
    uint64_t ts;
    bool gap;
    mm_file *file;              /* RETR, STOR, APPE, STOU: the file moved */
} ftpdata_state;

static int probe_never(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f, (void)dir, (void)udp, (void)d, (void)n;
    return MM_PROBE_NO;                          /* only by expectation */
}

void mm_ftpdata_init(void *st, const char *cmd, const char *name)
{
    ftpdata_state *s = st;
    mm_strcpy(s->cmd, sizeof s->cmd, cmd);
    mm_strcpy(s->name, sizeof s->name, name);
}

static void ftpdata_json(mm_json *j, const void *arg);

static void parse_data(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                       uint64_t ts)
{
    ftpdata_state *s = st;
    if (!s->ts) {
        s->ts = ts;
        /* ftpdata_command: seen the way the command moves data (STOR,
         * APPE, STOU to the server, the rest from it), as Suricata's */
        if (a->buffers) {
            bool up = !strcmp(s->cmd, "STOR") || !strcmp(s->cmd, "APPE") ||
                      !strcmp(s->cmd, "STOU");
            mm_obs_buf b = {MM_BUF_FTPDATA_COMMAND, (const uint8_t *)s->cmd,
                            (uint32_t)strlen(s->cmd)};
            mm_obs_buffers ob = {&b, 1, ftpdata_json, s};
            mm_app_observe(a, f, up ? MM_TO_SERVER : MM_TO_CLIENT, MM_OBS_BUFFERS, &ob, ts);
        }
        if (strcmp(s->cmd, "LIST") && strcmp(s->cmd, "NLST") && strcmp(s->cmd, "MLSD")) {
            s->file = mm_file_open(a, s->name, strlen(s->name), ts);
            mm_file_set_tx(s->file, 0);         /* a data connection's one transaction */
            mm_file_set_dir(s->file, dir);
        }
    }
    s->bytes[dir] += n;
    if (!d)
        s->gap = true;
    mm_file_data(a, s->file, d, n);
}

static void ftpdata_json(mm_json *j, const void *arg)
{
    const ftpdata_state *s = arg;
    mj_obj_open(j, "ftp_data");
    if (s->name[0])
        mj_str(j, "filename", s->name);
    mj_str(j, "command", s->cmd);
    mj_obj_close(j);
}

static void finish_data(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    ftpdata_state *s = st;
    /* the transfer ends with the connection: whole if it closed cleanly */
    int dd = s->bytes[MM_TO_CLIENT] >= s->bytes[MM_TO_SERVER] ? MM_TO_CLIENT : MM_TO_SERVER;
    if (s->file)
        mm_file_close(a, f, s->file, f->half[dd].fin && !s->gap && !mm_app_depth_cut(f, dd), ts,
                      ftpdata_json, s);
    s->file = NULL;
    mm_json *j = mm_app_event_begin(a, f, s->ts ? s->ts : ts, "ftp_data", MM_TO_SERVER, false);
    ftpdata_json(j, s);
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "ftp_data");
    mj_u64(j, "bytes", s->bytes[0] + s->bytes[1]);
    if (s->gap)
        mj_bool(j, "gaps", true);
    mj_obj_close(j);
    mm_app_event_close(a);
}

const mm_app_parser mm_parser_ftpdata = {
    .name = "ftp-data", .id = MM_APP_FTPDATA, .tcp = true, .udp = false,
    .probe = probe_never, .state_size = sizeof(ftpdata_state), .parse = parse_data,
    .finish = finish_data,
};
