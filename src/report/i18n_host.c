/*
 * i18n_host.c - the words of the reports' web-server part, in Japanese and
 * English: the files that appeared or changed under a watched web root
 * (mimamori watch) and what the web server's access logs show about them.
 */
#include "report/i18n.h"

#include <string.h>

static const char *const phrases[][3] = {
    {"hf", "Web サーバーに現れたファイル・変わったファイル",
     "Files that appeared or changed on the web server"},
    {"hf_note",
     "Web サーバーの公開フォルダを mimamori watch で見張った結果です。攻撃者は Web サイトの"
     "弱点から WebShell（サーバーを外から操作するための小さなプログラム）を置き、改ざんや情報の"
     "持ち出しに使います。自社や委託先が置いた覚えのないファイルは、まず疑ってください。",
     "What mimamori watch saw in the web server's public folders. Attackers use a weakness of "
     "the web site to drop a WebShell (a small program to control the server from outside) "
     "and use it to deface the site or take data. Treat any file that neither you nor your "
     "web company put there as suspicious."},
    {"hf_added_n", "現れたファイル", "Files that appeared"},
    {"hf_changed_n", "変わったファイル", "Files changed"},
    {"hf_removed_n", "消えたファイル", "Files removed"},
    {"hf_unreadable_n", "読めなかったファイル", "Files it could not read"},
    {"hf_alerts_n", "警告", "Alerts"},
    {"hf_when", "日時", "When"},
    {"hf_server", "サーバー", "Server"},
    {"hf_file", "ファイル", "File"},
    {"hf_happened", "起きたこと", "What happened"},
    {"hf_looks", "どう見えるか", "What it looks like"},
    {"hf_steps", "対処", "What to do"},
    {"hf_a_added", "新しく現れた", "appeared"},
    {"hf_a_changed", "中身が変わった", "changed"},
    {"hf_k_script", "サーバーが実行するプログラム", "a program the web server runs"},
    {"hf_k_webshell", "WebShell の疑い", "looks like a WebShell"},
    {"hf_k_double-extension", "画像などに見せかけたプログラム（二重拡張子）",
     "a program disguised by a double extension"},
    {"hf_k_script-in-image", "画像に隠したプログラム", "a program hidden in an image"},
    {"hf_plain", "サーバーが実行するプログラムではありません", "not a program the server runs"},
    {"hf_steps_plain", "自社または委託先が置いたファイルか確認してください。",
     "Check that you or your web company put it there."},
    {"hf_explain", "警告の意味と対処", "What the alerts mean and what to do"},
    {"hw", "Web サーバーのアクセスログで見えること", "What the web server's access log shows"},
    {"hw_note",
     "アクセスログ（mimamori ingest で取り込んだもの）と見張りの結果を突き合わせました。"
     "公開フォルダからの相対パスが URL のパスと同じファイルを、同じものとみなしています"
     "（/uploads/a.php は公開フォルダの uploads/a.php）。",
     "The access logs (imported with mimamori ingest) set beside what the watch saw. A file "
     "is taken to be the URL whose path equals its path below the watched folder "
     "(/uploads/a.php is uploads/a.php in the folder)."},
    {"hw_kind", "見えたこと", "What it shows"},
    {"hw_path", "パス", "Path"},
    {"hw_from", "アクセス元", "From"},
    {"hw_requests", "アクセス回数", "Requests"},
    {"hw_posts", "うち POST", "of them POST"},
    {"hw_appeared", "ファイルが現れた日時", "File appeared"},
    {"hw_k_requested", "現れたファイルへのアクセス", "A file that appeared was requested"},
    {"hw_k_first_post", "最初のアクセスが POST だったスクリプト",
     "A script whose first request was a POST"},
    {"hw_k_admin_abroad", "海外から管理画面へのアクセス",
     "Administration page requested from abroad"},
    {"hw_do_requested",
     "置いた覚えのないファイルなら、アクセス元のアドレスと日時を記録してからファイルを隔離し、"
     "同じアドレスからの他のアクセスもログで確認してください。",
     "If nobody of yours put the file there, note the sources and times, set the file aside, "
     "and look in the log for what else those addresses requested."},
    {"hw_do_first_post",
     "誰もページとして開いたことのないスクリプトに、いきなりデータが送られています。"
     "WebShell を使う攻撃者の典型的な動きです。ファイルの中身を確認し、心当たりがなければ隔離して"
     "専門家に相談してください。",
     "Data was sent to a script nobody had opened as a page before: how attackers use a "
     "WebShell. Look at the file; if you do not know it, set it aside and ask a specialist."},
    {"hw_do_admin_abroad",
     "管理画面は社内や決まったアドレスからだけ開けるように制限し、管理者のパスワードを変え、"
     "二要素認証を使ってください。",
     "Allow the administration pages only from your office or fixed addresses, change the "
     "administrator passwords and use two-factor login."},
};

const char *rp_t_host(int lang, const char *key)
{
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (strcmp(phrases[i][0], key) == 0)
            return phrases[i][lang ? 2 : 1];
    return NULL;
}
