#!/usr/bin/env python3
"""Writes an mbox of N generated mail messages for bench/mail.sh (not
committed data): Japanese subjects in UTF-8, ISO-2022-JP, Shift_JIS and
EUC-JP, text and HTML bodies with a few URLs, a Received chain of two
hops, and on one message in five one to three attachments of 2-200 KB
(base64) with RFC 2231 names. Deterministic for a given seed.

usage: mail_gen.py OUT.mbox [N] [SEED] [ATTACH_SHARE]   (default 10000 1 0.2)
"""
import email.header
import email.utils
import random
import sys
from datetime import datetime, timedelta, timezone
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

SUBJECTS = ['お見積もりの件', '会議資料の送付について', '【重要】パスワードの有効期限のお知らせ',
            '請求書（12月分）', 'ご注文ありがとうございます', '出張報告', '新年のご挨拶',
            'Re: 打ち合わせ日程', 'Weekly report', 'セキュリティ警告：不審なログイン']
NAMES = ['見積書.pdf', '議事録.docx', 'invoice.zip', '社外秘 資料.xlsx', 'photo.jpg']
CHARSETS = ['utf-8', 'iso-2022-jp', 'shift_jis', 'euc-jp']


def message(rnd, i, t0, share):
    cs = rnd.choice(CHARSETS)
    subj = rnd.choice(SUBJECTS)
    body = '%s\n\nいつもお世話になっております。\n資料: https://share%d.example.com/f/%d\n' \
           '詳細: http://portal.example.jp/news?id=%d\n' % (subj, i % 50, i, i) * rnd.randrange(1, 6)
    alt = MIMEMultipart('alternative')
    alt.attach(MIMEText(body, 'plain', cs))
    alt.attach(MIMEText('<html><body><p>%s</p><a href="https://click.example.net/t?u=%d&amp;s=1">'
                        'link</a></body></html>' % (subj, i), 'html', cs))
    atts = rnd.randrange(1, 4) if rnd.random() < share else 0
    if atts:
        m = MIMEMultipart('mixed')
        m.attach(alt)
        for _ in range(atts):
            p = MIMEApplication(rnd.randbytes(rnd.randrange(2000, 200000)), 'octet-stream')
            p.add_header('Content-Disposition', 'attachment', filename=('utf-8', '', rnd.choice(NAMES)))
            m.attach(p)
    else:
        m = alt
    ip = '203.0.113.%d' % (i % 254 + 1)
    m['Return-Path'] = '<bounce-%d@sender%d.example>' % (i, i % 100)
    m['Received'] = 'from gw.corp.example (gw.corp.example [10.0.0.1]) by mx.corp.example; x'
    m['Received'] = 'from out%d.sender.example (out%d.sender.example [%s]) by gw; x' % (i, i, ip)
    m['From'] = email.utils.formataddr((str(email.header.Header('営業部', 'utf-8')),
                                        'sales%d@sender%d.example' % (i % 30, i % 100)))
    m['To'] = 'staff%d@corp.example' % (i % 40)
    m['Subject'] = email.header.Header(subj, cs)
    m['Date'] = email.utils.format_datetime(t0 + timedelta(minutes=7 * i))
    m['Message-ID'] = '<%d.%d@sender.example>' % (i, rnd.randrange(10 ** 9))
    return m.as_bytes()


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.2
    t0 = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=9)))
    with open(out, 'wb') as f:
        for i in range(n):
            raw = message(rnd, i, t0, share)
            # mboxrd quoting of body lines that begin with "From "
            raw = b'\n'.join(b'>' + l if l.lstrip(b'>').startswith(b'From ') else l
                             for l in raw.split(b'\n'))
            f.write(b'From bounce-%d@sender.example Mon Jan  1 00:00:00 2024\n' % i)
            f.write(raw.rstrip(b'\n') + b'\n\n')


if __name__ == '__main__':
    main()
