"""R06: a burst of saves gives at most two builds and the last save is served; a save made while a
build runs is picked up by exactly one more build."""

from __future__ import annotations

import time

from servekit import ServeProcess, get
from sitekit import post

SETTLE_SECONDS = 1.5  # longer than the quiet period plus the watcher's own grouping, several times over


def heavy_body(marker: str) -> str:
    """About 0.5 s of highlighting on this machine: long enough to save a file in the middle."""
    code = "\n".join(f"def f{i}(x):\n    return [y * {i} for y in range(x) if y % 3 == 0]  # {i}" for i in range(1000))
    return f"{marker}\n\n```python\n{code}\n```\n"


def settled(serve: ServeProcess, at_least: int) -> list[str]:
    """The builds once `at_least` have happened and no further one started for a while."""
    serve.wait_for_builds(at_least, timeout=30)
    count = len(serve.builds())
    while True:
        time.sleep(SETTLE_SECONDS)
        if len(serve.builds()) == count and not serve.lines[-1].startswith("Changed:"):
            return serve.builds()
        count = len(serve.builds())


def test_burst_of_saves_and_a_save_during_a_build(make_site):
    root = make_site({
        "content/posts/2024-03-01-small.md": post("Small", date="2024-03-01", body="Write -1.\n"),
        "content/posts/2024-03-02-heavy.md": post("Heavy", date="2024-03-02", body=heavy_body("Start.")),
    })
    small = root / "content" / "posts" / "2024-03-01-small.md"
    heavy = root / "content" / "posts" / "2024-03-02-heavy.md"
    with ServeProcess(root) as serve:
        started = time.monotonic()
        for n in range(50):
            small.write_text(post("Small", date="2024-03-01", body=f"Write {n}.\n"), encoding="utf-8")
            time.sleep(max(0.0, started + (n + 1) / 50 - time.monotonic()))
        assert time.monotonic() - started < 1.5
        builds = settled(serve, 1)
        assert 1 <= len(builds) <= 2, serve.lines
        assert all(line.startswith("Rebuilt") for line in builds)
        assert "Write 49." in get(serve.port, "/blog/small/").text

        before = len(builds)
        mark = len(serve.lines)
        heavy.write_text(post("Heavy", date="2024-03-02", body=heavy_body("Alpha.")), encoding="utf-8")
        serve.wait_for_line(r"^Changed: content/posts/2024-03-02-heavy\.md$", timeout=10, start=mark)
        heavy.write_text(post("Heavy", date="2024-03-02", body=heavy_body("Beta.")), encoding="utf-8")
        assert len(serve.builds()) == before, "the build finished before the second save: it did not run long enough"
        builds = settled(serve, before + 2)
        assert len(builds) == before + 2, serve.lines
        page = get(serve.port, "/blog/heavy/").text
        assert "Beta." in page and "Alpha." not in page
