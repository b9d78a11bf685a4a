"""R02: a symlink inside the served tree that points outside it is never followed."""

from __future__ import annotations

import os
from pathlib import Path

from servekit import InProcessServer, raw_get

SENTINEL = b"SENTINEL-BEHIND-A-SYMLINK-91c2"


def test_symlinks_out_of_the_root_are_refused(tmp_path: Path):
    root = tmp_path / "output"
    (root / "blog").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>home</body></html>")
    outside = tmp_path / "private"
    (outside / "deep").mkdir(parents=True)
    (outside / "key.txt").write_bytes(SENTINEL)
    (outside / "index.html").write_bytes(SENTINEL)
    (outside / "deep" / "key.txt").write_bytes(SENTINEL)
    os.symlink(outside / "key.txt", root / "file-link.txt")  # absolute target
    os.symlink("../private/key.txt", root / "relative-link.txt")  # relative target
    os.symlink("../../private", root / "blog" / "folder-link")  # a folder, two levels up
    os.symlink(outside, root / "folder-abs")
    os.symlink("../index.html", root / "blog" / "inside-link.html")  # stays inside: fine
    os.symlink(outside / "index.html", root / "blog" / "index.html")  # a folder's index.html
    with InProcessServer(root) as server:
        for target in (
            "/file-link.txt",
            "/relative-link.txt",
            "/blog/folder-link/key.txt",
            "/blog/folder-link/deep/key.txt",
            "/blog/folder-link/",
            "/folder-abs/",
            "/folder-abs/index.html",
            "/blog/",
            "/blog/index.html",
        ):
            reply = raw_get(server.port, target)
            assert reply.status in (403, 404), (target, reply.status)
            assert SENTINEL not in reply.body, target
        inside = raw_get(server.port, "/blog/inside-link.html")
        assert inside.status == 200 and b"home" in inside.body
