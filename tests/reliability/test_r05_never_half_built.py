"""R05: while the site is rebuilt 20 times, two readers never get a 404, a 5xx or a partial page."""

from __future__ import annotations

import threading
import time

from servekit import ServeProcess, get
from sitekit import post

SLUGS = [f"p{d}" for d in range(1, 7)]


def test_readers_never_see_a_half_built_site(make_site):
    files = {f"content/posts/2024-02-{d:02d}-p{d}.md": post(f"Post {d}", date=f"2024-02-{d:02d}") for d in range(1, 7)}
    root = make_site(files)
    edited = root / "content" / "posts" / "2024-02-01-p1.md"
    pages = ["/", "/tags/", "/tags/python/", "/archive/", "/atom.xml"] + [f"/blog/{slug}/" for slug in SLUGS]
    with ServeProcess(root) as serve:
        stop = threading.Event()
        problems: list[str] = []
        fetched = [0, 0]

        def read(worker: int) -> None:
            deadline = time.monotonic() + 90
            while not stop.is_set() and time.monotonic() < deadline:
                for path in pages:
                    try:
                        reply = get(serve.port, path, timeout=10)
                    except Exception as exc:  # an incomplete body or a reset is a failure too
                        problems.append(f"{path}: {exc!r}")
                        continue
                    fetched[worker] += 1
                    complete = reply.body.rstrip().endswith(b"</feed>" if path.endswith(".xml") else b"</html>")
                    if reply.status != 200 or not complete:
                        problems.append(f"{path}: {reply.status}, complete={complete}")

        readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(2)]
        for reader in readers:
            reader.start()
        for revision in range(1, 21):
            edited.write_text(post("Post 1", date="2024-02-01", body=f"Revision {revision}.\n"), encoding="utf-8")
            serve.wait_for_builds(revision, timeout=20)
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
        assert len(serve.builds()) == 20 and all(line.startswith("Rebuilt") for line in serve.builds())
        assert problems == []
        assert min(fetched) > 40, fetched
        assert "Revision 20." in get(serve.port, "/blog/p1/").text
