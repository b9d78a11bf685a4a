"""R21: hash seed, time zone, locale, working directory and file creation order change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import snapshot, write_files
from sitekit import post

POSTS = {
    f"content/posts/2024-05-{d:02d}-post-{d}.md": post(
        title=f"Post {d}", date=f"2024-05-{d:02d} 23:30", tags=("python", "SQLite", "Café", f"t{d % 3}"),
        body=f"Intro {d}.\n\n<!-- more -->\n\n```python\nx = {{'a': {d}}}\n```\n",
    )
    for d in range(1, 13)
}
POSTS["content/pages/about.md"] = "---\ntitle: About\n---\nAbout.\n"
POSTS["content/photos/a.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>"
CONFIG = 'title = "Repro"\nbase_url = "https://x.org/"\ntimezone = "Europe/Berlin"\nposts_per_page = 5\n'


def build_in(root: Path, order: list[str], env: dict[str, str], cwd: Path) -> dict[str, bytes]:
    root.mkdir(parents=True)
    (root / "blog.toml").write_text(CONFIG)
    for name in order:
        write_files(root, {name: POSTS[name]})
    full_env = {**os.environ, **env, "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run([sys.executable, "-m", "blog", "-C", str(root), "build"], env=full_env, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return snapshot(root / "output")


def test_two_builds_in_different_environments_are_identical(tmp_path):
    names = sorted(POSTS)
    first = build_in(tmp_path / "a", names, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C"}, tmp_path)
    second = build_in(tmp_path / "b", names[::-1], {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Auckland", "LC_ALL": "C.UTF-8"}, Path("/"))
    assert first.keys() == second.keys()
    assert first == second
