"""R19: a failed or killed build leaves the previous output byte-identical; no temp folder stays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import snapshot
from sitekit import post


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".output"))


def test_template_error_mid_build_keeps_previous_output(make_site, blog_cli):
    files = {f"content/posts/2024-05-{d:02d}-p{d}.md": post(title=f"P{d}", date=f"2024-05-{d:02d}") for d in range(1, 6)}
    root = make_site(files)
    assert blog_cli("-C", root, "build").code == 0
    before = snapshot(root / "output")
    (root / "templates").mkdir()
    (root / "templates/tag.html").write_text('{% extends "theme/tag.html" %}{% block content %}{{ no_such_variable.x }}{% endblock %}\n')
    (root / "content/posts/2024-05-09-new.md").write_text(post(title="New", date="2024-05-09"))
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "templates/tag.html:1" in result.err
    assert snapshot(root / "output") == before
    assert leftovers(root) == []


def test_sigkill_mid_build_keeps_a_complete_output(make_site, tmp_path):
    body = "Paragraph with `code`.\n\n<!-- more -->\n\n```python\nfor i in range(10):\n    print(i)\n```\n" * 5
    files = {f"content/posts/2024-{m:02d}-{d:02d}-p{m}-{d}.md": post(title=f"P{m}-{d}", date=f"2024-{m:02d}-{d:02d}", tags=(f"t{d % 7}",), body=body)
             for m in range(1, 13) for d in range(1, 21)}
    root = make_site(files)
    command = [sys.executable, "-m", "blog", "-C", str(root), "build"]
    assert subprocess.run(command, capture_output=True).returncode == 0
    good = snapshot(root / "output")
    (root / "content/posts/2024-01-01-p1-1.md").write_text(post(title="Changed", date="2024-01-01", body=body))
    delays = (0.2, 0.5, 0.9, 1.4)
    for delay in delays:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = snapshot(root / "output")
        if after != good:  # the kill came after the swap: the new build must be complete
            completed = subprocess.run(command, capture_output=True)
            assert completed.returncode == 0
            assert snapshot(root / "output") == after
            good = after
    assert subprocess.run(command, capture_output=True).returncode == 0
    assert leftovers(root) == []
    assert os.listdir(root / "output")


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_of_a_killed_build_do_not_outlive_it(make_site):
    body = "Some text.\n\n```python\nfor i in range(10):\n    print(i)\n```\n" * 20
    files = {f"content/posts/2024-{m:02d}-{d:02d}-p{m}-{d}.md": post(title=f"P{m}-{d}", date=f"2024-{m:02d}-{d:02d}", body=body)
             for m in range(1, 13) for d in range(1, 21)}
    root = make_site(files)
    process = subprocess.Popen([sys.executable, "-m", "blog", "-C", str(root), "build"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (workers := children_of(process.pid)) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers, "the build never started its process pool"
    time.sleep(0.2)  # the workers are past their start-up
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)]
