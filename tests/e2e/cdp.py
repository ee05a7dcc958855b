"""Headless Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on fd 3, answers on fd 4, each a JSON
message ended by a NUL byte), with the standard library only. Runs the
browser under a prefix (ip netns exec NS) so that it browses from a
network namespace the test made."""
import json
import os
import shutil
import subprocess
import time


class Browser:
    def __init__(self, prefix=(), lang='ja'):
        exe = shutil.which('chromium') or shutil.which('chromium-browser')
        if not exe:
            raise FileNotFoundError('chromium')
        self.to_r, self.to_w = os.pipe()      # commands: we write, it reads (fd 3)
        self.from_r, self.from_w = os.pipe()  # answers: it writes (fd 4), we read
        self.profile = tempfile_dir()
        args = list(prefix) + [exe, '--headless', '--disable-gpu', '--no-first-run',
                               '--remote-debugging-pipe', '--user-data-dir=' + self.profile,
                               '--lang=' + lang, '--accept-lang=' + lang, 'about:blank']
        if os.geteuid() == 0:
            args.insert(len(prefix) + 1, '--no-sandbox')

        def fds():
            # (copies first: either end may already sit on 3 or 4)
            a, b = os.dup(self.to_r), os.dup(self.from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.p = subprocess.Popen(args, preexec_fn=fds, pass_fds=(3, 4),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.to_r)
        os.close(self.from_w)
        self.buf = b''
        self.next_id = 0
        self.session = None
        t = self.call('Target.createTarget', {'url': 'about:blank'})
        s = self.call('Target.attachToTarget', {'targetId': t['targetId'], 'flatten': True})
        self.session = s['sessionId']

    def _read(self, deadline):
        while b'\0' not in self.buf:
            if time.time() > deadline:
                raise TimeoutError('chromium did not answer')
            chunk = os.read(self.from_r, 65536)
            if not chunk:
                raise EOFError('chromium closed its pipe')
            self.buf += chunk
        msg, self.buf = self.buf.split(b'\0', 1)
        return json.loads(msg)

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        m = {'id': self.next_id, 'method': method, 'params': params or {}}
        if self.session:
            m['sessionId'] = self.session
        os.write(self.to_w, json.dumps(m).encode() + b'\0')
        deadline = time.time() + timeout
        while True:
            r = self._read(deadline)
            if r.get('id') == self.next_id:
                if 'error' in r:
                    raise RuntimeError('%s: %s' % (method, r['error']))
                return r.get('result', {})

    def goto(self, url):
        self.call('Page.navigate', {'url': url})

    def js(self, expr):
        r = self.call('Runtime.evaluate', {'expression': expr, 'returnByValue': True})
        return r.get('result', {}).get('value')

    # what Chromium answers an evaluation that a navigation cut short
    NAVIGATING = ('navigated or closed', 'context was destroyed', 'Cannot find context')

    def poll(self, expr):
        """js() on a page that may be navigating: None while it is (to be
        asked again), the value once it has one."""
        try:
            return self.js(expr)
        except RuntimeError as e:
            if any(m in str(e) for m in self.NAVIGATING):
                return None
            raise

    def act(self, expr):
        """Runs expr (a submit, a click) once this evaluation has returned, so
        the navigation it starts cannot cut the call short; runs it once."""
        self.js('setTimeout(function () { %s; }, 0); true' % expr)

    def wait_text(self, needle, timeout=20):
        deadline = time.time() + timeout
        text = ''
        while time.time() < deadline:
            text = self.poll('document.body ? document.body.innerText : ""') or ''
            if needle in text:
                return text
            time.sleep(0.2)
        raise AssertionError('page never showed %r; it shows: %s' % (needle, text[:400]))

    def close(self):
        try:
            os.close(self.to_w)
        except OSError:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        os.close(self.from_r)
        shutil.rmtree(self.profile, ignore_errors=True)


def tempfile_dir():
    import tempfile
    return tempfile.mkdtemp(prefix='mm-chromium-')
