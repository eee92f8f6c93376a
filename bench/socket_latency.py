"""Request latency as the server's socket sees it, from a packet capture of the loopback.

wrk times a request from its own write to its own read. On a machine whose cores are all
busy (the login flood of scenario 7 hashes on them), wrk's threads wait for a core too, and
that wait lands in wrk's figures; wrk also corrects for coordinated omission, so one stall
of its own counts many times. The kernel's timestamps of the packets do not wait for wrk: the
time from a request's first segment to the first segment of its answer is what a client on
another machine would see, less the network.

`capture(port, path)` starts tcpdump (None when it is missing or may not capture);
`latencies(path, port, method)` reads the capture (pcap, Ethernet link type as Linux gives
the loopback) with the standard library alone and returns the milliseconds of each request
sent with `method` that was answered.
"""

import math
import shutil
import struct
import subprocess
import time


def capture(port, path):
    """tcpdump writing the first bytes of every packet to or from `port` into `path`."""
    if not shutil.which("tcpdump"):
        return None
    process = subprocess.Popen(
        ["tcpdump", "-i", "lo", "-s", "96", "-U", "-w", str(path), f"tcp port {port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    if process.poll() is not None:
        return None
    return process


def stop(process):
    if process is not None:
        time.sleep(0.3)
        process.terminate()
        process.wait()


def packets(path):
    """(timestamp, source port, destination port, TCP flags, payload start) of each TCP
    packet over IPv4 on Ethernet; nothing for a missing file or another format."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        return
    scale = 1e-9 if magic in (0xA1B23C4D, 0x4D3CB2A1) else 1e-6
    if struct.unpack(endian + "I", data[20:24])[0] != 1:
        return
    offset = 24
    while offset + 16 <= len(data):
        seconds, fraction, length, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        frame = data[offset + 16:offset + 16 + length]
        offset += 16 + length
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        header = (ip[0] & 0x0F) * 4
        if ip[9] != 6:
            continue
        tcp = ip[header:]
        if len(tcp) < 20:
            continue
        source, destination = struct.unpack(">HH", tcp[:4])
        payload = tcp[(tcp[12] >> 4) * 4:]
        yield seconds + fraction * scale, source, destination, tcp[13], payload[:16]


def latencies(path, port, method=b"GET "):
    """Milliseconds from each `method` request to `port` to the first segment of its answer."""
    pending = {}
    answered = []
    for stamp, source, destination, flags, payload in packets(path):
        if destination == port and flags & 0x02:
            # A new connection on a port used before: nothing of the old one is pending.
            pending.pop(source, None)
        elif destination == port and payload.startswith(method):
            # A retransmitted request keeps the time of its first sending.
            pending.setdefault(source, stamp)
        elif source == port and payload.startswith(b"HTTP/1.1 ") and destination in pending:
            answered.append((stamp - pending.pop(destination)) * 1000)
    return answered


def percentile(values, fraction):
    """The nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(len(ordered) * fraction))
    return round(ordered[rank - 1], 2)
