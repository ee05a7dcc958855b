"""Packets and pcap files for the fault tests, written with struct only (no
scapy): Ethernet + IPv4 + TCP/UDP with correct checksums, IPv4 fragments,
and a pcap writer taking each packet's timestamp, so a test can make time
jump backwards."""
import struct

MAC_A = b'\x02\x00\x00\x00\x00\x01'
MAC_B = b'\x02\x00\x00\x00\x00\x02'


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4(addr):
    return bytes(int(x) for x in addr.split('.'))


def ipv4(src, dst, proto, payload, ident=0, frag_off=0, more=False, ttl=64):
    """An IPv4 header before payload; frag_off in bytes (a multiple of 8)."""
    flags = (0x2000 if more else 0) | (frag_off // 8)
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident & 0xffff, flags, ttl,
                    proto, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload


def l4sum(src, dst, proto, seg):
    pseudo = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, proto, len(seg))
    return csum(pseudo + seg)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b''):
    """flags: a string of S, A, F, R, P."""
    bits = sum({'F': 1, 'S': 2, 'R': 4, 'P': 8, 'A': 16}[c] for c in flags)
    seg = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4,
                      bits, 65535, 0, 0) + payload
    seg = seg[:16] + struct.pack('!H', l4sum(src, dst, 6, seg)) + seg[18:]
    return ipv4(src, dst, 6, seg)


def udp_seg(src, dst, sport, dport, payload):
    seg = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    c = l4sum(src, dst, 17, seg) or 0xffff
    return seg[:6] + struct.pack('!H', c) + seg[8:]


def udp(src, dst, sport, dport, payload, ident=0):
    return ipv4(src, dst, 17, udp_seg(src, dst, sport, dport, payload), ident=ident)


def eth(ip_packet):
    return MAC_B + MAC_A + b'\x08\x00' + ip_packet


class Pcap:
    """A classic pcap file (microseconds, Ethernet)."""

    def __init__(self, path):
        self.f = open(path, 'wb')
        self.f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        self.n = 0

    def add(self, ts, ip_packet):
        frame = eth(ip_packet)
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        if usec >= 1000000:
            sec, usec = sec + 1, usec - 1000000
        self.f.write(struct.pack('<IIII', sec, usec, len(frame), len(frame)) + frame)
        self.n += 1

    def close(self):
        self.f.close()


def host(i, net=10):
    """The i-th address of net.0.0.0/8 (never .0 or .255 in the last byte)."""
    i = i % (254 * 256 * 256)
    return '%d.%d.%d.%d' % (net, (i // (254 * 256)) % 256, (i // 254) % 256, i % 254 + 1)


def tcp_session(pc, ts, cli, srv, sport, dport, request=b'', reply=b''):
    """A whole TCP session (handshake, one request and reply, FIN both ways);
    returns the time after it."""
    cs, ss = 1000, 5000
    pc.add(ts, tcp(cli, srv, sport, dport, cs, 0, 'S'))
    pc.add(ts + 0.001, tcp(srv, cli, dport, sport, ss, cs + 1, 'SA'))
    pc.add(ts + 0.002, tcp(cli, srv, sport, dport, cs + 1, ss + 1, 'A'))
    cs += 1
    ss += 1
    t = ts + 0.003
    if request:
        pc.add(t, tcp(cli, srv, sport, dport, cs, ss, 'PA', request))
        cs += len(request)
        t += 0.001
    if reply:
        pc.add(t, tcp(srv, cli, dport, sport, ss, cs, 'PA', reply))
        ss += len(reply)
        t += 0.001
    pc.add(t, tcp(cli, srv, sport, dport, cs, ss, 'FA'))
    pc.add(t + 0.001, tcp(srv, cli, dport, sport, ss, cs + 1, 'FA'))
    pc.add(t + 0.002, tcp(cli, srv, sport, dport, cs + 1, ss + 1, 'A'))
    return t + 0.003
