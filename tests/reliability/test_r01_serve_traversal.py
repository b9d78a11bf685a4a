"""R01: no request path, however encoded, reaches a file outside the served folder.

Raw sockets send each payload byte for byte (a client library would normalise `..` away). A
sentinel sits beside the served folder and in a sibling whose name starts like it
(`output-leak/`), the shape that defeats a `startswith(root)` check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from servekit import InProcessServer, raw_get, raw_request

SENTINEL = b"SENTINEL-OUTSIDE-THE-ROOT-7f3a"


@pytest.fixture
def served(tmp_path: Path):
    root = tmp_path / "output"
    (root / "blog" / "post").mkdir(parents=True)
    (root / "index.html").write_text("<html><body><h1>Home</h1></body></html>\n")
    (root / "blog" / "post" / "index.html").write_text("<html><body><h1>Post</h1></body></html>\n")
    (tmp_path / "secret.txt").write_bytes(SENTINEL)
    (tmp_path / "output-leak").mkdir()
    (tmp_path / "output-leak" / "secret.txt").write_bytes(SENTINEL)
    with InProcessServer(root) as server:
        yield server, tmp_path


def payloads(outside: Path) -> list[str]:
    absolute = (outside / "secret.txt").as_posix()
    return [
        "/../secret.txt",
        "/../output-leak/secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/output-leak/secret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/..%2fsecret.txt",
        "/..%2Foutput-leak%2Fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/blog/../../secret.txt",
        "/blog/post/../../../output-leak/secret.txt",
        "/blog/%2e%2e/%2e%2e/secret.txt",
        "/./../secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%c0%af../secret.txt",
        "/..%00/secret.txt",
        "/%00",
        "/secret.txt%00.html",
        "//" + absolute.lstrip("/"),
        "/" + absolute.lstrip("/"),
        "//../secret.txt",
        "/..;/secret.txt",
        "/output-leak/secret.txt",
        "http://127.0.0.1/../secret.txt",
    ]


def test_no_payload_reaches_a_file_outside_the_root(served):
    server, outside = served
    cases = payloads(outside)
    assert len(cases) >= 25
    for target in cases:
        reply = raw_get(server.port, target)
        assert reply.status in (400, 404), (target, reply.status)
        assert SENTINEL not in reply.body, target
    home = raw_get(server.port, "/")
    assert home.status == 200 and b"<h1>Home</h1>" in home.body


def test_raw_request_lines_with_dot_segments_in_every_spelling(served):
    server, _ = served
    for target in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"):
        for version in ("HTTP/1.0", "HTTP/1.1"):
            data = raw_request(server.port, f"GET {target} {version}\r\nHost: 127.0.0.1\r\n\r\n".encode())
            assert SENTINEL not in data and data.startswith(b"HTTP/1.1 40"), (target, version, data[:40])


def test_folder_redirect_never_becomes_an_open_redirect(served):
    server, outside = served
    (server.server.root / "evil.example").mkdir()
    (server.server.root / "evil.example" / "index.html").write_text("<p>inside</p>")
    reply = raw_get(server.port, "//evil.example")
    assert reply.status == 301
    assert reply.headers["location"] == "/evil.example/"
