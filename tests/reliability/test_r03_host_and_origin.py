"""R03: loopback by default; a foreign Host is refused (DNS rebinding); so is a foreign Origin on the
live-reload stream."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from blog.cli import make_parser
from servekit import InProcessServer, ServeProcess, raw_get, raw_request, read_until


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("r03") / "output"
    (root / "blog" / "post").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>home</body></html>")
    (root / "blog" / "post" / "index.html").write_text("<html><body>post</body></html>")
    with InProcessServer(root) as running:
        yield running


def test_default_host_is_loopback():
    assert make_parser().parse_args(["serve"]).host == "127.0.0.1"


def _listening_addresses(pid: int, port: int) -> set[str]:
    """Local addresses of the process's listening TCP sockets on `port`, from /proc."""
    found = set()
    for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_blog_serve_binds_127_0_0_1_by_default(make_site):
    root = make_site({"content/posts/2024-01-01-a.md": "---\ntitle: A\n---\nText.\n"})
    with ServeProcess(root) as serve:
        assert serve.url.startswith("http://127.0.0.1:")
        assert _listening_addresses(serve.process.pid, serve.port) == {"0100007F"}  # 127.0.0.1, nothing else
        assert not any("warning" in line for line in serve.errors)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.evil.example"])
@pytest.mark.parametrize("target", ["/", "/blog/post/", "/blog/post", "/missing", "/__blog__/events"])
def test_foreign_host_is_refused(server, host, target):
    reply = raw_get(server.port, target, host=host)
    assert reply.status == 403, (host, target)
    assert b"home" not in reply.body and b"post" not in reply.body


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.0.0.1:{port}", "localhost:{port}"])
def test_loopback_hosts_are_served(server, host):
    reply = raw_get(server.port, "/", host=host.format(port=server.port))
    assert reply.status == 200 and b"home" in reply.body


def test_missing_or_repeated_host_is_refused(server):
    missing = raw_request(server.port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert missing.startswith(b"HTTP/1.1 400")
    twice = raw_request(server.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n")
    assert twice.startswith(b"HTTP/1.1 400")


def _events_head(port: int, origin: str | None) -> bytes:
    """The start of the event stream's answer: a refusal, or the headers and the hello event."""
    extra = f"Origin: {origin}\r\n" if origin else ""
    request = f"GET /__blog__/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        return read_until(sock, b"event: hello\ndata: test-1\n\n")


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://127.0.0.1:1", "https://127.0.0.1:{port}", "null", "http://localhost:{port}"]
)
def test_live_reload_refuses_a_foreign_origin(server, origin):
    reply = _events_head(server.port, origin.format(port=server.port))
    assert reply.startswith(b"HTTP/1.1 403")
    assert b"event:" not in reply


def test_live_reload_accepts_its_own_pages(server):
    for origin in (None, f"http://127.0.0.1:{server.port}"):
        reply = _events_head(server.port, origin)
        assert reply.startswith(b"HTTP/1.1 200")
        assert b"text/event-stream" in reply and b"event: hello\ndata: test-1\n" in reply
