"""What the end-to-end test scripts share: checks that report one line
each ('ok', 'FAIL', 'skip') and a closing count."""
import ipaddress
import json
import sys

results = {'passed': 0, 'failed': 0, 'skipped': 0}


class Skip(Exception):
    pass


def check(name):
    def deco(fn):
        try:
            fn()
            results['passed'] += 1
            print('ok    ' + name)
        except Skip as e:
            results['skipped'] += 1
            print('skip  %s: %s' % (name, e))
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            results['failed'] += 1
            print('FAIL  %s: %s: %s' % (name, type(e).__name__, e))
        return fn
    return deco


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def eve_validator(shared):
    """Suricata's EVE schema (../shared/data) with our one extra top-level
    object, 'mimamori', allowed; Skip when the schema or jsonschema is
    missing."""
    import json
    import os
    path = os.path.join(shared, 'data', 'suricata-eve-schema.json')
    if not os.path.exists(path):
        raise Skip('no schema at %s' % path)
    try:
        import jsonschema
    except ImportError:
        raise Skip('python3-jsonschema missing')
    with open(path) as f:
        schema = json.load(f)
    schema['properties']['mimamori'] = {'type': 'object'}
    return jsonschema.Draft7Validator(schema)


def sh(*args, ns=None, check_rc=True, **kw):
    """A command, in network namespace ns when given (ip netns exec);
    RuntimeError with its stderr when it fails and check_rc."""
    import subprocess
    cmd = (['ip', 'netns', 'exec', ns] if ns else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check_rc and r.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(cmd), r.stderr.strip()))
    return r


def netns_pair(tag, ns_a, addrs_a, ns_b, addrs_b, prefix=24):
    """Two network namespaces made and joined by a veth pair (tag+'a' in
    ns_a, tag+'b' in ns_b) with the given addresses, links and loopbacks up.
    Skip without root or ip."""
    import os
    import shutil
    if os.geteuid() != 0 or not shutil.which('ip'):
        raise Skip('needs root and ip netns')
    for ns in (ns_a, ns_b):
        sh('ip', 'netns', 'add', ns)
    sh('ip', 'link', 'add', tag + 'a', 'type', 'veth', 'peer', 'name', tag + 'b')
    for ns, dev, addrs in ((ns_a, tag + 'a', addrs_a), (ns_b, tag + 'b', addrs_b)):
        sh('ip', 'link', 'set', dev, 'netns', ns)
        for a in addrs:
            sh('ip', 'addr', 'add', '%s/%d' % (a, prefix), 'dev', dev, ns=ns)
        sh('ip', 'link', 'set', dev, 'up', ns=ns)
        sh('ip', 'link', 'set', 'lo', 'up', ns=ns)


def finish():
    print('%d passed, %d failed, %d skipped' % (results['passed'], results['failed'],
                                                 results['skipped']))
    sys.exit(1 if results['failed'] else 0)


def eve_event(line):
    """One EVE line as a dict, its addresses in the usual short form (the
    sensor writes IPv6 in full, as Suricata does; tshark writes it short)."""
    e = json.loads(line)
    for k in ('src_ip', 'dest_ip'):
        if isinstance(e.get(k), str):
            try:
                e[k] = str(ipaddress.ip_address(e[k]))
            except ValueError:
                pass
    return e
