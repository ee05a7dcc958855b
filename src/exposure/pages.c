/*
 * pages.c - the self-check service's pages and their words (see pages.h).
 */
#include "exposure/pages.h"
#include "web/form.h"

#include <stdio.h>
#include <string.h>

const char mm_selfpage_css[] =
    "body{font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;max-width:46em;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.6}\n"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.5em}\n"
    ".lang{float:right}.meta{color:#666;font-size:.9em}\n"
    "fieldset{border:1px solid #ccc;margin:.8em 0}legend{font-weight:bold}\n"
    "label{display:block}.why{color:#555;font-size:.9em;margin-left:1.6em}\n"
    "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;"
    "text-align:left;vertical-align:top}\n"
    ".open{color:#b00;font-weight:bold}.closed{color:#a60}.safe{color:#070}\n"
    ".terms{background:#f6f6f6;padding:.8em 1em}button{font-size:1.1em;padding:.4em 1.5em}\n";

typedef struct word {
    const char *key, *ja, *en;
} word;

static const word words[] = {
    {"title", "ポート開放の自己診断", "Open port self-check"},
    {"intro",
     "お使いの PC（またはルーター）に、インターネットから過去の攻撃で悪用されたポートで接続できるかを確かめます。"
     "接続できなければ「安全」、接続できれば「侵入される可能性があります」と表示します。",
     "This checks whether your PC (or router) can be reached from the Internet on ports that past "
     "attacks abused. When it cannot be reached the port is shown as safe; when it can, it may "
     "allow intrusion."},
    {"terms_h", "利用条件", "Terms"},
    {"terms",
     "この診断は、このページを開いているアドレス（{1}）にだけ、選んだポートへの接続を試みます。"
     "ほかのアドレスを調べることはできません。ご自身が管理する機器だけを診断してください。"
     "診断の日時、アドレス、ポートと結果は統計のために記録します。会社から案内されたリンクで診断した場合は、"
     "結果が会社のシステム管理者に届きます。",
     "The check connects only to the address this page was opened from ({1}), on the ports you "
     "choose; no other address can be checked. Only check equipment you are responsible for. The "
     "time, the address, the ports and the results are recorded for statistics; when you check "
     "through a link your company gave you, the results reach its system administrator."},
    {"company", "会社用のリンクで診断します：{1}", "Checking through your company's link: {1}"},
    {"consent", "利用条件に同意します", "I agree to the terms"},
    {"ports_h", "確認するポート", "Ports to check"},
    {"start", "診断する", "Check"},
    {"running_h", "診断しています", "Checking"},
    {"running", "{1} の {2} 個のポートに接続を試みています。数秒で結果が表示されます。",
     "Trying {2} ports of {1}. The result appears in a few seconds."},
    {"result_h", "診断の結果", "Result"},
    {"result_addr", "診断したアドレス：{1}", "Address checked: {1}"},
    {"result_sent", "結果は {1} のシステム管理者に届きます。",
     "The result reaches the system administrator of {1}."},
    {"port", "ポート", "Port"},
    {"state", "状態", "State"},
    {"advice", "対策", "What to do"},
    {"safe", "安全（応答なし）", "Safe (no answer)"},
    {"closed", "閉じている（接続は拒否されました。この機器には届きますが、ポートは閉じています）",
     "Closed (refused: the machine is reachable, the port is closed)"},
    {"open", "開いている：侵入される可能性があります", "Open: may allow intrusion"},
    {"all_safe", "選んだポートはすべて外から接続できませんでした。",
     "None of the ports you chose could be reached from outside."},
    {"some_open", "外から接続できるポートがあります。下の対策を行い、社内のシステム管理者に伝えてください。",
     "Some ports can be reached from outside. Follow the steps below and tell your system "
     "administrator."},
    {"again", "もう一度診断する", "Check again"},
    {"busy_h", "混み合っています", "Busy"},
    {"busy", "ただいま多くの診断を行っています。少し待ってからもう一度お試しください。",
     "Many checks are running. Please try again in a moment."},
    {"rate_h", "診断の回数が多すぎます", "Too many checks"},
    {"rate", "同じアドレスからの診断が続いています。しばらく待ってからお試しください。",
     "Checks from this address came too often. Please wait a while before trying again."},
    {"client_h", "アドレスが分かりません", "Address unknown"},
    {"client", "接続元のアドレスを確かめられないため、診断できません。",
     "The address this request came from cannot be established, so it cannot be checked."},
    {"link_h", "リンクが無効です", "Link not valid"},
    {"link", "このリンクは使えません。会社のシステム管理者に確認してください。",
     "This link cannot be used. Please ask your company's system administrator."},
    {"consent_h", "同意が必要です", "Consent needed"},
    {"consent_msg", "利用条件に同意してから診断してください。",
     "Please agree to the terms before checking."},
    {"ports_h2", "ポートを選んでください", "Choose ports"},
    {"ports_msg", "確認するポートを 1 つ以上選んでください。", "Please choose at least one port."},
    {"gone_h", "結果が見つかりません", "Result not found"},
    {"gone", "この結果は見つからないか、期限が切れました。", "This result does not exist or has expired."},
    {"error_h", "エラー", "Error"},
    {"error", "診断を行えませんでした。", "The check could not be made."},
};

static const char *w(const char *key, bool ja)
{
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(words[i].key, key) == 0)
            return ja ? words[i].ja : words[i].en;
    return key;
}

static void esc(mm_web_buf *b, const char *s) { mm_web_html_puts(b, s); }

static void head(mm_web_buf *b, bool ja, const char *title_key, bool refresh, const char *self)
{
    mm_web_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
                      ja ? "ja" : "en");
    if (refresh)
        mm_web_buf_puts(b, "<meta http-equiv=\"refresh\" content=\"1\">\n");
    mm_web_buf_puts(b, "<title>");
    esc(b, w(title_key, ja));
    mm_web_buf_puts(b, "</title>\n<link rel=\"stylesheet\" href=\"/static/mm.css\"></head>\n"
                       "<body>\n<p class=\"lang\">");
    /* the other language: the same page (self carries its query) */
    mm_web_buf_puts(b, "<a href=\"");
    esc(b, self ? self : "/");
    mm_web_buf_puts(b, strchr(self ? self : "/", '?') ? "&amp;" : "?");
    mm_web_buf_printf(b, "lang=%s\">%s</a></p>\n<h1>", ja ? "en" : "ja",
                      ja ? "English" : "日本語");
    esc(b, w(title_key, ja));
    mm_web_buf_puts(b, "</h1>\n");
}

static void tail(mm_web_buf *b) { mm_web_buf_puts(b, "</body></html>\n"); }

/* The phrase with {1} and {2} replaced by a1 and a2, all escaped. */
static void sub(mm_web_buf *b, const char *key, bool ja, const char *a1, const char *a2)
{
    const char *t = w(key, ja);
    while (*t) {
        const char *m = strstr(t, "{");
        if (!m || !(m[1] == '1' || m[1] == '2') || m[2] != '}') {
            size_t l = m ? (size_t)(m - t) + 1 : strlen(t);
            mm_web_html_escape(b, t, l);
            t += l;
            continue;
        }
        mm_web_html_escape(b, t, (size_t)(m - t));
        esc(b, m[1] == '1' ? a1 : a2);
        t = m + 3;
    }
}

static void fmt1(mm_web_buf *b, const char *key, bool ja, const char *arg)
{
    sub(b, key, ja, arg, "");
}

void mm_selfpage_terms(mm_web_buf *b, bool ja, const mm_portlist *offered, const char *csrf,
                       const char *link, const char *company, const char *addr)
{
    char self[64];
    snprintf(self, sizeof self, "/%s%s", link[0] ? "?c=" : "", link);
    head(b, ja, "title", false, self);
    mm_web_buf_puts(b, "<p>");
    esc(b, w("intro", ja));
    mm_web_buf_puts(b, "</p>\n");
    if (company[0]) {
        mm_web_buf_puts(b, "<p><strong>");
        fmt1(b, "company", ja, company);
        mm_web_buf_puts(b, "</strong></p>\n");
    }
    mm_web_buf_puts(b, "<form method=\"post\" action=\"/check\">\n<h2>");
    esc(b, w("terms_h", ja));
    mm_web_buf_puts(b, "</h2>\n<div class=\"terms\"><p>");
    fmt1(b, "terms", ja, addr);
    mm_web_buf_puts(b, "</p></div>\n<label><input type=\"checkbox\" name=\"consent\" value=\"1\">"
                       " ");
    esc(b, w("consent", ja));
    mm_web_buf_puts(b, "</label>\n<h2>");
    esc(b, w("ports_h", ja));
    mm_web_buf_puts(b, "</h2>\n");
    /* grouped as the catalogue is; ports outside it under "other" */
    for (int g = 1; g <= PG__COUNT; g++) {
        mm_port_group grp = g == PG__COUNT ? PG_OTHER : (mm_port_group)g;
        bool open_set = false;
        for (size_t i = 0; i < offered->n; i++) {
            const mm_port_info *pi = mm_port_info_of(offered->v[i]);
            if ((pi ? pi->group : PG_OTHER) != grp)
                continue;
            if (!open_set) {
                mm_web_buf_puts(b, "<fieldset><legend>");
                esc(b, mm_port_group_name(grp, ja));
                mm_web_buf_puts(b, "</legend>\n");
                open_set = true;
            }
            mm_web_buf_printf(b, "<label><input type=\"checkbox\" name=\"port\" value=\"%u\" "
                                 "checked> %u",
                              offered->v[i], offered->v[i]);
            if (pi) {
                mm_web_buf_puts(b, " (");
                esc(b, pi->service);
                mm_web_buf_puts(b, ")</label>\n<div class=\"why\">");
                esc(b, ja ? pi->why_ja : pi->why_en);
                mm_web_buf_puts(b, "</div>\n");
            } else
                mm_web_buf_puts(b, "</label>\n");
        }
        if (open_set)
            mm_web_buf_puts(b, "</fieldset>\n");
    }
    mm_web_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    esc(b, csrf);
    mm_web_buf_puts(b, "\">\n");
    if (link[0]) {
        mm_web_buf_puts(b, "<input type=\"hidden\" name=\"c\" value=\"");
        esc(b, link);
        mm_web_buf_puts(b, "\">\n");
    }
    mm_web_buf_printf(b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n<p><button "
                         "type=\"submit\">", ja ? "ja" : "en");
    esc(b, w("start", ja));
    mm_web_buf_puts(b, "</button></p>\n</form>\n");
    tail(b);
}

void mm_selfpage_running(mm_web_buf *b, bool ja, const char *addr, size_t nports)
{
    head(b, ja, "running_h", true, NULL);
    char np[24];
    snprintf(np, sizeof np, "%zu", nports);
    mm_web_buf_puts(b, "<p>");
    sub(b, "running", ja, addr, np);
    mm_web_buf_puts(b, "</p>\n");
    tail(b);
}

void mm_selfpage_result(mm_web_buf *b, bool ja, const char *addr, const uint16_t *ports,
                        const uint8_t *states, size_t n, const char *company)
{
    head(b, ja, "result_h", false, NULL);
    mm_web_buf_puts(b, "<p>");
    fmt1(b, "result_addr", ja, addr);
    mm_web_buf_puts(b, "</p>\n");
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= states[i] == MM_PS_OPEN;
    mm_web_buf_printf(b, "<p class=\"%s\">", any ? "open" : "safe");
    esc(b, w(any ? "some_open" : "all_safe", ja));
    mm_web_buf_puts(b, "</p>\n");
    if (company[0]) {
        mm_web_buf_puts(b, "<p class=\"meta\">");
        fmt1(b, "result_sent", ja, company);
        mm_web_buf_puts(b, "</p>\n");
    }
    mm_web_buf_puts(b, "<table><tr><th>");
    esc(b, w("port", ja));
    mm_web_buf_puts(b, "</th><th>");
    esc(b, w("state", ja));
    mm_web_buf_puts(b, "</th><th>");
    esc(b, w("advice", ja));
    mm_web_buf_puts(b, "</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const mm_port_info *pi = mm_port_info_of(ports[i]);
        const char *cls = states[i] == MM_PS_OPEN ? "open"
                          : states[i] == MM_PS_CLOSED ? "closed" : "safe";
        mm_web_buf_printf(b, "<tr><td>%u", ports[i]);
        if (pi) {
            mm_web_buf_puts(b, " (");
            esc(b, pi->service);
            mm_web_buf_puts(b, ")");
        }
        mm_web_buf_printf(b, "</td><td class=\"%s\">", cls);
        esc(b, w(cls, ja));
        mm_web_buf_puts(b, "</td><td>");
        if (states[i] == MM_PS_OPEN) {
            if (pi) {
                esc(b, ja ? pi->why_ja : pi->why_en);
                mm_web_buf_puts(b, "<br>");
                esc(b, ja ? pi->advice_ja : pi->advice_en);
            } else
                esc(b, mm_port_group_advice(PG_OTHER, ja));
        }
        mm_web_buf_puts(b, "</td></tr>\n");
    }
    mm_web_buf_printf(b, "</table>\n<p><a href=\"/?lang=%s\">", ja ? "ja" : "en");
    esc(b, w("again", ja));
    mm_web_buf_puts(b, "</a></p>\n");
    tail(b);
}

void mm_selfpage_message(mm_web_buf *b, bool ja, const char *title_key, const char *text_key)
{
    head(b, ja, title_key, false, NULL);
    mm_web_buf_puts(b, "<p>");
    esc(b, w(text_key, ja));
    mm_web_buf_printf(b, "</p>\n<p><a href=\"/?lang=%s\">", ja ? "ja" : "en");
    esc(b, w("again", ja));
    mm_web_buf_puts(b, "</a></p>\n");
    tail(b);
}
