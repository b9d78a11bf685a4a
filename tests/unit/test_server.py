"""The preview server's pure parts: request paths, hosts, origins, content types, injection, events."""

from __future__ import annotations

import threading

import pytest

from blog.errors import error, warning
from blog.server import (
    EVENTS_PATH,
    LiveState,
    Status,
    content_type,
    host_allowed,
    host_name,
    inject,
    is_loopback,
    live_snippet,
    overlay_html,
    request_segments,
    same_origin,
)
from servekit import InProcessServer, get, raw_get, raw_request


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", ()),
        ("/blog/x/", ("blog", "x")),
        ("/blog//x", ("blog", "x")),
        ("/a%20b.html?q=1#top", ("a b.html",)),
        ("/caf%C3%A9/", ("café",)),
        ("/%252e%252e/x", ("%2e%2e", "x")),  # decoded once: a literal name, not a parent folder
    ],
)
def test_request_segments_accepts_ordinary_paths(target, expected):
    assert request_segments(target) == expected


@pytest.mark.parametrize(
    "target",
    [
        "/../x",
        "/%2e%2e/x",
        "/%2E%2E/x",
        "/..%2fx",
        "/a/../../x",
        "/./x",
        "/..\\x",
        "/%5c..%5cx",
        "/%00",
        "/x%00.html",
        "/%0d%0aSet-Cookie:x",
        "/%c0%ae%c0%ae/x",  # overlong UTF-8 for "."
        "/%ff",
        "/.blog-build",
        "/.git/config",
        "/..;/x",
        "http://evil.example/",
        "*",
        "",
    ],
)
def test_request_segments_refuses_escapes_and_hidden_names(target):
    assert request_segments(target) is None


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("localhost:8000", "localhost"),
        ("LOCALHOST", "localhost"),
        ("127.0.0.1:1", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("example.org.", "example.org"),
        ("a:b", None),
        ("[::1]x", None),
        ("[::1", None),
        ("", None),
    ],
)
def test_host_name(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize(
    "header", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "app.localhost", "10.1.2.3:80", "preview.test:9"]
)
def test_allowed_hosts(header):
    assert host_allowed(header, frozenset({"preview.test"}))


@pytest.mark.parametrize(
    "header", ["evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.evil.example", "127.1", ""]
)
def test_foreign_hosts_are_refused(header):
    assert not host_allowed(header, frozenset({"preview.test"}))


def test_same_origin_compares_scheme_host_and_port():
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert same_origin("HTTP://LOCALHOST:8000", "localhost:8000")
    assert not same_origin("http://127.0.0.1:8001", "127.0.0.1:8000")
    assert not same_origin("https://127.0.0.1:8000", "127.0.0.1:8000")
    assert not same_origin("http://evil.example", "127.0.0.1:8000")
    assert not same_origin("null", "127.0.0.1:8000")


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("[::1]") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2") and not is_loopback("example.org")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("style.CSS", "text/css; charset=utf-8"),
        ("atom.xml", "application/xml; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("cover.svg", "image/svg+xml; charset=utf-8"),
        ("photo.jpg", "image/jpeg"),
        ("font.woff2", "font/woff2"),
        ("blob.unknownsuffix", "application/octet-stream"),
    ],
)
def test_content_type(name, kind):
    assert content_type(name) == kind


def test_inject_goes_before_the_last_closing_body():
    page = b"<html><body><p>a</p><pre>&lt;/body&gt;</pre></BODY></html>"
    assert inject(page, b"<s/>") == b"<html><body><p>a</p><pre>&lt;/body&gt;</pre><s/></BODY></html>"
    twice = b"<body>x</body>y</body>"
    assert inject(twice, b"!") == b"<body>x</body>y!</body>"


def test_inject_appends_when_there_is_no_body_end():
    assert inject(b"<p>fragment", b"<s/>") == b"<p>fragment<s/>"


def test_overlay_escapes_every_diagnostic():
    problems = (
        error("content/posts/<x>.md", "title: expected a string, got '<script>alert(1)</script>'", 3, 7),
        warning("templates/post.html", 'bad "quote" & more', 12),
    )
    shown = overlay_html(problems)
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "content/posts/&lt;x&gt;.md:3:7: title: expected a string" in shown
    assert "templates/post.html:12: warning: bad &quot;quote&quot; &amp; more" in shown
    assert "1 error" in shown and "1 errors" not in shown


def test_live_snippet_has_the_overlay_only_after_a_failed_build():
    good = live_snippet(Status("abc-1")).decode()
    bad = live_snippet(Status("abc-2", (error("blog.toml", "broken", 2),))).decode()
    assert EVENTS_PATH in good and '"abc-1"' in good and "blog-error-overlay" not in good
    assert "blog-error-overlay" in bad and "blog.toml:2: broken" in bad and '"abc-2"' in bad
    warned = live_snippet(Status("abc-3", (warning("x.md", "only a warning"),))).decode()
    assert "blog-error-overlay" not in warned


def test_live_state_streams_see_each_event_in_order():
    live = LiveState(Status("g-0"))
    seen, status = live.position()
    assert (seen, status.generation) == (0, "g-0")
    assert live.wait(seen, timeout=0.01) is None
    live.publish(Status("g-1"), "css")
    assert live.wait(seen, timeout=0.01) == (1, "css", Status("g-1"))
    live.publish(Status("g-2"), "reload")
    live.publish(Status("g-3"), "css")
    assert live.wait(1, timeout=0.01) == (3, "reload", Status("g-3"))  # a missed reload is not lost
    assert live.wait(2, timeout=0.01) == (3, "css", Status("g-3"))


def test_live_state_wakes_waiters_on_publish_and_on_close():
    live = LiveState(Status("g-0"))
    results: list[object] = []
    waiters = [threading.Thread(target=lambda: results.append(live.wait(0, timeout=5))) for _ in range(3)]
    for thread in waiters:
        thread.start()
    live.publish(Status("g-1"), "reload")
    for thread in waiters:
        thread.join(timeout=5)
    assert results == [(1, "reload", Status("g-1"))] * 3
    closer = threading.Thread(target=lambda: results.append(live.wait(1, timeout=5)))
    closer.start()
    live.close()
    closer.join(timeout=5)
    assert results[-1] is None and live.closed


# --- the real server on a prepared folder --------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "output"
    (root / "blog" / "post").mkdir(parents=True)
    (root / "static").mkdir()
    (root / "__blog__").mkdir()
    (root / "index.html").write_text("<!doctype html><html><body><h1>Home</h1></body></html>\n")
    (root / "blog" / "post" / "index.html").write_text("<html><body><p>Post</p></body></html>\n")
    (root / "404.html").write_text("<html><body><h1>Theme 404</h1></body></html>\n")
    (root / "static" / "style.css").write_text("body { color: black; }\n")
    (root / "atom.xml").write_text("<feed/>\n")
    (root / "__blog__" / "events").write_text("shadowed")
    with InProcessServer(root, Status("gen-7")) as server:
        yield server


def test_folders_serve_their_index_with_the_live_script(site):
    reply = get(site.port, "/blog/post/")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.text.index("EventSource") < reply.text.index("</body>")
    assert '"gen-7"' in reply.text and int(reply.headers["content-length"]) == len(reply.body)


def test_folder_without_slash_redirects_keeping_the_query(site):
    reply = get(site.port, "/blog/post?x=1")
    assert reply.status == 301 and reply.headers["location"] == "/blog/post/?x=1"


def test_missing_page_gets_the_themes_404_with_status_404(site):
    reply = get(site.port, "/no/such/page/")
    assert reply.status == 404 and "<h1>Theme 404</h1>" in reply.text and "EventSource" in reply.text
    assert get(site.port, "/index.html/").status == 404  # a file is not a folder


def test_other_files_are_served_as_they_are(site):
    css = get(site.port, "/static/style.css")
    assert css.status == 200 and css.body == b"body { color: black; }\n"
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    feed = get(site.port, "/atom.xml")
    assert feed.body == b"<feed/>\n" and feed.headers["content-type"] == "application/xml; charset=utf-8"


def test_head_has_the_headers_of_get_and_no_body(site):
    data = raw_request(site.port, b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and body == b""
    assert int(get(site.port, "/").headers["content-length"]) > 0


def test_other_methods_are_refused(site):
    data = raw_request(site.port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nabc")
    assert data.startswith(b"HTTP/1.1 501")


def test_the_reserved_prefix_never_serves_site_files(site):
    assert raw_get(site.port, "/__blog__/events.html").status == 404
    assert b"shadowed" not in raw_get(site.port, "/__blog__/other").body


def test_failed_build_puts_the_overlay_on_every_html_page(site):
    site.live.publish(Status("gen-8", (error("content/posts/x.md", "date: <bad>", 3, 7),)), "reload")
    for path in ("/", "/blog/post/", "/missing/"):
        text = get(site.port, path).text
        assert "blog-error-overlay" in text and "content/posts/x.md:3:7: date: &lt;bad&gt;" in text
    assert b"overlay" not in get(site.port, "/static/style.css").body
