"""A PostgreSQL server of the test's own, for the store's tests: initdb and
pg_ctl in a temporary directory, a Unix socket only (no TCP), trust
authentication, as an unprivileged user when we are root (initdb refuses
root)."""
import os
import pwd
import shutil
import subprocess
import tempfile


def start_postgres(skip):
    """Returns (url, stop). Raises skip(reason) when the server programs are
    not installed, RuntimeError when the server does not start."""
    bins = sorted(d for d in os.listdir('/usr/lib/postgresql') if d.isdigit()) \
        if os.path.isdir('/usr/lib/postgresql') else []
    if not bins:
        raise skip('PostgreSQL server not installed (postgresql package)')
    bindir = '/usr/lib/postgresql/%s/bin' % bins[-1]
    d = tempfile.mkdtemp(prefix='mm-pg-')
    os.chmod(d, 0o755)
    user = None
    if os.geteuid() == 0:
        user = 'nobody'
        pw = pwd.getpwnam(user)
        os.chown(d, pw.pw_uid, pw.pw_gid)

    def as_user(cmd):
        if user:
            cmd = ['runuser', '-u', user, '--'] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    r = as_user([bindir + '/initdb', '-D', d + '/data', '-A', 'trust', '-U', 'mm',
                 '--no-sync', '-E', 'UTF8', '--locale', 'C'])
    if r.returncode != 0:
        raise RuntimeError('initdb: ' + r.stderr)
    r = as_user([bindir + '/pg_ctl', '-D', d + '/data', '-w', '-l', d + '/log', '-o',
                 "-k %s -c listen_addresses='' -c fsync=off" % d, 'start'])
    if r.returncode != 0:
        raise RuntimeError('pg_ctl: ' + r.stderr + open(d + '/log').read()[-1000:])

    def stop():
        as_user([bindir + '/pg_ctl', '-D', d + '/data', '-m', 'fast', 'stop'])
        shutil.rmtree(d, ignore_errors=True)
    return 'postgresql://mm@/postgres?host=%s' % d, stop
