/*
 * explain.c - the texts behind alert.metadata.explain. Written from the
 * countermeasure lists of the field reports (seeds/000 §4, 001 §3,
 * 002 §2-3) and common practice. Japanese first, English second; each
 * "steps" lists what to do, most urgent first, one per line.
 */
#include "detect/explain.h"

#include <string.h>

#define E(k, tj, te, wj, we, yj, ye, dj, de) {k, {tj, te}, {wj, we}, {yj, ye}, {dj, de}}

static const mm_explain texts[] = {
E("heartbleed-attempt",
  "Heartbleed 攻撃の試み", "Heartbleed attack attempt",
  "外部から、OpenSSL の脆弱性 Heartbleed（CVE-2014-0160）を突く通信が送られました。",
  "Someone sent traffic exploiting Heartbleed (CVE-2014-0160), a flaw in OpenSSL.",
  "古い OpenSSL を使う機器は、この通信に応じてメモリの中身（パスワードや秘密鍵を含むことがあります）を返してしまいます。",
  "A device with an old OpenSSL answers it with pieces of its memory, which can hold passwords and private keys.",
  "宛先の機器（Web サーバ、VPN 装置、NAS など）の OpenSSL が修正済みの版か、販売元に確認する\n"
  "古い場合はすぐに更新し、更新できない機器はインターネットから見えないようにする\n"
  "送信元の IP アドレスからの通信をファイアウォールで遮断する",
  "Check with the vendor that the target device (web server, VPN box, NAS...) runs a fixed OpenSSL\n"
  "Update it now; take devices that cannot be updated off the Internet\n"
  "Block the source address at the firewall"),
E("heartbleed-leak",
  "Heartbleed で情報が漏れた可能性", "Heartbleed: data probably leaked",
  "Heartbleed 攻撃に対して、社内の機器が要求より大きな応答を返しました。メモリの内容が外部に渡った可能性が高い状態です。",
  "A device answered a Heartbleed request with more data than was asked for: its memory has most likely been read from outside.",
  "漏れたメモリにはパスワード、セッション情報、サーバの秘密鍵が含まれることがあり、なりすましや盗聴に使われます。",
  "Leaked memory can hold passwords, session data and the server's private key, which allow impersonation and eavesdropping.",
  "その機器の OpenSSL をすぐに更新する（できなければ直ちにインターネットから切り離す）\n"
  "サーバ証明書と秘密鍵を作り直し、古い証明書を失効させる\n"
  "その機器を使う全員のパスワードを変更し、ログイン中のセッションを無効にする",
  "Update OpenSSL on that device now (or disconnect it from the Internet until you can)\n"
  "Make a new certificate and private key, and revoke the old certificate\n"
  "Change the passwords of everyone who uses the device and end their sessions"),
E("rdp-exposed",
  "リモートデスクトップが社外とつながりました", "Remote Desktop connected with the outside",
  "社内のパソコンやサーバと社外の相手の間で、リモートデスクトップ（RDP）の接続が成立しました。",
  "A Remote Desktop (RDP) session was set up between a company computer and a host outside the company.",
  "インターネットに開いたリモートデスクトップは、パスワードの総当たりやランサムウェア侵入の入口として最もよく狙われます。",
  "Remote Desktop open to the Internet is one of the most common ways in for password guessing and ransomware.",
  "その接続が業務上必要なものか、誰が使っているかを確認する\n"
  "不要ならルータやファイアウォールで 3389 番ポートの公開をやめる\n"
  "必要なら VPN の内側だけで使い、長く推測されにくいパスワードと多要素認証を設定する",
  "Find out whether the connection is needed for work and who uses it\n"
  "If not, stop publishing port 3389 on the router or firewall\n"
  "If it is, use it only inside a VPN, with long passwords and multi-factor authentication"),
E("rdp-admin-login",
  "管理者アカウントでのリモートデスクトップ接続要求", "Remote Desktop request for an administrator account",
  "リモートデスクトップ接続で、Administrator などの管理者アカウント名が使われました。",
  "A Remote Desktop connection asked for an administrator account such as Administrator.",
  "攻撃者はまず既定の管理者名でパスワードを試します。成功すると機器を完全に乗っ取られます。",
  "Attackers try passwords for the default administrator names first; success gives them full control.",
  "その接続元が社内の担当者かどうか確認する\n"
  "既定の Administrator アカウントは名前を変えるか無効にする\n"
  "リモートデスクトップを社外に公開しない（VPN の内側だけにする）",
  "Check whether the source is one of your own administrators\n"
  "Rename or disable the built-in Administrator account\n"
  "Do not publish Remote Desktop to the Internet (use it only inside a VPN)"),
E("rdp-guessing",
  "リモートデスクトップのパスワード総当たり", "Remote Desktop password guessing",
  "同じ送信元から短い時間に何度もリモートデスクトップ接続が試みられました。",
  "One source tried to connect by Remote Desktop many times in a short time.",
  "パスワードを次々に試している可能性が高く、弱いパスワードならいずれ侵入されます。",
  "It is most likely trying passwords one after another; a weak password will eventually fall.",
  "送信元の IP アドレスをファイアウォールで遮断する\n"
  "アカウントロックアウト（一定回数の失敗でロック）を設定する\n"
  "リモートデスクトップの公開をやめるか VPN の内側に移す",
  "Block the source address at the firewall\n"
  "Turn on account lockout after a few failed logins\n"
  "Stop publishing Remote Desktop, or move it inside a VPN"),
E("rdp-success-after-guessing",
  "総当たりの後にリモートデスクトップ接続が成立", "Remote Desktop session after repeated attempts",
  "社外の送信元が何度も接続を試みた後、リモートデスクトップの接続が成立しました。",
  "After many attempts from outside, a Remote Desktop session was set up.",
  "パスワードが破られ、外部の第三者が社内のパソコンを操作している可能性があります。ランサムウェア被害の典型的な始まりです。",
  "The password may have been broken and an outsider may be controlling the computer: the usual start of a ransomware attack.",
  "対象のパソコンをネットワークから外し、担当者か専門家に連絡する\n"
  "そのアカウントのパスワードを変更し、他に同じパスワードを使っている所も変える\n"
  "新しいユーザやソフトが追加されていないか調べ、リモートデスクトップの公開をやめる",
  "Disconnect the computer from the network and call your IT contact or a specialist\n"
  "Change that account's password, and the same password wherever else it is used\n"
  "Look for new users or software, and stop publishing Remote Desktop"),
E("rdp-fast",
  "異常に速いリモートデスクトップ接続", "Unusually fast Remote Desktop connections",
  "1 つの送信元から、短い時間に多くのリモートデスクトップ接続が行われました（多くの相手へ、または何度も）。",
  "One source opened many Remote Desktop connections in a short time (to many hosts, or again and again).",
  "社外からなら侵入先探しかパスワードの総当たり、社内の端末からなら感染した端末が次の侵入先を探している（ワームやランサムウェアの横展開）可能性があります。",
  "From outside it is a search for targets or password guessing; from a company computer, an infection looking for its next victims (a worm or ransomware spreading).",
  "送信元が社外なら遮断し、リモートデスクトップを公開しない\n"
  "送信元が社内の端末なら、ネットワークから外してウイルス対策ソフトで検査する\n"
  "リモートデスクトップの利用を必要な端末に限る",
  "If the source is outside, block it and stop publishing Remote Desktop\n"
  "If it is a company computer, disconnect it and scan it with anti-virus software\n"
  "Allow Remote Desktop only between the computers that need it"),
E("ntp-monlist",
  "NTP の monlist 要求（DDoS の下準備）", "NTP monlist request (DDoS groundwork)",
  "NTP サーバに、接続履歴の一覧を返させる monlist（mode 7）要求が送られました。",
  "An NTP server was sent a monlist (mode 7) request, which makes it return its list of recent clients.",
  "小さな要求に大きな応答を返すため、踏み台を探す攻撃者や DDoS 攻撃に使われます。",
  "A small request gets a large answer, so it is used to find reflectors and to flood victims (DDoS).",
  "社内で NTP サーバを公開している場合は、脆弱性対策済みの版に更新し monlist を無効にする\n"
  "NTP を外部に公開する必要がなければ 123 番ポートを閉じる\n"
  "要求元の IP アドレスからの通信を遮断する",
  "If you run an NTP server, update it to a fixed version and disable monlist\n"
  "Close port 123 to the Internet unless you must serve time to outsiders\n"
  "Block the requesting address"),
E("ntp-reflector",
  "社内の NTP サーバが DDoS の踏み台に", "Your NTP server is used as a DDoS reflector",
  "社内の NTP サーバが、インターネットからの monlist 要求に大きな応答を返しています。",
  "A company NTP server answers monlist requests from the Internet with large responses.",
  "攻撃者は送信元を偽って要求を送り、応答を第三者に浴びせます。自社が攻撃の加害側になり、回線も圧迫されます。",
  "Attackers forge the sender so that the answers flood someone else: your company becomes part of the attack, and your line fills up.",
  "NTP サーバの monlist を無効にする（ntpd なら disable monitor）か、最新版に更新する\n"
  "インターネットからの 123 番ポートへの通信を閉じる\n"
  "回線事業者から苦情が来ていないか確認する",
  "Disable monlist on the NTP server (ntpd: disable monitor) or update it\n"
  "Close port 123 to the Internet\n"
  "Check whether your provider has received complaints"),
E("ntp-flood",
  "NTP の応答が大量に届いています（DDoS 攻撃）", "Flood of NTP responses (DDoS attack)",
  "多数の NTP サーバから、頼んでいない応答が社内の機器に大量に届きました。",
  "Many NTP servers sent large numbers of unrequested responses to a company host.",
  "NTP を悪用した反射型 DDoS 攻撃を受けています。回線が埋まり、インターネットが使えなくなることがあります。",
  "This is a reflection DDoS attack using NTP: it can fill your line and cut you off the Internet.",
  "回線事業者に連絡し、上流での遮断を依頼する\n"
  "異常な通信を遮断する DDoS 対策（IPS など）を導入する\n"
  "送信元 123 番ポートからの不要な UDP をファイアウォールで落とす",
  "Call your Internet provider and ask them to filter it upstream\n"
  "Consider a DDoS protection service or an IPS\n"
  "Drop unneeded UDP from source port 123 at the firewall"),
E("ntp-monlist-answered",
  "NTP サーバが monlist に応答（DDoS の踏み台）", "An NTP server answered monlist (a DDoS amplifier)",
  "ある NTP サーバが monlist（mode 7）要求に応答しました。応答が 1 つでも、そのサーバが踏み台として使える状態であることが分かります。",
  "An NTP server answered a monlist (mode 7) request. One answer is enough to show that the server can be used as an amplifier.",
  "monlist は小さな要求に大きな応答を返すため、反射型 DDoS 攻撃に使われます。応答が社内に届いた場合は、社内の端末を狙った攻撃の一部のこともあります。",
  "monlist turns a small request into a large answer, which is what reflection DDoS attacks use. If the answer came to a company host, it may be part of an attack aimed at it.",
  "応答したサーバが自社のものなら monlist を無効にする（ntpd なら disable monitor）か、最新版に更新する\n"
  "社内の端末宛てに頼んでいない応答が続くなら、回線事業者に相談する\n"
  "不要な mode 7 の NTP 通信をファイアウォールで落とす",
  "If the server that answered is yours, disable monlist (ntpd: disable monitor) or update it\n"
  "If unrequested answers keep arriving at a company host, talk to your Internet provider\n"
  "Drop unneeded mode 7 NTP traffic at the firewall"),
E("sslv3-negotiated",
  "古い暗号方式 SSL 3.0 の使用", "Old encryption in use: SSL 3.0",
  "通信の暗号化に、2014 年に破られた SSL 3.0 が使われました。",
  "A connection was encrypted with SSL 3.0, which was broken in 2014.",
  "POODLE 攻撃により、通信の中身（ログイン情報など）を盗み見られるおそれがあります。",
  "The POODLE attack can reveal what is sent (login details, for example).",
  "サーバや機器の設定で SSL 3.0 を無効にし、TLS 1.2 以上だけを使う\n"
  "設定を変えられない古い機器は更新または交換する\n"
  "古いブラウザやソフトを最新版にする",
  "Turn SSL 3.0 off on the server or device and allow only TLS 1.2 or newer\n"
  "Update or replace old devices that cannot be changed\n"
  "Update old browsers and software"),
E("sslv3-client",
  "SSL 3.0 で接続しようとする端末", "A client asking for SSL 3.0",
  "社内外の端末が、SSL 3.0 までしか使えない、または暗号を弱めて接続し直そうとしました。",
  "A client offered SSL 3.0 at most, or retried with weaker encryption.",
  "古いソフトの使用か、暗号を弱めさせる中間者攻撃のおそれがあります。",
  "It points to old software, or to someone in the middle forcing weaker encryption.",
  "その端末のブラウザや業務ソフトを最新版に更新する\n"
  "更新できないソフトは使用をやめる計画を立てる",
  "Update the browser or application on that computer\n"
  "Plan to retire software that cannot be updated"),
E("sslv3-server",
  "社内サーバが SSL 3.0 をインターネットに提供", "An internal server offers SSL 3.0 to the Internet",
  "社内のサーバが、インターネットからの接続に SSL 3.0 で応じました。",
  "A company server accepted SSL 3.0 from the Internet.",
  "POODLE 攻撃の対象となり、利用者の通信が盗み見られるおそれがあります。",
  "It is open to POODLE: its users' traffic can be read.",
  "サーバの設定で SSL 3.0 を無効にする\n"
  "サーバのソフトウェアを最新版に更新する",
  "Turn SSL 3.0 off in the server's settings\n"
  "Update the server software"),
E("file-executable",
  "実行ファイルやスクリプトの受け渡し", "Program or script transferred",
  "ネットワーク上で、実行ファイル（.exe など）やスクリプトがやり取りされました。",
  "A program (.exe and the like) or a script was transferred over the network.",
  "多くは正当なソフトの更新ですが、マルウェアもこの形で届きます。",
  "Most are legitimate updates, but malware arrives this way too.",
  "送信元と受け取った端末を確認し、心当たりがなければウイルス対策ソフトで検査する\n"
  "発行元が不明なツールはインストールしない",
  "Check the sender and the receiving computer; scan it if nobody expected the file\n"
  "Do not install tools from unknown publishers"),
E("file-suspicious",
  "偽装された、または怪しい場所からの実行ファイル", "Disguised program, or one from a suspicious server",
  "中身は実行ファイルなのに名前が画像や文書のようになっている、または IP アドレス直接や動的 DNS のサーバから届いたファイルがありました。",
  "A file that is a program in content but named like a picture or document, or that came from a bare IP address or a dynamic-DNS name.",
  "正規のソフト配布ではまず見られない形で、マルウェア感染の典型的な手口です。",
  "Legitimate software is rarely delivered like this; it is a typical malware infection step.",
  "受け取った端末をネットワークから外し、ウイルス対策ソフトで検査する\n"
  "誰が何を開いたかを確認し、怪しいメールや広告を開かないよう周知する\n"
  "送信元のサーバへの通信を遮断する",
  "Disconnect the receiving computer and scan it\n"
  "Find out who opened what; remind staff not to open unexpected mail or ads\n"
  "Block the sending server"),
E("file-known-bad",
  "既知のマルウェアファイル", "Known malicious file",
  "受け渡されたファイルが、既知のマルウェアの一覧（ハッシュ値）と一致しました。",
  "A transferred file matches a known malicious file (by its hash).",
  "マルウェアが社内に届いています。実行されれば感染します。",
  "Malware has reached the company; running it infects the computer.",
  "受け取った端末をすぐにネットワークから外す\n"
  "担当者か専門家に連絡し、ウイルス対策ソフトで全体を検査する\n"
  "送信元のサーバやメールアドレスを遮断する",
  "Disconnect the receiving computer now\n"
  "Call your IT contact or a specialist and scan everything\n"
  "Block the sending server or mail address"),
E("smb-eternalblue",
  "EternalBlue 攻撃（WannaCry などのワーム）", "EternalBlue attack (WannaCry-style worm)",
  "Windows のファイル共有（SMB）の脆弱性 MS17-010 を突く EternalBlue の通信がありました。",
  "EternalBlue traffic exploiting MS17-010, a flaw in Windows file sharing (SMB), was seen.",
  "修正されていない Windows は遠隔から乗っ取られ、WannaCry のようなランサムウェアが社内に広がります。",
  "Unpatched Windows can be taken over remotely, and ransomware such as WannaCry spreads through the company.",
  "攻撃された端末と送信元の端末をネットワークから外す\n"
  "全ての Windows に MS17-010 の修正（Windows Update）を適用する\n"
  "SMBv1 を無効にし、445 番ポートを社外に公開しない",
  "Disconnect both the attacked and the attacking computers\n"
  "Apply the MS17-010 fix (Windows Update) to every Windows machine\n"
  "Disable SMBv1 and never expose port 445 to the Internet"),
E("smb-doublepulsar",
  "DoublePulsar バックドア", "DoublePulsar backdoor",
  "EternalBlue 攻撃で仕込まれるバックドア DoublePulsar の確認通信がありました。応答があれば既に仕込まれています。",
  "Traffic checking for the DoublePulsar backdoor that EternalBlue plants was seen; an answer means it is already installed.",
  "バックドアがあると、攻撃者はいつでも任意のプログラムを実行できます。",
  "With the backdoor in place the attacker can run any program at any time.",
  "応答した端末をすぐにネットワークから外し、専門家に調査を依頼する\n"
  "再インストールを含めた復旧を計画する\n"
  "全ての Windows に MS17-010 の修正を適用し、SMBv1 を無効にする",
  "Disconnect the answering computer now and have a specialist examine it\n"
  "Plan its recovery, reinstalling if needed\n"
  "Apply MS17-010 everywhere and disable SMBv1"),
E("smb-internet",
  "ファイル共有（SMB）がインターネットとつながっています", "File sharing (SMB) with the Internet",
  "Windows のファイル共有（SMB）の通信が、社内とインターネットの間で行われました。",
  "Windows file sharing (SMB) traffic went between the company and the Internet.",
  "SMB はインターネットで使うものではなく、ワーム感染や情報漏えいの経路になります。",
  "SMB is not meant for the Internet: it is a path for worms and data leaks.",
  "ルータやファイアウォールで 139・445 番ポートを社外と通さない\n"
  "社外とのファイル共有が必要ならクラウドストレージや VPN を使う",
  "Block ports 139 and 445 between the company and the Internet\n"
  "Use cloud storage or a VPN to share files with outsiders"),
E("gh0st",
  "遠隔操作ウイルス Gh0st RAT の通信", "Gh0st RAT remote-control traffic",
  "遠隔操作型マルウェア Gh0st RAT（またはその亜種）に特有の形式の通信が見つかりました。",
  "Traffic in the format of the remote-control malware Gh0st RAT (or a variant) was found.",
  "感染した端末は外部から操作され、キー入力、画面、ファイルなどが盗まれます。",
  "An infected computer is controlled from outside: keystrokes, screens and files are stolen.",
  "該当する端末をすぐにネットワークから外す（LAN ケーブルを抜く）\n"
  "担当者か専門家に連絡し、感染経路と漏えい範囲を調べる\n"
  "通信先の IP アドレスを遮断し、パスワードを変更する",
  "Disconnect the computer now (pull the network cable)\n"
  "Call your IT contact or a specialist to find how it got in and what left\n"
  "Block the remote address and change passwords"),
E("mining-session",
  "仮想通貨の採掘（マイニング）", "Cryptocurrency mining",
  "社内の端末が、仮想通貨の採掘（マイニング）サーバと通信しています。",
  "A company computer is talking to a cryptocurrency mining pool.",
  "許可なく計算資源を使われ（クリプトジャッキング）、電気代や機器の寿命、動作の遅さに影響します。侵入の結果であることも多いです。",
  "Someone is using your computers' power without permission (cryptojacking): it costs electricity and slows machines, and often follows a break-in.",
  "該当する端末でマイニングソフトが動いていないか確認し、削除する\n"
  "侵入の痕跡（新しいユーザ、不審なサービス）を調べる\n"
  "マイニングプールへの通信を遮断する",
  "Look for mining software on that computer and remove it\n"
  "Check for signs of a break-in (new users, odd services)\n"
  "Block traffic to mining pools"),
E("mining-name",
  "マイニングに関係する名前への接続", "Mining service looked up",
  "マイニングプールやブラウザで採掘させるスクリプトの名前が、DNS・Web・暗号化通信で使われました。",
  "The name of a mining pool or a browser-mining script was used in DNS, web or encrypted traffic.",
  "閲覧した Web サイトに採掘スクリプトが仕込まれているか、端末でマイニングソフトが動いている可能性があります。",
  "A visited website may carry a mining script, or mining software may be running on the computer.",
  "該当する端末と閲覧したサイトを確認する\n"
  "マイニング関連の名前をブロックするツール（ウイルス対策、DNS フィルタ）を導入する",
  "Check the computer and the sites it visited\n"
  "Use a tool that blocks mining names (anti-virus, DNS filtering)"),
E("crypto-p2p",
  "仮想通貨ノードの通信（Monero・Bitcoin・Ethereum）", "Cryptocurrency node traffic (Monero, Bitcoin, Ethereum)",
  "社内の端末が、仮想通貨のノード同士の通信（P2P）を行っています。",
  "A company computer is speaking a cryptocurrency node's peer-to-peer protocol.",
  "業務で仮想通貨のノードを動かすことはまずありません。マイニングソフトが仕込まれている（クリプトジャッキング）か、無断でソフトが導入された可能性があり、回線と電気代を使われます。",
  "Businesses rarely run cryptocurrency nodes: a miner may have been planted (cryptojacking) or someone installed one without permission, using your line and electricity.",
  "該当する端末で仮想通貨のソフト（ウォレット、ノード、マイナー）が動いていないか確認し、業務外なら削除する\n"
  "侵入の痕跡（新しいユーザ、不審なサービス）を調べる\n"
  "業務で使わないなら、ノードの通信（Monero 18080、Bitcoin 8333、Ethereum 30303 など）を遮断する",
  "Look for cryptocurrency software (wallet, node, miner) on that computer and remove it if it is not for work\n"
  "Check for signs of a break-in (new users, odd services)\n"
  "If nobody needs it, block node traffic (Monero 18080, Bitcoin 8333, Ethereum 30303 and the like)"),
E("weblogic-exploit",
  "WebLogic サーバへの攻撃（CVE-2017-10271）", "Attack on WebLogic (CVE-2017-10271)",
  "Oracle WebLogic の脆弱性 CVE-2017-10271 を突き、プログラムを実行させようとする要求がありました。",
  "A request tried to run a program through Oracle WebLogic's flaw CVE-2017-10271.",
  "修正されていないサーバは乗っ取られ、マイニングソフトなどを仕込まれます。",
  "An unpatched server is taken over and typically made to mine cryptocurrency.",
  "WebLogic に Oracle の修正を適用する\n"
  "/wls-wsat/ をインターネットから使えないようにする\n"
  "サーバに不審なプロセスやファイルがないか調べる",
  "Apply Oracle's fix to WebLogic\n"
  "Make /wls-wsat/ unreachable from the Internet\n"
  "Look for odd processes and files on the server"),
E("c2-bare-ip",
  "名前を使わず IP アドレスに直接接続", "Connection straight to an IP address",
  "社内の端末が、ドメイン名を使わずに IP アドレスへ直接 Web や暗号化通信を行いました。",
  "A company computer made a web or encrypted connection straight to an IP address, without a name.",
  "普通の Web サイトは名前で接続します。名前を使わない通信は、マルウェアが指令サーバと通信する典型的な形です。",
  "Ordinary websites are reached by name; connecting by bare address is typical of malware calling its control server.",
  "通信先の IP アドレスが業務で使う相手かどうか確認する\n"
  "心当たりがなければ端末をウイルス対策ソフトで検査し、通信先を遮断する",
  "Check whether the address belongs to someone you work with\n"
  "If not, scan the computer and block the address"),
E("c2-ddns",
  "動的 DNS の名前への接続", "Dynamic DNS name used",
  "社内の端末が、動的 DNS サービスの名前（no-ip、duckdns など）に接続しました。",
  "A company computer used a dynamic-DNS name (no-ip, duckdns and the like).",
  "動的 DNS は手軽に名前を変えられるため、マルウェアの指令サーバや配布元によく使われます。",
  "Dynamic DNS lets names move easily, so malware control and delivery servers use it a lot.",
  "その名前が業務で使うもの（自社の監視カメラなど）か確認する\n"
  "心当たりがなければ端末を検査し、その名前への通信を遮断する",
  "Check whether the name is one you use (your own camera, for instance)\n"
  "If not, scan the computer and block the name"),
E("c2-sinkhole",
  "シンクホールへの誘導（感染の兆候）", "Name pointing to a sinkhole",
  "DNS の回答が、差し押さえられたマルウェアの名前に使われる「シンクホール」や無効な宛先（0.0.0.0 など）を示しました。",
  "A DNS answer pointed to a sinkhole used for seized malware names, or to nowhere (0.0.0.0 and the like).",
  "その名前を引いた端末は、マルウェアに感染していて指令サーバを探している可能性があります。",
  "The computer that asked may be infected and looking for its control server.",
  "その名前を問い合わせた端末を特定し、ウイルス対策ソフトで検査する\n"
  "社内の DNS サーバやフィルタの設定で意図したブロックでないか確認する",
  "Find the computer that asked for the name and scan it\n"
  "Check it is not a block your own DNS filter made on purpose"),
E("c2-powershell",
  "PowerShell によるダウンロード", "PowerShell downloading",
  "Windows の PowerShell が、Web から何かを取得・実行する形の通信を行いました。",
  "Windows PowerShell fetched something from the web in a way that runs it.",
  "メールの添付や悪性サイトから感染する際の典型的な手口です。遠隔操作ツールの導入に使われます。",
  "It is a typical step of infection by mail attachment or malicious site, used to install remote-control tools.",
  "該当する端末をネットワークから外し、検査する\n"
  "PowerShell の実行を管理者に限る設定を検討する\n"
  "送信元の分からないメールの添付や URL を開かないよう周知する",
  "Disconnect the computer and scan it\n"
  "Consider allowing PowerShell only for administrators\n"
  "Remind staff not to open attachments or links from unknown senders"),
E("c2-beacon",
  "一定間隔の通信（遠隔操作ウイルスの定期連絡）", "Regular check-ins (remote-control malware calling home)",
  "社内の端末が、同じ相手に、ほぼ一定の間隔と大きさで何度も接続しています。",
  "A company computer keeps connecting to the same server at nearly fixed intervals, with nearly fixed sizes.",
  "人の操作ではこのような規則正しい通信にはなりません。遠隔操作ウイルスが指令サーバに定期連絡（ビーコン）している典型的な形です。",
  "People do not make traffic this regular: it is how remote-control malware checks in with its control server (beaconing).",
  "通信先が業務で使うソフト（更新確認、監視ツールなど）のものか確認する\n"
  "心当たりがなければ端末をネットワークから外し、専門家に調査を依頼する\n"
  "通信先を遮断し、その端末で使ったパスワードを変更する",
  "Check whether the server belongs to software you use (update checks, monitoring)\n"
  "If not, disconnect the computer and have a specialist examine it\n"
  "Block the server and change the passwords used on that computer"),
E("scan-ports",
  "ポートスキャン", "Port scan",
  "1 つの送信元が、1 台の機器の多くのポートを順に調べました。",
  "One source probed many ports of one host.",
  "攻撃の下調べで、開いているサービスや弱点を探しています。",
  "It is reconnaissance: looking for open services and weak spots.",
  "送信元が社外なら、ファイアウォールで遮断する\n"
  "不要なサービスやポートを閉じる\n"
  "送信元が社内の端末なら、感染や無断のツール使用を確認する",
  "If the source is outside, block it at the firewall\n"
  "Close services and ports you do not need\n"
  "If the source is inside, check it for infection or unauthorised tools"),
E("scan-hosts",
  "アドレススキャン", "Address scan",
  "1 つの送信元が、多くの機器に接続を試みました。",
  "One source tried to connect to many hosts.",
  "攻撃対象の機器を探す下調べ、または感染した端末が次の相手を探している動きです。",
  "It is either reconnaissance for targets or an infected computer looking for its next victims.",
  "送信元が社外なら遮断し、公開しているサービスを見直す\n"
  "送信元が社内なら、その端末をネットワークから外して検査する",
  "If the source is outside, block it and review what you publish\n"
  "If it is inside, disconnect that computer and scan it"),
E("bruteforce",
  "ログインの総当たり", "Password guessing",
  "同じ送信元から、SSH・Telnet・FTP・リモートデスクトップ・ファイル共有への短いログインが何度も繰り返されました。",
  "One source repeated short logins to SSH, Telnet, FTP, Remote Desktop or file sharing many times.",
  "パスワードを次々に試している可能性が高く、弱いパスワードなら侵入されます。",
  "It is most likely trying passwords; a weak one will fall.",
  "送信元を遮断する\n"
  "長く推測されにくいパスワードに変え、既定のパスワードを残さない\n"
  "不要なログインサービスを停止し、必要なものは社内や VPN の内側に限る",
  "Block the source\n"
  "Use long passwords and remove default ones\n"
  "Stop login services you do not need; keep the rest inside the company or a VPN"),
E("iot-port",
  "IoT 機器を狙うポートへの接続", "Connection to an IoT-targeted port",
  "Telnet（23 番）など、ルータ・カメラ・録画機を狙う攻撃でよく使われるポートに、インターネットとの間で接続がありました。",
  "A connection between the Internet and a port that attacks on routers, cameras and recorders use (Telnet 23 and the like).",
  "Mirai などのボットは既定のパスワードで IoT 機器を乗っ取り、DDoS 攻撃に使います。",
  "Bots such as Mirai take over IoT devices with default passwords and use them for DDoS attacks.",
  "ルータや機器の管理画面・Telnet をインターネットに公開しない\n"
  "機器の既定のパスワードを変え、ファームウェアを更新する\n"
  "社内から外への接続なら、その機器の感染を疑い、電源を入れ直して設定を確認する",
  "Do not expose device management or Telnet to the Internet\n"
  "Change default passwords and update firmware\n"
  "If the connection went outwards, suspect the device is infected: restart it and check its settings"),
E("exploit-kit",
  "Web 閲覧中の攻撃（エクスプロイトキット）", "Drive-by attack while browsing (exploit kit)",
  "Web サイトを見た直後に、初めての相手から Flash・Java などの攻撃用ファイルが届きました。改ざんされたサイトや広告から攻撃サイトへ誘導された形です。",
  "Right after a page view, a host never seen before sent Flash, Java or similar attack content: the page or an ad led the browser to an attack site.",
  "ブラウザやプラグインの脆弱性を突き、見ただけでマルウェアを入れられる攻撃です（ランサムウェアの配布によく使われます）。",
  "It exploits flaws in the browser or its plugins to install malware just by viewing a page (often ransomware).",
  "該当する端末のブラウザ・Flash・Java を更新するか、不要なら削除する\n"
  "端末をウイルス対策ソフトで検査する\n"
  "不用意に Web 広告をクリックしない、怪しいサイトを開かないよう周知する",
  "Update or remove the browser plugins (Flash, Java) on that computer\n"
  "Scan the computer with anti-virus software\n"
  "Remind staff not to click ads or open unknown sites"),
E("exploit-kit-payload",
  "Web 閲覧中の攻撃でマルウェアが届きました", "Drive-by attack delivered malware",
  "攻撃用ファイルに続いて、同じ攻撃サイトからプログラム（または暗号化されたデータ）がダウンロードされました。",
  "After the attack content, the same attack site sent a program (or encrypted data).",
  "攻撃が成功し、端末にマルウェア（ランサムウェアなど）が入った可能性が高い状態です。",
  "The attack most likely worked: malware (ransomware, for example) is probably on the computer.",
  "該当する端末をすぐにネットワークから外す（LAN ケーブルを抜く）\n"
  "担当者か専門家に連絡し、ファイルの暗号化や情報の持ち出しがないか調べる\n"
  "バックアップが無事か確認し、ブラウザとプラグインを更新する",
  "Disconnect the computer now (pull the network cable)\n"
  "Call your IT contact or a specialist: look for encrypted files and data sent out\n"
  "Check your backups are safe, and update the browser and plugins"),
E("exploit-kit-landing",
  "Web 閲覧中の攻撃ページ（難読化されたスクリプト）", "Attack page while browsing (obfuscated script)",
  "Web サイトを見た直後に、そのサイトから誘導された初めての相手が、中身を読めないように加工（難読化）したスクリプトや VBScript を含むページを返しました。",
  "Right after a page view, a host the site led to, never seen before, sent a page whose script is disguised (obfuscated) or written in VBScript.",
  "攻撃サイトは、ブラウザの種類や弱点を調べて攻撃を選ぶ処理を、このように隠して送り込みます。続けて攻撃用ファイルやマルウェアが届くことがよくあります。",
  "Attack sites hide the code that checks the browser and picks an exploit this way; exploit files and malware often follow.",
  "該当する端末のブラウザと OS を最新の状態に更新する\n"
  "同じ端末でこの後にプログラムのダウンロードがないか確認し、ウイルス対策ソフトで検査する\n"
  "誘導元のサイトが改ざんされている可能性があるため、社内で閲覧しないよう周知する",
  "Update the browser and the operating system on that computer\n"
  "Check whether the computer downloaded a program afterwards, and scan it with anti-virus software\n"
  "The site that led there may be hacked: tell staff not to visit it"),
E("exploit-kit-disguised",
  "Web 閲覧中の攻撃で偽装されたマルウェアが届きました", "Drive-by attack delivered disguised malware",
  "Web サイトから誘導された攻撃の流れの中で、種類を偽ったデータ（暗号化されたデータや、加工されたプログラム）がダウンロードされました。",
  "In a chain of pages a site led to, a download arrived whose declared type lies: encrypted data, or a program scrambled or labelled as something else.",
  "攻撃が成功した端末では、このデータが元のプログラムに戻されて実行されます。ランサムウェアや情報を盗むマルウェアに感染している可能性が高い状態です。",
  "On a computer the attack succeeded on, the data is turned back into a program and run: ransomware or data-stealing malware is most likely there now.",
  "該当する端末をすぐにネットワークから外す（LAN ケーブルを抜く）\n"
  "担当者か専門家に連絡し、ファイルの暗号化や情報の持ち出しがないか調べる\n"
  "その端末で使ったパスワードを別の端末から変更し、ブラウザと OS を更新する",
  "Disconnect the computer now (pull the network cable)\n"
  "Call your IT contact or a specialist: look for encrypted files and data sent out\n"
  "Change the passwords used on it from another computer, and update the browser and system"),
E("stealer-http",
  "情報を盗むマルウェアの送信（Web）", "Data-stealing malware sending (web)",
  "社内の端末が、IP アドレス直接や最近初めて現れた相手のプログラム（.php など）へ、読めない形に加工したデータを何度も送りました。",
  "A company computer sent scrambled (encoded) data again and again to a script on a server reached by bare address or seen only lately.",
  "パスワードやブラウザの情報を盗むマルウェア（LokiBot、Pony、AgentTesla など）は、このように盗んだ情報を攻撃者のサーバへ送ります。",
  "Malware that steals passwords and browser data (LokiBot, Pony, AgentTesla and the like) sends what it took to the attacker's server this way.",
  "該当する端末をネットワークから外し、ウイルス対策ソフトで検査する（できれば初期化する）\n"
  "その端末に保存していたパスワード（ブラウザ、メール、FTP など）を、別の端末からすべて変更する\n"
  "通信先をファイアウォールで遮断し、ほかの端末からの通信がないか確認する",
  "Take the computer off the network and scan it (reinstall it if you can)\n"
  "From another computer, change every password saved on it (browser, mail, FTP...)\n"
  "Block the server at the firewall and check whether other computers talk to it"),
E("stealer-file",
  "盗まれた認証情報のファイル送信", "Stolen credentials uploaded as a file",
  "社内の端末から社外のサーバへ、パスワードやパソコン名・ユーザ名の一覧と思われるファイルが FTP または Web で送られました。",
  "A company computer uploaded, by FTP or the web, a file that looks like a list of passwords with the computer's and user's names.",
  "情報を盗むマルウェア（AgentTesla など）は、集めたパスワードや画面の写し、キー入力の記録をファイルにして攻撃者のサーバへ送ります。",
  "Stealing malware (AgentTesla and the like) puts the passwords, screenshots and keystrokes it collected into files and uploads them.",
  "該当する端末をネットワークから外し、専門家に調査を依頼する\n"
  "その端末に保存していたパスワードを、別の端末からすべて変更する\n"
  "送信先のサーバへの通信を遮断する",
  "Take the computer off the network and have a specialist examine it\n"
  "From another computer, change every password saved on it\n"
  "Block the server the file went to"),
E("stealer-mail",
  "盗まれた認証情報のメール送信", "Stolen credentials sent by mail",
  "社内の端末から、パスワードやパソコン名・ユーザ名の一覧と思われる内容のメールが、無料メールなどへ送られました。",
  "A company computer sent a mail whose subject, text or attachments look like a list of passwords with the computer's and user's names, to a free mail service or the like.",
  "情報を盗むマルウェア（AgentTesla など）は、盗んだ情報をメールで攻撃者のアカウントへ送ります。送信者の気づかないうちに行われます。",
  "Stealing malware (AgentTesla and the like) mails what it took to the attacker's account, without the user noticing.",
  "該当する端末をネットワークから外し、ウイルス対策ソフトで検査する\n"
  "その端末に保存していたパスワード（メール、ブラウザ、FTP など）を、別の端末からすべて変更する\n"
  "社内の端末から外部のメールサーバへ直接送信できないよう、ファイアウォールで制限する",
  "Take the computer off the network and scan it\n"
  "From another computer, change every password saved on it (mail, browser, FTP...)\n"
  "Stop company computers from sending mail straight to outside mail servers (firewall)"),
E("ioc",
  "注意喚起された通信先・ファイルとの一致", "Matches a published indicator of compromise",
  "社内の通信が、注意喚起や脅威情報で攻撃に使われたと公表されたアドレス・ドメイン・URL・ファイルなどと一致しました（どの情報のどの項目かは alert.metadata に記録されています）。",
  "Traffic of the company matched an address, domain, URL, file or other indicator that an advisory or threat feed published as used in attacks (which set and which indicator is recorded in alert.metadata).",
  "標的型攻撃やウイルスの指令サーバとして知られた相手です。一致した端末は感染しているか、攻撃の入口になったおそれがあります。",
  "The other end is known from attacks or as a malware control server. The matching computer may be infected or may have been the attackers' way in.",
  "一致した端末を特定し、ネットワークから外してウイルス対策ソフトで検査する\n"
  "同じ相手と通信した端末がほかにないか mimamori hunt で過去にさかのぼって調べる\n"
  "ルータやプロキシで相手を遮断する（mimamori ioc export でブロックリストを作れます）",
  "Find the matching computer, take it off the network and scan it\n"
  "Look back with mimamori hunt for other computers that talked to the same party\n"
  "Block the party at the router or proxy (mimamori ioc export makes the blocklist)"),
E("webshell-script",
  "Web サーバに新しい（または書き換えられた）スクリプト", "New or changed script on the web server",
  "Web サーバの公開フォルダに、サーバが実行するスクリプト（.php、.jsp、.asp など）が新しく置かれたか、書き換えられました。",
  "A script the web server runs (.php, .jsp, .asp and the like) appeared in, or was changed in, the published folder of the web server.",
  "サイトの更新でもこうなりますが、改ざんの後に攻撃者が遠隔操作用のページ（WebShell）を置くのも同じ形です。アップロード用フォルダに置かれたスクリプトは特に注意が必要です。",
  "Site updates do this too, but attackers who broke in leave their remote-control page (a WebShell) the same way. A script in an upload folder deserves particular attention.",
  "その時刻にサイトの更新や CMS のプラグイン導入をしたか、担当者・制作会社に確認する\n"
  "心当たりがなければファイルの中身を確認し、不明なものは削除する前にコピーを保管する\n"
  "アップロード用フォルダではスクリプトが実行されないよう Web サーバを設定する",
  "Ask whoever maintains the site whether it was updated or a plugin was installed at that time\n"
  "If nobody did, look at the file; keep a copy of anything unknown before removing it\n"
  "Configure the web server so that upload folders cannot run scripts"),
E("webshell-content",
  "WebShell（Web サーバの裏口）の疑い", "Probable WebShell (a back door in the web server)",
  "Web サーバ上のファイルに、外部から送られた命令をそのまま実行する処理や、難読化された処理、既知の WebShell の特徴が見つかりました。",
  "A file on the web server runs commands sent from outside, hides obfuscated code, or carries the marks of a known WebShell.",
  "WebShell があると、攻撃者はブラウザからサーバを自由に操作でき、情報の持ち出し、改ざん、社内への侵入の足がかりに使われます。",
  "A WebShell lets attackers control the server from a browser: to take data, deface the site, and reach further into the company.",
  "ファイルのコピーを保管してからサーバから削除し、同じ時期に置かれた他のファイルも確認する\n"
  "CMS・プラグイン・サーバソフトを最新版にし、管理者と FTP のパスワードをすべて変更する\n"
  "Web サーバのアクセスログでそのファイルへのアクセス元を調べ、必要なら専門家に相談する",
  "Keep a copy of the file, then remove it from the server, and check other files placed at the same time\n"
  "Update the CMS, its plugins and the server software; change every administrator and FTP password\n"
  "Look in the web server's access log for who requested the file; ask a specialist if needed"),
E("webshell-disguised",
  "画像などに偽装したスクリプト", "Script disguised as an image or behind a double extension",
  "画像の名前のファイルにスクリプトのコードが入っている、または x.jpg.php のような二重拡張子のファイルが Web サーバに置かれました。",
  "A file named as an image holds script code, or a file with a double extension such as x.jpg.php was placed on the web server.",
  "画像のアップロード機能を悪用して WebShell を置く典型的な手口です。正当なサイトでこうしたファイルが必要になることはほとんどありません。",
  "This is the usual way to plant a WebShell through an image upload form; legitimate sites almost never need such files.",
  "ファイルのコピーを保管してからサーバから削除する\n"
  "画像アップロード機能で拡張子と中身を検査し、アップロード先でスクリプトを実行しない設定にする\n"
  "同じ時期に置かれた他のファイルと、アクセスログでのそのファイルへのアクセスを確認する",
  "Keep a copy of the file, then remove it from the server\n"
  "Make the upload form check names and content, and stop the upload folder from running scripts\n"
  "Check other files placed at the same time, and requests for this file in the access log"),
};

const mm_explain *mm_explain_find(const char *key)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(texts[i].key, key) == 0)
            return &texts[i];
    return NULL;
}

const mm_explain *mm_explain_all(size_t *n)
{
    *n = sizeof texts / sizeof texts[0];
    return texts;
}
