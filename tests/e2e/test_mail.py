#!/usr/bin/env python3
"""Mail messages as evidence, end to end: the events `mimamori logs parse`
prints for .eml files, mbox files and Maildir folders against Python's own
`email` package reading the same bytes (an independent MIME parser and
RFC 2047 / 2231 / charset decoder), then `mimamori ingest` twice into a
store (the second import adds nothing).

The messages: those of tests/mail, and a corpus made here with Python's
email package: subjects in UTF-8, ISO-2022-JP, Shift_JIS and EUC-JP, text
and HTML bodies in those charsets (base64 or quoted-printable) carrying
URLs, attachments of random bytes with Japanese names (RFC 2231), written
as .eml files, as an mbox (Python's mailbox module, From-quoting its own)
and as a Maildir.

Compared per message: from (Return-Path, else the mbox sender, else From),
header_from, to, cc, subject, message_id, the time of Date in UTC,
attachment names, types, decoded sizes and SHA-256, and the URLs (runs of
URL characters after http:// or https:// in the decoded text parts, "&amp;"
read as "&" in HTML, trailing punctuation dropped, distinct, in order).
An mbox that grows between two imports adds only its new messages.

usage: test_mail.py MIMAMORI TESTS_MAIL_DIR
"""
import email
import email.header
import email.utils
import hashlib
import json
import mailbox
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from email import policy
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, expect, finish  # noqa: E402

MM, MAILDIR_T = sys.argv[1], sys.argv[2]

URL_RE = re.compile(r'(?i)(?<![A-Za-z0-9_])https?://[\x21-\x7e]+')
URL_STOP = set('<>"\'`')


def urls_of(text, html):
    out = []
    for m in URL_RE.finditer(text):
        u = m.group(0)
        for i, c in enumerate(u):
            if c in URL_STOP:
                u = u[:i]
                break
        u = u.rstrip('.,;:!?)]}')
        if re.fullmatch(r'(?i)https?://', u):
            continue
        if html:
            u = u.replace('&amp;', '&')
        u = u[:2048]
        if u not in out:
            out.append(u)
    return out[:256]


def addrs(msg, name):
    h = msg[name]
    if h is None:
        return []
    return [a.addr_spec for a in h.addresses if a.addr_spec]


def oracle(raw, mbox_from=None):
    """What Python's email package reads from one message."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    o = {}
    hf = addrs(msg, 'From')
    o['header_from'] = hf[0] if hf else None
    rp = msg.get('Return-Path')
    env = None
    if rp:
        env = email.utils.parseaddr(str(rp))[1] or None
    if not env and mbox_from:
        env = mbox_from.split()[0] if mbox_from.split() else None
        if env == 'MAILER-DAEMON':
            env = None
    o['from'] = env or o['header_from']
    o['to'] = addrs(msg, 'To')
    o['cc'] = addrs(msg, 'Cc')
    o['subject'] = str(msg['Subject']) if msg['Subject'] is not None else None
    mid = msg.get('Message-ID')
    o['message_id'] = str(mid).strip().strip('<>') if mid else None
    d = msg.get('Date')
    o['timestamp'] = None
    if d:
        try:
            dt = email.utils.parsedate_to_datetime(str(d))
            o['timestamp'] = dt.astimezone(__import__('datetime').timezone.utc).strftime(
                '%Y-%m-%dT%H:%M:%S.000000+0000')
        except (TypeError, ValueError):
            pass
    att, urls = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        fn = part.get_filename()
        if fn or part.get_content_disposition() == 'attachment':
            data = part.get_payload(decode=True) or b''
            att.append({'filename': fn, 'content_type': part.get_content_type(),
                        'size': len(data), 'sha256': hashlib.sha256(data).hexdigest()})
        if part.get_content_type() in ('text/plain', 'text/html'):
            try:
                text = part.get_content()
            except (LookupError, UnicodeError):
                continue
            for u in urls_of(text, part.get_content_type() == 'text/html'):
                if u not in urls and len(urls) < 256:
                    urls.append(u)
    o['attachment'] = att
    o['url'] = urls
    return o


def ours(path):
    r = subprocess.run([MM, 'logs', 'parse', '-q', path], capture_output=True, check=True)
    return [json.loads(l) for l in r.stdout.decode().splitlines() if l]


def compare(ev, o, where):
    e = ev['email']
    for k in ('from', 'header_from', 'subject', 'message_id'):
        expect(e.get(k) == o[k], '%s: %s: ours %r, Python %r' % (where, k, e.get(k), o[k]))
    for k in ('to', 'cc'):
        expect(e.get(k, []) == o[k], '%s: %s: ours %r, Python %r' % (where, k, e.get(k), o[k]))
    if o['timestamp']:
        expect(ev['timestamp'] == o['timestamp'],
               '%s: timestamp ours %s, Python %s' % (where, ev['timestamp'], o['timestamp']))
    else:
        expect(e.get('timestamp_source') == 'file_mtime', '%s: undated, not said' % where)
    got = [{k: a.get(k) for k in ('filename', 'content_type', 'size', 'sha256')}
           for a in e.get('attachment', [])]
    expect(got == o['attachment'], '%s: attachments ours %r, Python %r' % (where, got,
                                                                          o['attachment']))
    expect(e.get('url', []) == o['url'], '%s: urls ours %r, Python %r' % (where, e.get('url'),
                                                                          o['url']))
    expect(ev['event_type'] == 'mail', where)


# ---- the corpus made here ----

TEXTS = ['お見積もりの件', '会議資料の送付について', '【重要】パスワードの有効期限', '請求書（12月分）',
         'ご注文ありがとうございます', '出張報告', 'セキュリティ警告：不審なログイン', '新年のご挨拶',
         'Re: 打ち合わせ日程', '①〜③の確認']
CHARSETS = ['utf-8', 'iso-2022-jp', 'shift_jis', 'euc-jp']
NAMES = ['見積書.pdf', '議事録.docx', 'invoice.zip', '社外秘 資料.xlsx', 'readme.txt', '写真.jpg']


def encodable(text, cs):
    try:
        text.encode(cs)
        return True
    except UnicodeError:
        return False


def make_message(rnd, i):
    cs = rnd.choice(CHARSETS)
    subj = rnd.choice(TEXTS)
    if not encodable(subj, cs):
        cs = 'utf-8'
    m = MIMEMultipart('mixed')
    m['Return-Path'] = '<bounce-%d@sender%d.example>' % (i, i % 7)
    m['Received'] = 'from gw (gw [10.0.%d.1]) by mx.corp.example; Mon, 1 Jan 2024 00:00:00 +0000' % (i % 250)
    m['Received'] = 'from out%d.example (out%d.example [203.0.113.%d]) by gw; Mon, 1 Jan 2024' % (i, i, i % 250)
    m['From'] = email.utils.formataddr((str(email.header.Header('送信者%d' % i, 'utf-8')),
                                        'user%d@sender%d.example' % (i, i % 7)))
    m['To'] = 'a%d@corp.example, "B" <b%d@corp.example>' % (i, i)
    if i % 3 == 0:
        m['Cc'] = 'cc%d@corp.example' % i
    m['Subject'] = email.header.Header(subj, cs)
    m['Date'] = email.utils.format_datetime(
        __import__('datetime').datetime(2024, 1 + i % 12, 1 + i % 28, i % 24, i % 60,
                                        tzinfo=__import__('datetime').timezone(
                                            __import__('datetime').timedelta(hours=9))))
    m['Message-ID'] = '<msg%d.%d@sender.example>' % (i, rnd.randrange(10 ** 6))
    bcs = cs if cs != 'utf-8' else 'utf-8'
    body = '%s\n詳細は https://portal%d.example/path?q=%d&r=x をご覧ください。\n' % (subj, i, i)
    if not encodable(body, bcs):
        bcs = 'utf-8'
    alt = MIMEMultipart('alternative')
    alt.attach(MIMEText(body, 'plain', bcs))
    html = '<p>%s</p><a href="https://click%d.example/t?a=1&amp;b=%d">here</a>' \
           '<img src="http://img.example/%d.png">\n' % (subj, i, i, i)
    if not encodable(html, bcs):
        bcs = 'utf-8'
    alt.attach(MIMEText(html, 'html', bcs))
    m.attach(alt)
    for k in range(rnd.randrange(4)):
        data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 5000)))
        p = MIMEApplication(data, 'octet-stream')
        name = rnd.choice(NAMES)
        p.add_header('Content-Disposition', 'attachment', filename=('utf-8', '', name))
        m.attach(p)
    return m.as_bytes()


def main():
    tmp = tempfile.mkdtemp(prefix='mm-mail-')
    try:
        files = sorted(f for f in os.listdir(MAILDIR_T) if f.endswith('.eml'))

        @check('tests/mail .eml files against Python\'s email package')
        def _():
            expect(files, 'no .eml files in %s' % MAILDIR_T)
            for f in files:
                p = os.path.join(MAILDIR_T, f)
                ev = ours(p)
                expect(len(ev) == 1, '%s: %d events' % (f, len(ev)))
                compare(ev[0], oracle(open(p, 'rb').read()), f)

        @check('tests/mail mbox against Python\'s mailbox module')
        def _():
            p = os.path.join(MAILDIR_T, 'three.mbox')
            ev = ours(p)
            box = mailbox.mbox(p, create=False)
            msgs = [(box.get_bytes(k, from_=False), box.get_message(k).get_from())
                    for k in box.keys()]
            expect(len(ev) == len(msgs) == 3, 'events %d, Python %d' % (len(ev), len(msgs)))
            for i, (raw, frm) in enumerate(msgs):
                compare(ev[i], oracle(raw, frm), 'three.mbox #%d' % i)

        rnd = random.Random(24)
        corpus = [make_message(rnd, i) for i in range(60)]
        cdir = os.path.join(tmp, 'corpus')
        os.makedirs(cdir)
        for i, raw in enumerate(corpus):
            with open(os.path.join(cdir, 'm%02d.eml' % i), 'wb') as f:
                f.write(raw)

        @check('60 generated messages (4 charsets, RFC 2231 names) as .eml files')
        def _():
            for i, raw in enumerate(corpus):
                ev = ours(os.path.join(cdir, 'm%02d.eml' % i))
                expect(len(ev) == 1, 'm%02d: %d events' % (i, len(ev)))
                compare(ev[0], oracle(raw), 'm%02d.eml' % i)

        mb = os.path.join(tmp, 'box.mbox')
        box = mailbox.mbox(mb)
        for raw in corpus:
            box.add(mailbox.mboxMessage(raw))
        box.flush()
        box.close()

        @check('the same 60 in an mbox (Python\'s mailbox writes it)')
        def _():
            ev = ours(mb)
            b = mailbox.mbox(mb, create=False)
            msgs = [(b.get_bytes(k, from_=False), b.get_message(k).get_from()) for k in b.keys()]
            expect(len(ev) == len(msgs) == 60, 'events %d, Python %d' % (len(ev), len(msgs)))
            offs = [e['log']['offset'] for e in ev]
            expect(offs == sorted(offs) and offs[0] == 0, 'offsets %r' % offs[:5])
            for i, (raw, frm) in enumerate(msgs):
                compare(ev[i], oracle(raw, frm), 'box.mbox #%d' % i)

        md = os.path.join(tmp, 'Maildir')
        mdb = mailbox.Maildir(md, create=True)
        for raw in corpus[:10]:
            mdb.add(mailbox.MaildirMessage(raw))
        mdb.close()

        @check('10 of them in a Maildir (Python\'s mailbox writes it)')
        def _():
            ev = ours(md)
            expect(len(ev) == 10, 'events %d' % len(ev))
            by_id = {e['email']['message_id']: e for e in ev}
            for raw in corpus[:10]:
                o = oracle(raw)
                expect(o['message_id'] in by_id, 'missing %s' % o['message_id'])
                compare(by_id[o['message_id']], o, o['message_id'])
                expect(by_id[o['message_id']]['log']['format'] == 'maildir', 'format')

        @check('ingest: mail files, mbox and Maildir imported once, known the second time')
        def _():
            db = os.path.join(tmp, 'store.db')
            inputs = [cdir, mb, md, MAILDIR_T]
            r = subprocess.run([MM, 'ingest', '--db', db, '--site', 'kaede'] + inputs,
                               capture_output=True, text=True)
            expect(r.returncode == 0, 'ingest failed: %s' % r.stderr[-2000:])
            con = sqlite3.connect(db)
            n, ev = con.execute("SELECT count(*), sum(events) FROM imports WHERE kind = 'mail'"
                                ).fetchone()
            # 60 .eml + 1 mbox + tests/mail (4 .eml, 1 mbox, 2 Maildir); the 10
            # Maildir files hold the bytes of 10 of the .eml files: known by
            # their content, not imported again
            expect(n == 60 + 1 + 4 + 1 + 2, 'imports %d: %s' % (n, r.stderr[-3000:]))
            expect(ev == 60 + 60 + 4 + 3 + 2, 'events %d' % ev)
            expect(r.stderr.count('Maildir/new/') == 10 and ' 10 already imported' in r.stderr,
                   'the Maildir copies: %s' % r.stderr[-1500:])
            con.close()
            r = subprocess.run([MM, 'ingest', '--db', db, '--site', 'kaede'] + inputs,
                               capture_output=True, text=True)
            expect(r.returncode == 0, 'second ingest failed: %s' % r.stderr[-2000:])
            expect(' 0 imported' in r.stderr, 'second ingest imported: %s' % r.stderr[-600:])
            con = sqlite3.connect(db)
            n2 = con.execute("SELECT count(*) FROM imports WHERE kind = 'mail'").fetchone()[0]
            expect(n2 == n, 'imports grew %d -> %d' % (n, n2))
            con.close()

        @check('ingest: an mbox that grew is read from where the last import ended')
        def _():
            db = os.path.join(tmp, 'grow.db')
            data = open(mb, 'rb').read()
            cut = [m.start() + 1 for m in re.finditer(rb'\nFrom ', data)][29]
            g = os.path.join(tmp, 'grow.mbox')
            with open(g, 'wb') as f:
                f.write(data[:cut])
            r = subprocess.run([MM, 'ingest', '--db', db, '--site', 'kaede', g],
                               capture_output=True, text=True)
            expect(r.returncode == 0 and 'imported 30 mail messages' in r.stderr, r.stderr)
            with open(g, 'wb') as f:
                f.write(data)
            r = subprocess.run([MM, 'ingest', '--db', db, '--site', 'kaede', g],
                               capture_output=True, text=True)
            expect(r.returncode == 0 and 'imported 30 mail messages (new messages' in r.stderr,
                   r.stderr)
            con = sqlite3.connect(db)
            ev = con.execute("SELECT sum(events) FROM imports WHERE kind = 'mail'").fetchone()[0]
            con.close()
            expect(ev == 60, 'events %d' % ev)

        @check('ingest: a mail event is a log record (log_findings: executable, sender mismatch)')
        def _():
            m = MIMEMultipart('mixed')
            m['Return-Path'] = '<x@evil.example>'
            m['Received'] = 'from m (m [198.51.100.9]) by mx.corp.example; Mon, 1 Jan 2024'
            m['From'] = 'boss@corp.example'
            m['To'] = 'keiri@corp.example'
            m['Subject'] = email.header.Header('至急お振込みください', 'iso-2022-jp')
            m['Date'] = 'Mon, 01 Jan 2024 09:00:00 +0900'
            m['Message-ID'] = '<bec.1@evil.example>'
            m.attach(MIMEText('添付を確認してください', 'plain', 'iso-2022-jp'))
            p = MIMEApplication(b'MZ\x90\x00' * 64, 'octet-stream')
            p.add_header('Content-Disposition', 'attachment', filename=('utf-8', '', '請求書.exe'))
            m.attach(p)
            f = os.path.join(tmp, 'bec.eml')
            with open(f, 'wb') as fh:
                fh.write(m.as_bytes())
            db = os.path.join(tmp, 'bec.db')
            r = subprocess.run([MM, 'ingest', '-q', '--db', db, '--site', 'kaede', f],
                               capture_output=True, text=True)
            expect(r.returncode == 0, r.stderr)
            con = sqlite3.connect(db)
            rows = sorted(con.execute('SELECT kind, name FROM log_findings').fetchall())
            con.close()
            expect(rows == [('exec_attachment', '請求書.exe'),
                            ('from_mismatch', 'boss@corp.example')], 'findings %r' % rows)

        @check('hunt finds what the mail events carry (sha256, URL, attachment name, hop, sender)')
        def _():
            db = os.path.join(tmp, 'hunt.db')
            r = subprocess.run([MM, 'ingest', '-q', '--db', db, '--site', 'kaede', MAILDIR_T],
                               capture_output=True, text=True)
            expect(r.returncode == 0, r.stderr)
            p = os.path.join(MAILDIR_T, 'eucjp_attach.eml')
            att = oracle(open(p, 'rb').read())['attachment']
            values = [att[0]['sha256'], att[1]['filename'], '203.0.113.25',
                      'https://login.example.net/verify?u=1&t=abc', 'bounce+42@sender.example']
            r = subprocess.run([MM, 'hunt', '--db', db, '--format', 'json'] + values,
                               capture_output=True, text=True)
            expect(r.returncode == 0, r.stderr)
            seen = {json.loads(l)['seen'] for l in r.stdout.splitlines() if l.strip()}
            # the index keeps a URL as its key: host, path and query, no scheme
            want = {v.split('://', 1)[1] if '://' in v else v for v in values}
            expect(want <= seen, 'not found: %r' % (want - seen))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
