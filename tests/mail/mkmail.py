# one-off: writes the test messages of tests/mail (encodings by Python's email package)
import base64, email.header, email.charset, os, random, urllib.parse

def enc(text, cs):
    return email.header.Header(text, cs).encode()

def b64(data):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i+76] for i in range(0, len(s), 76))

jis = enc("会議の資料について", "iso-2022-jp")
body_jis = "お世話になっております。\n資料はこちら https://files.example.org/share/abc?id=42&x=1 です。\n".encode("iso-2022-jp")
open("jis_subject.eml", "wb").write(b"""Return-Path: <bounce+42@sender.example>
Delivered-To: tanaka@corp.example
X-Original-To: sales@corp.example
Received: from relay.corp.example (relay.corp.example [192.168.1.10])
\tby mx.corp.example (Postfix) with ESMTP id 4AB12
\tfor <tanaka@corp.example>; Tue, 02 Jan 2024 09:15:30 +0900 (JST)
Received: from mail.sender.example (mail.sender.example [203.0.113.25])
\tby relay.corp.example (Postfix) with ESMTPS id 77F0;
\tTue, 02 Jan 2024 09:15:29 +0900 (JST)
Received: from [198.51.100.7] (helo=pc01)
\tby mail.sender.example with esmtpa (Exim 4.96); Tue, 02 Jan 2024 00:15:20 +0000
From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@sender.example>
To: tanaka@corp.example, "Sales" <sales@corp.example>
Cc: boss@corp.example
Subject: """ + jis.encode() + b"""
Date: Tue, 02 Jan 2024 09:15:00 +0900
Message-ID: <20240102001500.1234@sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit

""" + body_jis)

sjis = enc("請求書の送付（至急）", "shift_jis")
html = ('<html><body><p>ご確認ください</p>'
        '<a href="https://login.example.net/verify?u=1&amp;t=abc">こちら</a> '
        '<img src="http://cdn.example.com/logo.png"> '
        '<a HREF=\'HTTPS://Upper.Example.COM/Path\'>x</a> '
        '<a href="mailto:x@example.com">mail</a></body></html>\n').encode("shift_jis")
open("sjis_html.eml", "wb").write(b"""Received: from localhost (localhost [127.0.0.1])
\tby mx.corp.example (Postfix) with ESMTP id 1; Wed, 03 Jan 2024 10:00:02 +0900
Received: from gw.corp.example (gw.corp.example [10.1.2.3])
\tby localhost with SMTP; Wed, 03 Jan 2024 10:00:01 +0900
Received: from phish.example.net (unknown [198.51.100.77])
\tby gw.corp.example with ESMTP; Wed, 03 Jan 2024 10:00:00 +0900
From: "Billing" <billing@phish.example.net>
To: keiri@corp.example
Subject: """ + sjis.encode() + b"""
Date: Wed, 03 Jan 2024 01:00:00 +0000
Message-ID: <sjis.1@phish.example.net>
MIME-Version: 1.0
Content-Type: text/html; charset=Shift_JIS
Content-Transfer-Encoding: base64

""" + b64(html).encode() + b"\n")

random.seed(20240104)
blob = bytes(random.randrange(256) for _ in range(3000))
zipblob = b"PK\x03\x04" + bytes(random.randrange(256) for _ in range(777))
euc = enc("見積もりのご依頼", "euc-jp")
name2231 = urllib.parse.quote("請求書.pdf", safe="")
name2047 = enc("資料.zip", "iso-2022-jp")
open("eucjp_attach.eml", "wb").write(b"""Received: from mx2.partner.example (mx2.partner.example [192.0.2.44])
\tby mx.corp.example with ESMTP; Thu, 04 Jan 2024 12:00:00 +0900
From: sato@partner.example
To: undisclosed-recipients:;
Subject: """ + euc.encode() + b"""
Date: Thu, 4 Jan 2024 12:00:00 +0900
Message-ID: <eucjp.attach@partner.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==b0undary=="

--==b0undary==
Content-Type: text/plain; charset=EUC-JP
Content-Transfer-Encoding: 8bit

""" + "添付をご確認ください。http://partner.example/quote.html".encode("euc-jp") + b"""

--==b0undary==
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*=UTF-8''""" + name2231.encode() + b"""
Content-Transfer-Encoding: base64

""" + b64(blob).encode() + b"""

--==b0undary==
Content-Type: application/zip; name=\"""" + name2047.encode() + b"""\"
Content-Disposition: attachment; filename=\"""" + name2047.encode() + b"""\"
Content-Transfer-Encoding: base64

""" + b64(zipblob).encode() + b"""
--==b0undary==--
""")

open("no_date.eml", "wb").write(b"""From: someone@example.org
To: you@example.com
Subject: plain ascii, no date
Message-ID: <nodate@example.org>

no date here: see https://example.org/a).
""")

msgs = []
for i in range(3):
    subj = enc("第%d報 お知らせ" % (i + 1), "iso-2022-jp")
    msgs.append(("From sender%d@mbox.example Mon Jan  %d 10:00:00 2024\n" % (i, i + 1)).encode() +
        ("From: sender%d@mbox.example\nTo: user@corp.example\nSubject: " % i).encode() + subj.encode() +
        ("\nDate: Mon, %d Jan 2024 10:00:00 +0000\nMessage-ID: <mbox.%d@mbox.example>\n\n" % (i + 1, i)).encode() +
        b"line one\n>From the start of a line\nhttps://mbox.example/" + str(i).encode() + b"\n\n")
open("three.mbox", "wb").write(b"".join(msgs))

os.makedirs("maildir/cur", exist_ok=True)
os.makedirs("maildir/new", exist_ok=True)
open("maildir/cur/1704067200.M1P1.host:2,S", "wb").write(b"""Return-Path: <a@md.example>
From: a@md.example
To: user@corp.example
Subject: =?UTF-8?B?""" + base64.b64encode("既読のメール".encode()) + b"""?=
Date: Mon, 01 Jan 2024 00:00:00 +0000
Message-ID: <md.1@md.example>

read
""")
open("maildir/new/1704153600.M2P2.host", "wb").write(b"""From: b@md.example
To: user@corp.example
Subject: new mail
Date: Tue, 02 Jan 2024 00:00:00 +0000
Message-ID: <md.2@md.example>

unread http://md.example/x
""")
