"""Small TCP conversations written as pcap files (Ethernet, IPv4, valid
checksums), built with struct: the test gives every segment and every
acknowledgement, so what a sensor's stream sees is exactly what the test
says. Frames are numbered from 1 in the order written (tshark's and
Suricata's pcap_cnt)."""
import socket
import struct

FLAGS = {'F': 1, 'S': 2, 'R': 4, 'P': 8, 'A': 16}


def _csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Capture:
    """Frames of one or more conversations, in the order sent."""

    def __init__(self, t0=1700000000.0):
        self.t = t0
        self.frames = []

    def conv(self, cli, cport, srv, sport):
        return Conv(self, cli, cport, srv, sport)

    def write(self, path):
        with open(path, 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for t, fr in self.frames:
                us = int(round(t * 1e6))
                f.write(struct.pack('<IIII', us // 1000000, us % 1000000, len(fr), len(fr)) + fr)


class Conv:
    """One TCP connection: c() sends from the client, s() from the server.
    Sequence numbers follow the data sent; a segment acknowledges all the
    peer sent so far unless ack= says how far (relative to the peer's
    initial sequence number: its SYN counts one)."""

    def __init__(self, cap, cli, cport, srv, sport):
        self.cap = cap
        self.ip = (socket.inet_aton(cli), socket.inet_aton(srv))
        self.port = (cport, sport)
        self.isn = (1000, 50000)
        self.sent = [0, 0]          # bytes sent, SYN and FIN counted
        self.ipid = 1

    def seg(self, side, flags, data=b'', ack=None):
        src, dst = self.ip[side], self.ip[1 - side]
        bits = sum(FLAGS[c] for c in flags)
        seq = self.isn[side] + self.sent[side]
        peer = self.sent[1 - side] if ack is None else ack
        ak = (self.isn[1 - side] + peer) & 0xFFFFFFFF if bits & 16 else 0
        th = struct.pack('!HHIIBBHHH', self.port[side], self.port[1 - side], seq & 0xFFFFFFFF,
                         ak, 5 << 4, bits, 65535, 0, 0)
        ph = src + dst + struct.pack('!BBH', 0, 6, len(th) + len(data))
        th = th[:16] + struct.pack('!H', _csum(ph + th + data)) + th[18:]
        ih = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(th) + len(data), self.ipid, 0x4000,
                         64, 6, 0, src, dst)
        ih = ih[:10] + struct.pack('!H', _csum(ih)) + ih[12:]
        self.ipid += 1
        mac = (b'\x02\0\0\0\0\x01', b'\x02\0\0\0\0\x02')
        self.cap.frames.append((self.cap.t, mac[1 - side] + mac[side] + b'\x08\x00' + ih + th +
                                data))
        self.cap.t += 0.001
        self.sent[side] += len(data) + (1 if bits & (FLAGS['S'] | FLAGS['F']) else 0)
        return len(self.cap.frames)

    def handshake(self):
        self.seg(0, 'S')
        self.seg(1, 'SA')
        self.seg(0, 'A')

    def c(self, data=b'', flags='PA', **kw):
        return self.seg(0, flags, data, **kw)

    def s(self, data=b'', flags='PA', **kw):
        return self.seg(1, flags, data, **kw)

    def close(self):
        self.seg(0, 'FA')
        self.seg(1, 'FA')
        return self.seg(0, 'A')
