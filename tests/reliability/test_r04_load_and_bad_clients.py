"""R04: idle sockets, open live-reload streams and malformed requests never stall or kill the server.

While 50 idle sockets, 20 live-reload streams and 200 malformed requests hit a real `blog serve`,
`GET /` keeps a p95 under 500 ms; afterwards the process is alive and its thread count falls back.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from servekit import HOST, ServeProcess, get, read_until, wait_until
from sitekit import post

BIG_HEADER = b"X-Big: " + b"a" * 65536


def malformed(port: int) -> list[bytes]:
    host = f"Host: {HOST}:{port}".encode()
    return [
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n" + host + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"\r\n" + BIG_HEADER + b"\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n" + host + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"\r\nno colon here\r\n\r\n",
        b"POST / HTTP/1.1\r\n" + host + b"\r\nContent-Length: 100000\r\n\r\ntruncated body",
        b"GET / HTTP/1.1\r\n" + host + b"\r\nContent-Length: 50\r\n\r\nshort",
        b"\x00\xff\xfe" * 300 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + host,  # headers never finished
        b"GET /%zz%00 HTTP/1.1\r\n" + host + b"\r\n\r\n",
    ]


def send_bad(port: int, data: bytes) -> None:
    """Send one malformed request, read whatever comes back for a moment, hang up."""
    with socket.create_connection((HOST, port), timeout=1) as sock:
        try:
            sock.sendall(data)
            sock.recv(4096)
        except OSError:
            pass  # a server that answers and closes before reading everything is fine


def test_load_and_bad_clients(make_site):
    root = make_site({f"content/posts/2024-01-{d:02d}-p{d}.md": post(f"Post {d}", date=f"2024-01-{d:02d}") for d in range(1, 6)})
    with ServeProcess(root) as serve:
        assert get(serve.port, "/").status == 200
        baseline = serve.threads()
        idle = [socket.create_connection((HOST, serve.port), timeout=5) for _ in range(50)]
        for sock in idle[:25]:
            sock.sendall(b"GET / HT")  # half a request line, then silence
        streams = []
        for _ in range(20):
            sock = socket.create_connection((HOST, serve.port), timeout=5)
            sock.sendall(f"GET /__blog__/events HTTP/1.1\r\nHost: {HOST}:{serve.port}\r\n\r\n".encode())
            assert b"event: hello" in read_until(sock, b"event: hello")
            streams.append(sock)

        bad = malformed(serve.port)
        done = threading.Event()

        def attack() -> None:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda i: send_bad(serve.port, bad[i % len(bad)]), range(200)))
            done.set()

        attacker = threading.Thread(target=attack, daemon=True)
        attacker.start()
        timings = []
        deadline = time.monotonic() + 60
        while (not done.is_set() or len(timings) < 50) and time.monotonic() < deadline and len(timings) < 400:
            started = time.perf_counter()
            reply = get(serve.port, "/", timeout=5)
            timings.append(time.perf_counter() - started)
            assert reply.status == 200 and b"</html>" in reply.body
        attacker.join(timeout=60)
        assert done.is_set(), "the malformed requests did not finish"
        p95 = statistics.quantiles(timings, n=20)[-1]
        assert p95 < 0.5, f"p95 {p95:.3f} s over {len(timings)} requests"

        assert serve.process.poll() is None
        assert get(serve.port, "/").status == 200
        for sock in idle + streams:
            sock.close()
        wait_until(lambda: serve.threads() <= baseline + 2, timeout=15, what=f"threads back to {baseline}")
        assert not [line for line in serve.errors if "Traceback" in line or "internal error" in line]
