#!/usr/bin/env python3
"""A minimal WebSocket client (standard library only) for make-fixture.sh: connects to a
herald-server as one person, sends request frames and prints each answer.

usage: wsclient.py HOST:PORT TOKEN FRAME_JSON...
Each FRAME_JSON is sent after the previous one was answered (a `result` or `error` with its id).
"""
import base64
import json
import os
import socket
import struct
import sys


def send_frame(sock, text):
    payload = text.encode()
    head = bytearray([0x81])
    n = len(payload)
    if n < 126:
        head.append(0x80 | n)
    elif n < 65536:
        head.append(0x80 | 126)
        head += struct.pack("!H", n)
    else:
        head.append(0x80 | 127)
        head += struct.pack("!Q", n)
    mask = os.urandom(4)
    head += mask
    sock.sendall(bytes(head) + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise EOFError("connection closed")
        out += chunk
    return out


def recv_frame(sock):
    b0, b1 = recv_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(sock, 8))[0]
    data = recv_exact(sock, n)
    return b0 & 0x0F, data


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    token = sys.argv[2]
    sock = socket.create_connection((host, int(port)), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: herald.v1\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += recv_exact(sock, 1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        sys.exit("handshake failed: " + head.decode(errors="replace"))
    for frame in sys.argv[3:]:
        request = json.loads(frame)
        send_frame(sock, frame)
        while True:
            op, data = recv_frame(sock)
            if op == 0x8:
                sys.exit("closed by the server")
            if op != 0x1:
                continue
            msg = json.loads(data)
            if msg.get("type") in ("result", "error") and msg.get("id") == request["id"]:
                print(json.dumps(msg))
                if msg["type"] == "error":
                    sys.exit(1)
                break
    sock.sendall(bytes([0x88, 0x80]) + os.urandom(4))  # close, no payload
    sock.close()


if __name__ == "__main__":
    main()
