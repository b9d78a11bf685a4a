"""R08: a broken template or post keeps the last good site on screen under an escaped overlay of
`path:line: message`, also after a manual refresh; the fix reloads the browser and the overlay goes."""

from __future__ import annotations

import html
import threading

from servekit import ServeProcess, get, sse_events, wait_until
from sitekit import post

HOSTILE = "2024-06-02-<img src=x onerror=alert(1)>.md"


class EventLog:
    """Live-reload events as a browser tab would receive them."""

    def __init__(self, port: int) -> None:
        self.events: list[tuple[str, str]] = []
        threading.Thread(target=self._collect, args=(port,), daemon=True).start()
        wait_until(lambda: self.events, timeout=10, what="the hello event")

    def _collect(self, port: int) -> None:
        for event in sse_events(port, timeout=120):
            self.events.append(event)

    def reloads(self) -> list[str]:
        return [data for kind, data in self.events if kind == "reload"]


def diagnostics(serve: ServeProcess, start: int) -> list[str]:
    """Diagnostic lines the terminal printed from index `start` on."""
    return [line for line in serve.errors[start:] if ": " in line and not line.startswith("warning")]


def test_broken_template_and_post_keep_the_last_good_site_under_an_overlay(make_site):
    root = make_site({"content/posts/2024-06-01-hello.md": post("Hello", date="2024-06-01", body="Good text.\n")})
    with ServeProcess(root) as serve:
        log = EventLog(serve.port)
        assert log.events[0][0] == "hello"

        (root / "templates").mkdir()
        template = root / "templates" / "post.html"
        template.write_text('{% extends "base.html" %}\n{% block content %}\n<p>{{ page.title }}</p>\n{{ page.title < }}\n{% endblock %}\n')
        serve.wait_for_builds(1, timeout=20)
        assert serve.builds()[-1].startswith("Build failed with 1 error")
        shown = diagnostics(serve, 0)
        assert shown and shown[0].startswith("templates/post.html:4: ")
        wait_until(lambda: len(log.reloads()) >= 1, timeout=10, what="a reload after the failed build")
        for _ in range(2):  # the first load after the event, then a manual refresh
            page = get(serve.port, "/blog/hello/")
            assert page.status == 200 and "Good text." in page.text and "blog-error-overlay" in page.text
            assert all(html.escape(line) in page.text for line in shown)
        assert "blog-error-overlay" in get(serve.port, "/").text
        assert "blog-error-overlay" not in get(serve.port, "/static/style.css").text

        template.unlink()
        serve.wait_for_builds(2, timeout=20)
        assert serve.builds()[-1].startswith("Rebuilt")
        wait_until(lambda: len(log.reloads()) >= 2, timeout=10, what="a reload after the fix")
        page = get(serve.port, "/blog/hello/")
        assert "Good text." in page.text and "blog-error-overlay" not in page.text

        errors_before = len(serve.errors)
        (root / "content" / "posts" / HOSTILE).write_text("---\ndate: 2024-06-02\n---\nNo title.\n", encoding="utf-8")
        serve.wait_for_builds(3, timeout=20)
        assert serve.builds()[-1].startswith("Build failed")
        shown = diagnostics(serve, errors_before)
        assert any(line.startswith(f"content/posts/{HOSTILE}:") for line in shown), shown
        wait_until(lambda: len(log.reloads()) >= 3, timeout=10, what="a reload after the second failure")
        for path in ("/", "/blog/hello/", "/no/such/page/"):
            text = get(serve.port, path).text
            assert "blog-error-overlay" in text and "<img src=x" not in text
            assert all(html.escape(line) in text for line in shown)
        assert "Good text." in get(serve.port, "/blog/hello/").text

        (root / "content" / "posts" / HOSTILE).unlink()
        serve.wait_for_builds(4, timeout=20)
        wait_until(lambda: len(log.reloads()) >= 4, timeout=10, what="a reload after the second fix")
        assert "blog-error-overlay" not in get(serve.port, "/blog/hello/").text
        generations = [data for _, data in log.events]
        assert len(set(generations)) == len(generations)  # every event names a new build


def test_a_site_broken_from_the_start_shows_the_overlay_until_fixed(make_site):
    root = make_site({"content/posts/2024-06-01-hello.md": post("Hello", date="2024-06-01")}, config='title = "T"\nposts_per_page = 0\n')
    with ServeProcess(root) as serve:
        assert serve.lines[0].startswith("Build failed with 1 error (nothing to serve yet)")
        assert serve.errors[0].startswith("blog.toml:2:1: posts_per_page")
        page = get(serve.port, "/")
        assert page.status == 404 and "blog-error-overlay" in page.text and html.escape(serve.errors[0]) in page.text
        (root / "blog.toml").write_text('title = "T"\nposts_per_page = 5\n', encoding="utf-8")
        serve.wait_for_builds(1, timeout=20)
        page = get(serve.port, "/")
        assert page.status == 200 and "Hello" in page.text and "blog-error-overlay" not in page.text
