/* test_dash.c - the dashboard's passwords, sessions and its one
 * authorisation decision, route by route and role by role. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dash/authz.h"
#include "dash/dash.h"
#include "dash/session.h"
#include "dash/users.h"
#include "util/util.h"

static char dir[] = "/tmp/mm-test-dash-XXXXXX";

static mm_db *store(void)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/s%d.db", dir, rand());
    mm_db *db = mm_db_open(path, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(mm_store_init(db), 0);
    assert_int_equal(mm_db_exec(db, "INSERT INTO sites (name) VALUES ('A'), ('B')"), 0);
    return db;
}

static void test_password(void **st)
{
    (void)st;
    char h[MM_PWHASH_LEN], h2[MM_PWHASH_LEN];
    assert_true(mm_pw_hash("correct horse battery", h));
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_true(mm_pw_verify(h, "correct horse battery"));
    assert_false(mm_pw_verify(h, "correct horse batterY"));
    assert_false(mm_pw_verify(h, ""));
    assert_false(mm_pw_verify("not a hash", "x"));
    /* salted: the same password twice gives two strings */
    assert_true(mm_pw_hash("correct horse battery", h2));
    assert_string_not_equal(h, h2);
    assert_false(mm_pw_acceptable("short"));
    assert_false(mm_pw_acceptable("long enough\nbut a newline"));
    assert_true(mm_pw_acceptable("long enough password"));
    assert_true(mm_user_name_ok("alice@example.jp"));
    assert_false(mm_user_name_ok("a b"));
    assert_false(mm_user_name_ok(""));
}

static void test_users(void **st)
{
    (void)st;
    mm_db *db = store();
    char err[256];
    assert_int_equal(mm_user_add(db, "ana", MM_ROLE_ANALYST, NULL, "password-ana", err,
                                 sizeof err), 0);
    assert_int_equal(mm_user_add(db, "alice", MM_ROLE_COMPANY, "A", "password-alice", err,
                                 sizeof err), 0);
    /* a name in use, a company without a company, a company not in the store */
    assert_int_equal(mm_user_add(db, "alice", MM_ROLE_ANALYST, NULL, "password-x12", err,
                                 sizeof err), -1);
    assert_int_equal(mm_user_add(db, "carol", MM_ROLE_COMPANY, NULL, "password-x12", err,
                                 sizeof err), -1);
    assert_int_equal(mm_user_add(db, "carol", MM_ROLE_COMPANY, "Z", "password-x12", err,
                                 sizeof err), -1);
    assert_int_equal(mm_user_add(db, "carol", MM_ROLE_ANALYST, "A", "password-x12", err,
                                 sizeof err), -1);
    mm_user u;
    int64_t now = 1700000000000000;
    assert_int_equal(mm_user_login(db, NULL, "alice", "password-alice", now, &u), MM_LOGIN_OK);
    assert_int_equal(u.role, MM_ROLE_COMPANY);
    assert_string_equal(u.site, "A");
    assert_int_equal(mm_user_login(db, NULL, "nobody", "password-alice", now, &u), MM_LOGIN_BAD);
    /* the lockout: MM_USER_LOCK_AFTER failures, then even the right
     * password is refused until it ends */
    for (int i = 0; i < MM_USER_LOCK_AFTER; i++)
        assert_int_equal(mm_user_login(db, NULL, "alice", "wrong", now + i, &u), MM_LOGIN_BAD);
    assert_int_equal(mm_user_login(db, NULL, "alice", "password-alice", now + 20, &u),
                     MM_LOGIN_LOCKED);
    int64_t after = now + (int64_t)MM_USER_LOCK_S * 1000000 + 100;
    assert_int_equal(mm_user_login(db, NULL, "alice", "password-alice", after, &u), MM_LOGIN_OK);
    /* a change needs the old password */
    assert_int_equal(mm_user_change_pw(db, NULL, u.id, "wrong", "new-password-1", after),
                     MM_LOGIN_BAD);
    assert_int_equal(mm_user_change_pw(db, NULL, u.id, "password-alice", "new-password-1", after),
                     MM_LOGIN_OK);
    assert_int_equal(mm_user_login(db, NULL, "alice", "new-password-1", after, &u), MM_LOGIN_OK);
    assert_int_equal(mm_user_remove(db, "alice", err, sizeof err), 0);
    assert_int_equal(mm_user_login(db, NULL, "alice", "new-password-1", after, &u), MM_LOGIN_BAD);
    assert_int_equal(mm_user_remove(db, "alice", err, sizeof err), -1);
    mm_db_close(db);
}

static void test_sessions(void **st)
{
    (void)st;
    mm_db *db = store();
    char err[256];
    assert_int_equal(mm_user_add(db, "bob", MM_ROLE_COMPANY, "B", "password-bob1", err,
                                 sizeof err), 0);
    mm_user u;
    int64_t t0 = 1700000000000000, s = 1000000;
    assert_int_equal(mm_user_login(db, NULL, "bob", "password-bob1", t0, &u), MM_LOGIN_OK);
    char tok[MM_SESS_TOKEN_LEN + 1], tok2[MM_SESS_TOKEN_LEN + 1];
    assert_int_equal(mm_sess_create(db, u.id, t0, tok), 0);
    assert_int_equal(strlen(tok), MM_SESS_TOKEN_LEN);
    assert_int_equal(mm_sess_create(db, u.id, t0, tok2), 0);
    assert_string_not_equal(tok, tok2);
    /* the store has the hash only */
    char h[65];
    assert_true(mm_sess_hash(tok, h));
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'", tok);
    assert_int_equal(mm_db_scalar(db, sql), 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'", h);
    assert_int_equal(mm_db_scalar(db, sql), 1);

    mm_session ss;
    assert_true(mm_sess_lookup(db, tok, t0 + 10 * s, &ss));
    assert_string_equal(ss.user.name, "bob");
    assert_int_equal(ss.user.site_id, 2);
    /* not a token, a token not made here, a changed digit */
    assert_false(mm_sess_lookup(db, "", t0, &ss));
    assert_false(mm_sess_lookup(db, "zz", t0, &ss));
    char other[MM_SESS_TOKEN_LEN + 1];
    memcpy(other, tok, sizeof other);
    other[5] = other[5] == '0' ? '1' : '0';
    assert_false(mm_sess_lookup(db, other, t0, &ss));
    /* idle: used at +10 s, then nothing for MM_SESS_IDLE_S */
    assert_true(mm_sess_lookup(db, tok, t0 + 10 * s + (int64_t)MM_SESS_TOUCH_S * s, &ss));
    int64_t last = t0 + 10 * s + (int64_t)MM_SESS_TOUCH_S * s;
    assert_false(mm_sess_lookup(db, tok, last + (int64_t)MM_SESS_IDLE_S * s + s, &ss));
    assert_false(mm_sess_lookup(db, tok, last, &ss));         /* deleted */
    /* absolute: used every 20 minutes, still ends at MM_SESS_MAX_S */
    int64_t t = t0;
    for (; t < t0 + (int64_t)MM_SESS_MAX_S * s - 1200 * s; t += 1200 * s)
        assert_true(mm_sess_lookup(db, tok2, t, &ss));
    assert_false(mm_sess_lookup(db, tok2, t0 + (int64_t)MM_SESS_MAX_S * s, &ss));
    /* revoke one; revoke all but one; a password change ends them all */
    char a[MM_SESS_TOKEN_LEN + 1], b[MM_SESS_TOKEN_LEN + 1], c[MM_SESS_TOKEN_LEN + 1];
    assert_int_equal(mm_sess_create(db, u.id, t0, a), 0);
    assert_int_equal(mm_sess_create(db, u.id, t0, b), 0);
    assert_int_equal(mm_sess_create(db, u.id, t0, c), 0);
    assert_int_equal(mm_sess_revoke(db, a), 0);
    assert_false(mm_sess_lookup(db, a, t0, &ss));
    assert_true(mm_sess_hash(b, h));
    assert_int_equal(mm_sess_revoke_user(db, u.id, h), 0);
    assert_true(mm_sess_lookup(db, b, t0, &ss));
    assert_false(mm_sess_lookup(db, c, t0, &ss));
    assert_int_equal(mm_user_passwd(db, "bob", "password-bob2", err, sizeof err), 0);
    assert_false(mm_sess_lookup(db, b, t0, &ss));
    /* a session of a removed user is no session */
    assert_int_equal(mm_sess_create(db, u.id, t0, a), 0);
    assert_int_equal(mm_db_exec(db, "DELETE FROM users"), 0);
    assert_false(mm_sess_lookup(db, a, t0, &ss));
    mm_db_close(db);
}

/* companies 1 "A" and 2 "B" */
static int64_t resolve(void *ctx, const char *id, const char *name)
{
    (void)ctx;
    if (id)
        return !strcmp(id, "1") ? 1 : !strcmp(id, "2") ? 2 : 0;
    return !strcmp(name, "A") ? 1 : !strcmp(name, "B") ? 2 : 0;
}

static mm_authz decide(const mm_session *s, const mm_dash_route *r, const char *query,
                       const char *form, int64_t *site)
{
    mm_web_req req;
    mm_web_req_init(&req);
    assert_int_equal(mm_web_form_parse(&req.args, query, strlen(query)), MM_WEB_FORM_OK);
    assert_int_equal(mm_web_form_parse(&req.form, form, strlen(form)), MM_WEB_FORM_OK);
    mm_authz a = mm_dash_authorize(s, r, &req, resolve, NULL, site);
    mm_web_req_done(&req);
    return a;
}

static void test_authz(void **st)
{
    (void)st;
    mm_session ana, alice, broken;
    memset(&ana, 0, sizeof ana);
    ana.user.role = MM_ROLE_ANALYST;
    memset(&alice, 0, sizeof alice);
    alice.user.role = MM_ROLE_COMPANY;
    alice.user.site_id = 1;
    strcpy(alice.user.site, "A");
    broken = alice;
    broken.user.site_id = 0;
    size_t n;
    const mm_dash_route *rt = mm_dash_routes(&n);
    assert_true(n >= 10);
    int kinds[5] = {0};
    for (size_t i = 0; i < n; i++) {
        const mm_dash_route *r = &rt[i];
        int64_t site = -1;
        kinds[r->access]++;
        bool pub = r->access == MM_ACC_PUBLIC;
        /* no session */
        assert_int_equal(decide(NULL, r, "", "", &site), pub ? MM_AUTHZ_ALLOW : MM_AUTHZ_LOGIN);
        assert_int_equal(site, 0);
        assert_int_equal(decide(NULL, r, "site=1", "", &site),
                         pub ? MM_AUTHZ_ALLOW : MM_AUTHZ_LOGIN);
        if (pub)
            continue;
        /* a company account: its own company whatever it asks; another
         * company named anywhere: 404 */
        mm_authz own = r->access == MM_ACC_ANALYST ? MM_AUTHZ_FORBIDDEN : MM_AUTHZ_ALLOW;
        int64_t own_site = r->access == MM_ACC_COMPANY ? 1 : 0;
        assert_int_equal(decide(&alice, r, "", "", &site), own);
        assert_int_equal(site, own == MM_AUTHZ_ALLOW ? own_site : 0);
        assert_int_equal(decide(&alice, r, "site=1", "", &site), own);
        assert_int_equal(decide(&alice, r, "company=A", "", &site), own);
        static const char *const other[][2] = {
            {"site=2", ""}, {"company=B", ""}, {"", "site=2"}, {"", "company=B"},
            {"site=1", "site=2"}, {"site=1&site=2", ""}, {"site=1&company=B", ""},
            {"site=3", ""}, {"site=0", ""}, {"site=-1", ""}, {"site=1x", ""},
            {"company=", ""}, {"site=", ""}, {"company=a", ""},
        };
        for (size_t k = 0; k < sizeof other / sizeof other[0]; k++) {
            assert_int_equal(decide(&alice, r, other[k][0], other[k][1], &site),
                             MM_AUTHZ_NOT_FOUND);
            assert_int_equal(site, 0);
        }
        assert_int_equal(decide(&broken, r, "", "", &site), MM_AUTHZ_FORBIDDEN);
        /* an analyst: any company, named; none named on a company route: 404 */
        assert_int_equal(decide(&ana, r, "site=2", "", &site), MM_AUTHZ_ALLOW);
        assert_int_equal(site, r->access == MM_ACC_COMPANY ? 2 : 0);
        assert_int_equal(decide(&ana, r, "company=A", "", &site), MM_AUTHZ_ALLOW);
        assert_int_equal(site, r->access == MM_ACC_COMPANY ? 1 : 0);
        assert_int_equal(decide(&ana, r, "", "", &site),
                         r->access == MM_ACC_COMPANY ? MM_AUTHZ_NOT_FOUND : MM_AUTHZ_ALLOW);
        if (r->access == MM_ACC_COMPANY) {
            assert_int_equal(decide(&ana, r, "site=9", "", &site), MM_AUTHZ_NOT_FOUND);
            assert_int_equal(decide(&ana, r, "site=1&company=B", "", &site), MM_AUTHZ_NOT_FOUND);
        }
    }
    /* every kind is in the table */
    for (int k = MM_ACC_PUBLIC; k <= MM_ACC_COMPANY; k++)
        assert_true(kinds[k] > 0);
    int64_t site;
    assert_int_equal(mm_dash_authorize(&ana, NULL, NULL, resolve, NULL, &site),
                     MM_AUTHZ_NOT_FOUND);
}

/* Every route the server registers has its row. */
static void test_route_listing(void **st)
{
    (void)st;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(mm_dash_print_routes(f), 0);
    fclose(f);
    size_t n, lines = 0;
    mm_dash_routes(&n);
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, n);
    assert_null(strstr(text, "NONE"));
    free(text);
}

/* ---- the whole handling through the web layer, without sockets ---- */

static mm_dash *dash_store(char *cookie_alice, char *cookie_ana, size_t n)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/dispatch.db", dir);
    mm_db *db = mm_db_open(path, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(mm_store_init(db), 0);
    assert_int_equal(mm_db_exec(db, "INSERT INTO sites (name) VALUES ('A'), ('B')"), 0);
    assert_int_equal(mm_user_add(db, "alice", MM_ROLE_COMPANY, "A", "password-alice", err,
                                 sizeof err), 0);
    assert_int_equal(mm_user_add(db, "ana", MM_ROLE_ANALYST, NULL, "password-ana1", err,
                                 sizeof err), 0);
    char tok[MM_SESS_TOKEN_LEN + 1];
    int64_t now = (int64_t)(mm_now_ns() / 1000);
    assert_int_equal(mm_sess_create(db, 1, now, tok), 0);
    snprintf(cookie_alice, n, "%s=%s", MM_SESS_COOKIE, tok);
    assert_int_equal(mm_sess_create(db, 2, now, tok), 0);
    snprintf(cookie_ana, n, "%s=%s", MM_SESS_COOKIE, tok);
    mm_db_close(db);
    mm_dash_config c;
    mm_dash_config_defaults(&c);
    c.db = path;
    c.geoip = "/nonexistent";
    mm_dash *d = mm_dash_new(&c, err, sizeof err);
    assert_non_null(d);
    return d;
}

typedef struct answer {
    int status;
    char loc[128];
    char body[65536];
} answer;

static void ask(mm_dash *d, const char *method, const char *target, const char *cookie,
                const char *form, answer *a)
{
    mm_web_req req;
    mm_web_resp resp;
    mm_web_req_init(&req);
    req.method = method;
    req.target = target;
    req.peer.v = 4;
    req.peer.b[0] = 192;
    req.peer.b[3] = 7;
    req.now_ns = mm_now_ns();
    if (cookie)
        mm_web_req_add_header(&req, "Cookie", cookie);
    if (form) {
        mm_web_req_add_header(&req, "Content-Type", "application/x-www-form-urlencoded");
        req.body = (const uint8_t *)form;
        req.body_len = strlen(form);
    }
    mm_web_resp_init(&resp, 1 << 20);
    mm_web_dispatch(mm_dash_web(d), &req, &resp);
    a->status = resp.status;
    const char *l = mm_web_resp_get(&resp, "Location");
    snprintf(a->loc, sizeof a->loc, "%s", l ? l : "");
    snprintf(a->body, sizeof a->body, "%s", resp.body.s ? resp.body.s : "");
    mm_web_req_done(&req);
    mm_web_resp_free(&resp);
}

/* The value of a hidden field of a page. */
static void field(const char *body, const char *name, char *out, size_t n)
{
    char pat[64];
    snprintf(pat, sizeof pat, "name=\"%s\" value=\"", name);
    const char *p = strstr(body, pat);
    assert_non_null(p);
    p += strlen(pat);
    size_t l = strcspn(p, "\"");
    assert_true(l < n);
    memcpy(out, p, l);
    out[l] = 0;
}

static void test_dispatch(void **st)
{
    (void)st;
    char alice[128], ana[128];
    mm_dash *d = dash_store(alice, ana, sizeof alice);
    static answer a;
    ask(d, "GET", "/company", NULL, NULL, &a);
    assert_int_equal(a.status, 303);
    assert_string_equal(a.loc, "/login");
    ask(d, "POST", "/logout", NULL, "x=1", &a);
    assert_int_equal(a.status, 403);
    ask(d, "GET", "/company", "mm_session=0123", NULL, &a);
    assert_int_equal(a.status, 303);
    ask(d, "GET", "/company", alice, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "A"));
    assert_null(strstr(a.body, ">B<"));
    ask(d, "GET", "/company?site=2", alice, NULL, &a);
    assert_int_equal(a.status, 404);
    ask(d, "GET", "/alerts?company=B", alice, NULL, &a);
    assert_int_equal(a.status, 404);
    ask(d, "GET", "/companies", alice, NULL, &a);
    assert_int_equal(a.status, 403);
    ask(d, "GET", "/companies", ana, NULL, &a);
    assert_int_equal(a.status, 200);
    ask(d, "GET", "/company", ana, NULL, &a);
    assert_int_equal(a.status, 404);
    ask(d, "GET", "/company?company=B", ana, NULL, &a);
    assert_int_equal(a.status, 200);
    ask(d, "GET", "/static/dash.css", NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    ask(d, "GET", "/static/../x", NULL, NULL, &a);
    assert_int_equal(a.status, 404);
    /* logout: the address's CSRF token and the session's value, both */
    char csrf[128], sc[64], form[512];
    ask(d, "GET", "/password", alice, NULL, &a);
    field(a.body, "csrf", csrf, sizeof csrf);
    field(a.body, "sc", sc, sizeof sc);
    snprintf(form, sizeof form, "csrf=%s", csrf);
    ask(d, "POST", "/logout", alice, form, &a);
    assert_int_equal(a.status, 403);                    /* no sc */
    ask(d, "GET", "/password", alice, NULL, &a);
    field(a.body, "csrf", csrf, sizeof csrf);
    char ana_sc[64];
    static answer b;
    ask(d, "GET", "/password", ana, NULL, &b);
    field(b.body, "sc", ana_sc, sizeof ana_sc);
    snprintf(form, sizeof form, "csrf=%s&sc=%s", csrf, ana_sc);
    ask(d, "POST", "/logout", alice, form, &a);
    assert_int_equal(a.status, 403);                    /* another session's */
    ask(d, "GET", "/password", alice, NULL, &a);
    field(a.body, "csrf", csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf=%s&sc=%s", csrf, sc);
    ask(d, "POST", "/logout", alice, form, &a);
    assert_int_equal(a.status, 303);
    ask(d, "GET", "/company", alice, NULL, &a);
    assert_int_equal(a.status, 303);                    /* ended */
    ask(d, "GET", "/company?site=1", ana, NULL, &a);
    assert_int_equal(a.status, 200);                    /* the analyst's goes on */
    mm_dash_counters dc;
    mm_dash_stats(d, &dc);
    assert_true(dc.not_found >= 3 && dc.denied >= 3 && dc.no_session >= 3);
    mm_dash_free(d);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_authz),
        cmocka_unit_test(test_route_listing),
        cmocka_unit_test(test_dispatch),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        r = 1;
    return r;
}
