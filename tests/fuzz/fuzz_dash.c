/* Fuzz target: the dashboard's request handling (src/dash on the web
 * layer) from bytes, without sockets: the gate, the one authorisation
 * decision, the query parameters and forms of every route, over a small
 * store of two companies. Input: byte 0 who asks (0 nobody, 1 the
 * analyst, 2 alice of company A; with a session cookie), then the web
 * fuzz request (tests/fuzz/webreq.h: the peer byte, "METHOD\nTARGET\n",
 * header lines, an empty line, the body). Every response must carry the
 * security headers and a status in range, hold no script and no inline
 * style attribute, and an answer to alice must hold none of company B's data
 * unless the request itself carried it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dash/dash.h"
#include "dash/session.h"
#include "dash/users.h"
#include "util/util.h"
#include "webreq.h"

static mm_dash *dash;
static char cookie[3][128];
static const char *const b_data[] = {"bravo-secret-co", "192.0.2.66", "198.51.100.77"};

static void setup(void)
{
    static char dir[] = "/tmp/mm-fuzz-dash-XXXXXX";
    char path[128], err[256];
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/s.db", dir);
    mm_db *db = mm_db_open(path, err, sizeof err);
    if (!db || mm_store_init(db) != 0 ||
        mm_db_exec(db,
                   "INSERT INTO sites (name) VALUES ('alpha-co'), ('bravo-secret-co');"
                   "INSERT INTO alerts (site_id, ts, severity, family, signature, local_ip,"
                   " remote_ip, remote_cc, explain, direction) VALUES"
                   " (1, 1700000000000000, 1, 'rdp', 'sig a', '10.1.0.5', '203.0.113.9', 'JP',"
                   " 'rdp_success', 'inbound'),"
                   " (2, 1700000000000000, 1, 'rdp', 'sig b', '192.0.2.66', '198.51.100.77',"
                   " 'US', 'rdp_success', 'inbound');"
                   "INSERT INTO ioc_hits (site_id, set_name, indicator, seen, host, count,"
                   " first_ts, last_ts) VALUES"
                   " (1, 'w', '203.0.113.9', '203.0.113.9', '10.1.0.5', 1, 1, 1),"
                   " (2, 'w', '198.51.100.77', '198.51.100.77', '192.0.2.66', 1, 1, 1)") != 0 ||
        mm_user_add(db, "ana", MM_ROLE_ANALYST, NULL, "password-ana", err, sizeof err) != 0 ||
        mm_user_add(db, "alice", MM_ROLE_COMPANY, "alpha-co", "password-alice", err,
                    sizeof err) != 0)
        abort();
    int64_t now = (int64_t)(mm_now_ns() / 1000);
    for (int i = 1; i <= 2; i++) {
        char tok[MM_SESS_TOKEN_LEN + 1];
        if (mm_sess_create(db, i, now, tok) != 0)
            abort();
        snprintf(cookie[i], sizeof cookie[i], "%s=%s", MM_SESS_COOKIE, tok);
    }
    mm_db_close(db);
    mm_dash_config c;
    mm_dash_config_defaults(&c);
    c.db = path;
    c.geoip = "/nonexistent";
    c.web.trusted_proxies = "10.0.0.0/8,fd00::/8";
    c.web.rl.capacity = 64;
    c.web.csrf_capacity = 64;
    if (!(dash = mm_dash_new(&c, err, sizeof err)))
        abort();
}

static void check_resp(const mm_web_resp *r, int who, const uint8_t *data, size_t size)
{
    if (r->status < 100 || r->status > 599 || !mm_web_resp_get(r, "Content-Security-Policy") ||
        !mm_web_resp_get(r, "X-Frame-Options") || !mm_web_resp_get(r, "X-Content-Type-Options"))
        abort();
    for (size_t i = 0; i < r->nhdr; i++)
        if (strpbrk(r->hdr[i].value, "\r\n"))
            abort();
    if (!r->body.s || strncmp(r->ctype, "application/pdf", 15) == 0)
        return;
    if (strncmp(r->ctype, "text/html", 9) == 0 && !mm_web_resp_get(r, "Content-Disposition") &&
        (memmem(r->body.s, r->body.len, "<script", 7) ||
         memmem(r->body.s, r->body.len, " style=\"", 8)))
        abort();
    if (who != 2)
        return;
    for (size_t i = 0; i < sizeof b_data / sizeof b_data[0]; i++) {
        size_t l = strlen(b_data[i]);
        if (memmem(r->body.s, r->body.len, b_data[i], l) && !memmem(data, size, b_data[i], l))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dash)
        setup();
    if (size < 2)
        return 0;
    int who = data[0] % 3;
    static char in[FZ_WEB_MAXIN + 1];
    static mm_web_req req;
    static mm_web_resp resp;
    if (!fz_web_input(&req, data + 1, size - 1, in, mm_now_ns()))
        return 0;
    if (who)
        mm_web_req_add_header(&req, "Cookie", cookie[who]);
    mm_web_resp_init(&resp, 32u << 20);
    mm_web_dispatch(mm_dash_web(dash), &req, &resp);
    check_resp(&resp, who, data, size);
    mm_web_req_done(&req);
    mm_web_resp_free(&resp);
    return 0;
}
