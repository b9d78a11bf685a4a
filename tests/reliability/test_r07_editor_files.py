"""R07: vim's rename-based save gives exactly one rebuild; editor swap, backup and lock files none."""

from __future__ import annotations

import os
import time

from servekit import ServeProcess, get
from sitekit import post

SETTLE_SECONDS = 1.5


def vim_save(path, text: str) -> None:
    """What vim does with `backupcopy=auto` on `:w`: probe file, backup by rename, new file, cleanup."""
    folder = path.parent
    probe = folder / "4913"
    probe.write_bytes(b"")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, 0o644)
    backup.unlink()


def test_vim_save_rebuilds_once_and_junk_never(make_site):
    root = make_site({"content/posts/2024-04-01-note.md": post("Note", date="2024-04-01", body="Before.\n")})
    folder = root / "content" / "posts"
    note = folder / "2024-04-01-note.md"
    with ServeProcess(root) as serve:
        (folder / ".2024-04-01-note.md.swp").write_bytes(b"b0VIM 9.0")  # vim opens the file
        vim_save(note, post("Note", date="2024-04-01", body="After.\n"))
        serve.wait_for_builds(1, timeout=20)
        time.sleep(SETTLE_SECONDS)
        assert len(serve.builds()) == 1, serve.lines
        assert [line for line in serve.lines if line.startswith("Changed:")] == ["Changed: content/posts/2024-04-01-note.md"]
        assert "After." in get(serve.port, "/blog/note/").text

        for name in (".2024-04-01-note.md.swp", ".x.swo", "4913", "2024-04-01-note.md~", ".#2024-04-01-note.md",
                     "#2024-04-01-note.md#", ".DS_Store", "2024-04-01-note.md___jb_tmp___"):
            (folder / name).write_text("junk")
            os.utime(folder / name)
        (folder / "4913").unlink()
        (folder / ".#2024-04-01-note.md").unlink()
        (root / "blog.toml~").write_text("junk")
        (root / "notes.txt").write_text("not part of the site")
        time.sleep(SETTLE_SECONDS + 0.5)
        assert len(serve.builds()) == 1, serve.lines
