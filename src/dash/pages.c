/*
 * pages.c - the dashboard's frame (head, menu, language switch, logout),
 * its words in Japanese and English, the login and password pages and
 * the style sheets.
 */
#include "dash/dash_int.h"
#include "report/render.h"
#include "util/util.h"
#include "web/form.h"

#include <stdio.h>
#include <string.h>

const char dash_css[] =
    "body{font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;margin:0;max-width:none;"
    "padding:0;color:#222;"
    "line-height:1.6}\n"
    "nav{background:#234;color:#fff;padding:.4em 1em;display:flex;flex-wrap:wrap;gap:.2em 1em;"
    "align-items:center}\n"
    "nav a{color:#fff}nav form{display:inline;margin:0}nav .who{margin-left:auto;opacity:.85}\n"
    "nav button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;"
    "padding:.1em .6em}\n"
    "main{max-width:60em;margin:1em auto;padding:0 1em}\n"
    "main .report{max-width:none;margin:0;padding:0}\n"
    "main .report table{display:block;overflow-x:auto;max-width:100%}\n"
    "form.filter{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:end;margin:1em 0}\n"
    "form.filter label{display:flex;flex-direction:column;font-size:.9em}\n"
    "input,select,button{font-size:1em;padding:.25em .4em;max-width:100%}\n"
    "form.login{max-width:22em}form.login label{display:block;margin:.6em 0}\n"
    "form.login input{width:100%;box-sizing:border-box}\n"
    ".err{color:#b00;font-weight:bold}.ok{color:#070}\n"
    ".scroll{overflow-x:auto}table{border-collapse:collapse}\n"
    "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#eef}.downloads a{margin-right:1em}\n";

typedef struct word {
    const char *key, *ja, *en;
} word;

static const word words[] = {
    {"app", "みまもり", "mimamori"},
    {"login", "ログイン", "Log in"},
    {"user", "ユーザー名", "User name"},
    {"password", "パスワード", "Password"},
    {"login_failed",
     "ログインできませんでした。ユーザー名とパスワードを確かめてください。"
     "続けて失敗すると、しばらく（15 分）ログインできなくなります。",
     "The login failed. Check the user name and the password. After repeated failures, "
     "logins are refused for a while (15 minutes)."},
    {"login_rate", "試行が多すぎます。しばらく待ってからもう一度お試しください。",
     "Too many attempts. Wait a while and try again."},
    {"login_needed", "ログインしてください。", "Please log in."},
    {"logout", "ログアウト", "Log out"},
    {"home", "ホーム", "Home"},
    {"survey", "全体の調査", "Survey"},
    {"companies", "企業一覧", "Companies"},
    {"company", "企業", "Company"},
    {"report", "レポート", "Report"},
    {"alerts", "アラート", "Alerts"},
    {"pw_change", "パスワードの変更", "Change password"},
    {"pw_old", "今のパスワード", "Current password"},
    {"pw_new", "新しいパスワード", "New password"},
    {"pw_again", "新しいパスワード（確認）", "New password again"},
    {"pw_changed", "パスワードを変更しました。ほかの端末のログインは終了しました。",
     "The password was changed. Logins on other devices have ended."},
    {"pw_bad", "今のパスワードが違います。", "The current password is wrong."},
    {"pw_mismatch", "新しいパスワードが一致しません。", "The new passwords differ."},
    {"pw_weak", "新しいパスワードは 10 文字以上にしてください。",
     "A new password has at least 10 characters."},
    {"forbidden", "このページを見る権限がありません。", "You may not see this page."},
    {"not_found", "見つかりません。", "Not found."},
    {"bad_filter",
     "絞り込みの条件が読めません（日付は 2026-11-01、重大度は 1〜3、機器は IP アドレス）。",
     "The filter cannot be read (dates as 2026-11-01, severity 1 to 3, a host as an IP "
     "address)."},
    {"lang_other", "English", "日本語"},
    {"downloads", "ダウンロード", "Downloads"},
    {"from", "開始日", "From"},
    {"to", "終了日", "To"},
    {"family", "種類", "Family"},
    {"severity", "重大度", "Severity"},
    {"host", "社内の機器", "Internal host"},
    {"any", "すべて", "Any"},
    {"filter", "絞り込む", "Filter"},
    {"show", "表示", "Show"},
    {"all_data", "全期間", "All data"},
    {"bad_period", "期間が読めません（日付は 2026-12-01 の形で）。",
     "The period could not be read (dates as 2026-12-01)."},
    {"time", "日時", "Time"},
    {"signature", "シグネチャ", "Signature"},
    {"remote", "相手", "Remote"},
    {"explain", "説明と対策", "Explanation"},
    {"no_alerts", "該当するアラートはありません。", "No alerts match."},
    {"more_rows", "件目まで表示（条件を絞ってください）", "shown (narrow the filter)"},
    {"you_are", "あなたの会社の表記", "Your company appears as"},
    {"alert", "アラート", "Alert"},
    {"what", "何が起きたか", "What happened"},
    {"why", "なぜ問題か", "Why it matters"},
    {"steps", "対策", "What to do"},
    {"no_explain", "このアラートには説明がありません。", "This alert has no explanation."},
    {"letter", "調査での表記", "In the survey"},
    {"imports", "取り込み状況", "Imports"},
    {"hunting", "脅威情報との照合", "Indicator hits"},
    {"ioc_set", "セット", "Set"},
    {"indicator", "指標", "Indicator"},
    {"seen", "観測値", "Seen"},
    {"count", "回数", "Count"},
    {"last_seen", "最後の観測", "Last seen"},
    {"description", "説明", "Description"},
    {"no_hits", "一致はありません。", "No hits."},
    {"kind", "種類", "Kind"},
    {"n_imports", "取り込み数", "Imports"},
    {"events", "イベント数", "Events"},
    {"bytes", "バイト数", "Bytes"},
    {"last_import", "最後の取り込み", "Last import"},
    {"sensors", "センサー", "Sensors"},
    {"sensor", "センサー", "Sensor"},
    {"last_alert", "最後のアラート", "Last alert"},
    {"silent", "2 日以上アラートなし", "no alert for over 2 days"},
    {"health", "センサーの状態（最新の統計）", "Sensor health (the newest statistics)"},
    {"last_stats", "最新の統計", "Newest statistics"},
    {"stale", "2 日以上届いていません", "none for over 2 days"},
    {"packets", "パケット", "Packets"},
    {"drops", "取りこぼし", "Dropped"},
    {"memcap", "上限で追跡せず", "Not tracked (limits)"},
    {"unwritten", "書けなかったイベント", "Events not written"},
    {"rules_n", "ルール（失敗）", "Rules (failed)"},
    {"rules_age", "ルールの読み込み", "Rules read"},
    {"days_ago", "日前", "days ago"},
    {"reload_failed", "再読み込みの失敗", "Reloads failed"},
    {"disk_free", "ディスク空き", "Disk free"},
};

const char *dash_t(bool ja, const char *key)
{
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].key, key) == 0)
            return ja ? words[i].ja : words[i].en;
    return key;
}

void dash_urlenc(mm_web_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            char c = (char)*p;
            mm_web_buf_add(b, &c, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            mm_web_buf_add(b, e, 3);
        }
    }
}

void dash_site_q(mm_web_buf *b, const mm_dash_call *c)
{
    if (c->s && c->s->user.role == MM_ROLE_ANALYST && c->site > 0)
        mm_web_buf_printf(b, "?site=%lld&amp;", (long long)c->site);
    else
        mm_web_buf_puts(b, "?");
}

/* The link to this page in the other language: the page's own parameters
 * kept (no other key of the query is written back), lang replaced. */
static void lang_link(mm_web_buf *b, const mm_dash_call *c, const mm_web_req *req)
{
    static const char *const keep[] = {"site", "company", "id", "from", "to", "family",
                                       "severity", "host"};
    mm_web_buf_puts(b, "<a href=\"");
    mm_web_html_puts(b, req->path);
    mm_web_buf_puts(b, "?");
    for (size_t i = 0; i < req->args.n; i++) {
        bool kept = false;
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
            kept |= strcmp(req->args.f[i].key, keep[k]) == 0;
        if (!kept)
            continue;
        dash_urlenc(b, req->args.f[i].key);
        mm_web_buf_puts(b, "=");
        dash_urlenc(b, req->args.f[i].value);
        mm_web_buf_puts(b, "&amp;");
    }
    mm_web_buf_printf(b, "lang=%s\" lang=\"%s\">%s</a>", c->ja ? "en" : "ja", c->ja ? "en" : "ja",
                      dash_t(c->ja, "lang_other"));
}

void dash_head(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_buf *b,
               const char *title)
{
    bool ja = c->ja;
    mm_web_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                         "<title>", ja ? "ja" : "en");
    mm_web_html_puts(b, title);
    mm_web_buf_printf(b, " - %s</title><link rel=\"stylesheet\" href=\"/static/report.css\">"
                         "<link rel=\"stylesheet\" href=\"/static/dash.css\"></head><body>\n<nav>",
                      dash_t(ja, "app"));
    if (c->s) {
        const mm_user *u = &c->s->user;
        mm_web_buf_printf(b, "<a href=\"/\">%s</a>", dash_t(ja, "home"));
        mm_web_buf_printf(b, "<a href=\"/survey\">%s</a>", dash_t(ja, "survey"));
        if (u->role == MM_ROLE_ANALYST)
            mm_web_buf_printf(b, "<a href=\"/companies\">%s</a><a href=\"/imports\">%s</a>"
                                 "<a href=\"/hunting\">%s</a>",
                              dash_t(ja, "companies"), dash_t(ja, "imports"),
                              dash_t(ja, "hunting"));
        if (u->role == MM_ROLE_COMPANY || c->site > 0) {
            mm_web_buf_puts(b, "<a href=\"/company");
            dash_site_q(b, c);
            mm_web_buf_printf(b, "\">%s</a><a href=\"/alerts", dash_t(ja, "report"));
            dash_site_q(b, c);
            mm_web_buf_printf(b, "\">%s</a><a href=\"/indicators", dash_t(ja, "alerts"));
            dash_site_q(b, c);
            mm_web_buf_printf(b, "\">%s</a>", dash_t(ja, "hunting"));
        }
        mm_web_buf_printf(b, "<a href=\"/password\">%s</a>", dash_t(ja, "pw_change"));
    }
    lang_link(b, c, req);
    if (c->s) {
        char tok[128];
        mm_web_buf_puts(b, "<span class=\"who\">");
        mm_web_html_puts(b, c->s->user.name);
        if (c->s->user.role == MM_ROLE_COMPANY) {
            mm_web_buf_puts(b, " (");
            mm_web_html_puts(b, c->s->user.site);
            mm_web_buf_puts(b, ")");
        }
        mm_web_buf_puts(b, "</span>");
        char sc[33];
        dash_session_csrf(d, c->s, sc);
        if (mm_web_csrf_token(d->web, req, tok, sizeof tok))
            mm_web_buf_printf(b, "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" "
                                 "name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"sc\" "
                                 "value=\"%s\"><button>%s</button></form>",
                              tok, sc, dash_t(ja, "logout"));
    }
    mm_web_buf_puts(b, "</nav>\n<main>\n");
}

void dash_foot(mm_web_buf *b) { mm_web_buf_puts(b, "</main>\n</body></html>\n"); }

int dash_html(mm_web_resp *resp, int status)
{
    mm_strcpy(resp->ctype, sizeof resp->ctype, "text/html; charset=utf-8");
    return mm_web_buf_failed(&resp->body) ? -1 : status;
}

int dash_message(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp,
                 int status, const char *key)
{
    mm_web_buf_reset(&resp->body);
    dash_head(d, c, req, &resp->body, dash_t(c->ja, key));
    mm_web_buf_printf(&resp->body, "<p class=\"err\">%s</p>\n", dash_t(c->ja, key));
    if (!c->s)
        mm_web_buf_printf(&resp->body, "<p><a href=\"/login\">%s</a></p>\n",
                          dash_t(c->ja, "login"));
    dash_foot(&resp->body);
    return dash_html(resp, status);
}

int dash_redirect(mm_web_resp *resp, const char *to)
{
    mm_web_resp_header(resp, "Location", to);
    return mm_web_resp_text(resp, 303, "text/plain; charset=utf-8", "");
}

/* ---- login ---- */

static int login_page(mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                      mm_web_resp *resp, int status, const char *msg)
{
    char tok[128];
    if (!mm_web_csrf_token(d->web, req, tok, sizeof tok))
        return -1;
    mm_web_buf *b = &resp->body;
    mm_web_buf_reset(b);
    mm_dash_call anon = *c;
    anon.s = NULL;                      /* the login page shows no one as logged in */
    dash_head(d, &anon, req, b, dash_t(c->ja, "login"));
    mm_web_buf_printf(b, "<h1>%s</h1>\n", dash_t(c->ja, "login"));
    if (msg)
        mm_web_buf_printf(b, "<p class=\"err\">%s</p>\n", dash_t(c->ja, msg));
    mm_web_buf_printf(b,
                      "<form class=\"login\" method=\"post\" action=\"/login\">"
                      "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                      "<label>%s<input name=\"user\" autocomplete=\"username\" required "
                      "maxlength=\"64\"></label>"
                      "<label>%s<input name=\"password\" type=\"password\" "
                      "autocomplete=\"current-password\" required></label>"
                      "<button>%s</button></form>\n",
                      tok, dash_t(c->ja, "user"), dash_t(c->ja, "password"),
                      dash_t(c->ja, "login"));
    dash_foot(b);
    return dash_html(resp, status);
}

int dash_login_form(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    return login_page(d, c, req, resp, 200, NULL);
}

int dash_login(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    if (!mm_web_rl_take(d->login_rl, &req->client, req->now_ns)) {
        atomic_fetch_add(&d->login_rate, 1);
        mm_web_resp_header(resp, "Retry-After", "6");
        return login_page(d, c, req, resp, 429, "login_rate");
    }
    const char *name = mm_web_req_field(req, "user"), *pw = mm_web_req_field(req, "password");
    if (!name || !pw || mm_web_form_count(&req->form, "user") != 1 ||
        mm_web_form_count(&req->form, "password") != 1) {
        atomic_fetch_add(&d->login_failed, 1);
        return login_page(d, c, req, resp, 400, "login_failed");
    }
    mm_user u;
    int64_t now = (int64_t)(req->now_ns / 1000);
    mm_login_result r = mm_user_login(d->db, &d->db_mu, name, pw, now, &u);
    if (r == MM_LOGIN_ERROR)
        return -1;
    if (r != MM_LOGIN_OK) {
        atomic_fetch_add(r == MM_LOGIN_LOCKED ? &d->login_locked : &d->login_failed, 1);
        /* the same words whether the name exists, the password is wrong
         * or the account is locked */
        return login_page(d, c, req, resp, 401, "login_failed");
    }
    /* a new token, whatever cookie came with the request: a session is
     * never one the browser brought */
    char tok[MM_SESS_TOKEN_LEN + 1];
    pthread_mutex_lock(&d->db_mu);
    int rc = mm_sess_create(d->db, u.id, now, tok);
    pthread_mutex_unlock(&d->db_mu);
    if (rc != 0)
        return -1;
    atomic_fetch_add(&d->login_ok, 1);
    mm_web_resp_cookie(resp, MM_SESS_COOKIE, tok, 0, d->c.secure);
    return dash_redirect(resp, "/");
}

int dash_logout(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    char tok[MM_SESS_TOKEN_LEN + 2];
    if (mm_web_cookie_get(mm_web_req_header(req, "Cookie"), MM_SESS_COOKIE, tok, sizeof tok)) {
        pthread_mutex_lock(&d->db_mu);
        mm_sess_revoke(d->db, tok);
        pthread_mutex_unlock(&d->db_mu);
    }
    (void)c;
    mm_web_resp_cookie_clear(resp, MM_SESS_COOKIE, d->c.secure);
    return dash_redirect(resp, "/login");
}

/* ---- password ---- */

static int password_page(mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                         mm_web_resp *resp, int status, const char *msg, bool ok)
{
    char tok[128], sc[33];
    if (!mm_web_csrf_token(d->web, req, tok, sizeof tok))
        return -1;
    dash_session_csrf(d, c->s, sc);
    mm_web_buf *b = &resp->body;
    mm_web_buf_reset(b);
    bool ja = c->ja;
    dash_head(d, c, req, b, dash_t(ja, "pw_change"));
    mm_web_buf_printf(b, "<h1>%s</h1>\n", dash_t(ja, "pw_change"));
    if (msg)
        mm_web_buf_printf(b, "<p class=\"%s\">%s</p>\n", ok ? "ok" : "err", dash_t(ja, msg));
    mm_web_buf_printf(b,
                      "<form class=\"login\" method=\"post\" action=\"/password\">"
                      "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                      "<input type=\"hidden\" name=\"sc\" value=\"%s\">"
                      "<label>%s<input name=\"old\" type=\"password\" "
                      "autocomplete=\"current-password\" required></label>"
                      "<label>%s<input name=\"new\" type=\"password\" autocomplete=\"new-password\" "
                      "minlength=\"%d\" required></label>"
                      "<label>%s<input name=\"again\" type=\"password\" "
                      "autocomplete=\"new-password\" minlength=\"%d\" required></label>"
                      "<button>%s</button></form>\n",
                      tok, sc, dash_t(ja, "pw_old"), dash_t(ja, "pw_new"), MM_PW_MIN,
                      dash_t(ja, "pw_again"), MM_PW_MIN, dash_t(ja, "pw_change"));
    dash_foot(b);
    return dash_html(resp, status);
}

int dash_password_form(mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                       mm_web_resp *resp)
{
    return password_page(d, c, req, resp, 200, NULL, false);
}

int dash_password(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    const char *old = mm_web_req_field(req, "old"), *nw = mm_web_req_field(req, "new"),
               *again = mm_web_req_field(req, "again");
    if (!old || !nw || !again)
        return password_page(d, c, req, resp, 400, "pw_bad", false);
    if (strcmp(nw, again) != 0)
        return password_page(d, c, req, resp, 400, "pw_mismatch", false);
    if (!mm_pw_acceptable(nw))
        return password_page(d, c, req, resp, 400, "pw_weak", false);
    if (!mm_web_rl_take(d->login_rl, &req->client, req->now_ns)) {
        atomic_fetch_add(&d->login_rate, 1);
        return password_page(d, c, req, resp, 429, "login_rate", false);
    }
    mm_login_result r = mm_user_change_pw(d->db, &d->db_mu, c->s->user.id, old, nw,
                                          (int64_t)(req->now_ns / 1000));
    if (r == MM_LOGIN_ERROR)
        return -1;
    if (r != MM_LOGIN_OK)
        return password_page(d, c, req, resp, 403, "pw_bad", false);
    /* every session of the user ended (users.c); this one goes on with a
     * new token */
    char tok[MM_SESS_TOKEN_LEN + 1];
    pthread_mutex_lock(&d->db_mu);
    int rc = mm_sess_create(d->db, c->s->user.id, (int64_t)(req->now_ns / 1000), tok);
    pthread_mutex_unlock(&d->db_mu);
    if (rc != 0)
        return -1;
    mm_web_resp_cookie(resp, MM_SESS_COOKIE, tok, 0, d->c.secure);
    /* the page after it is of the new session (its forms' values) */
    mm_session ns = *c->s;
    mm_sess_hash(tok, ns.hash);
    mm_dash_call nc = *c;
    nc.s = &ns;
    return password_page(d, &nc, req, resp, 200, "pw_changed", true);
}

/* ---- style sheets ---- */

int dash_static(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    const char *css = strcmp(req->path, "/static/dash.css") == 0     ? dash_css
                      : strcmp(req->path, "/static/report.css") == 0 ? rp_html_css
                                                                     : NULL;
    if (!css)
        return dash_message(d, c, req, resp, 404, "not_found");
    resp->cacheable = true;
    return mm_web_resp_text(resp, 200, "text/css; charset=utf-8", css);
}
