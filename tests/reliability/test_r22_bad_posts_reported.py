"""R22: every bad post is reported at once with its line; the previous output is untouched."""

from __future__ import annotations

import re

from conftest import snapshot
from sitekit import post

YAML_ERROR = "---\ntitle: Broken\ndate: 2024-05-01\ntags: [python, sqlite\n---\nbody\n"
NO_TITLE = "---\ndate: 2024-05-02\ntags: [python]\n---\nbody\n"
BAD_DATE = "---\ntitle: Bad date\ndate: 2024-13-45\n---\nbody\n"


def test_three_bad_posts_three_located_diagnostics(make_site, blog_cli):
    root = make_site({"content/posts/2024-05-01-good.md": post(title="Good")})
    assert blog_cli("-C", root, "build").code == 0
    before = snapshot(root / "output")
    mtimes = {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*")}
    files = {"content/posts/yaml.md": YAML_ERROR, "content/posts/notitle.md": NO_TITLE, "content/posts/baddate.md": BAD_DATE}
    for name, text in files.items():
        (root / name).write_text(text)
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    located = [line for line in result.err.splitlines() if re.match(r"^content/posts/\w+\.md:\d+(:\d+)?: ", line)]
    assert len(located) == 3, result.err
    by_file = {line.split(":")[0]: int(line.split(":")[1]) for line in located}
    assert by_file["content/posts/baddate.md"] == 3
    assert by_file["content/posts/yaml.md"] in (4, 5)
    assert by_file["content/posts/notitle.md"] in (1, 2)
    assert "Traceback" not in result.err
    assert snapshot(root / "output") == before
    assert {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*")} == mtimes
