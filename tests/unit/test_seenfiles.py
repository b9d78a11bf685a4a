"""blog.seenfiles on real files: bytes are reused only while a file's status proves them current."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from blog import seenfiles
from blog.cache import digest
from blog.seenfiles import SeenFiles


@pytest.fixture
def old_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as older than the racy window."""
    monkeypatch.setattr(seenfiles, "RACY_SECONDS", -60.0)


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, old_enough: None) -> None:
    post = tmp_path / "a.md"
    post.write_bytes(b"hello")
    files = SeenFiles()
    first = files.read(post)
    assert files.read(post) is first


def test_a_rewritten_file_is_read_again_even_with_its_old_size_and_modification_time(tmp_path: Path, old_enough: None) -> None:
    post = tmp_path / "a.md"
    post.write_bytes(b"hello")
    files = SeenFiles()
    assert files.read(post) == b"hello"
    before = os.stat(post)
    post.write_bytes(b"jello")
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time still moves
    assert files.read(post) == b"jello"


def test_a_file_replaced_by_another_is_read_again(tmp_path: Path, old_enough: None) -> None:
    post, other = tmp_path / "a.md", tmp_path / "b.md"
    post.write_bytes(b"one")
    other.write_bytes(b"two")
    files = SeenFiles()
    assert files.read(post) == b"one"
    os.replace(other, post)  # how editors save: a new file renamed over the old
    assert files.read(post) == b"two"


def test_a_file_changed_within_the_racy_window_is_always_read(tmp_path: Path) -> None:
    post = tmp_path / "a.md"
    post.write_bytes(b"hello")
    files = SeenFiles()
    first = files.read(post)
    second = files.read(post)
    assert second == first and second is not first


def test_files_not_read_since_are_forgotten(tmp_path: Path, old_enough: None) -> None:
    post = tmp_path / "a.md"
    post.write_bytes(b"hello")
    files = SeenFiles()
    first = files.read(post)
    files.forget_unread()
    files.forget_unread()  # a build that found no file
    assert files.read(post) is not first


def test_digests_are_those_of_the_bytes(tmp_path: Path, old_enough: None) -> None:
    post = tmp_path / "a.md"
    post.write_bytes(b"hello")
    files = SeenFiles()
    data = files.read(post)
    assert files.digest(data) == digest(b"hello")
    assert files.digest(b"other") == digest(b"other")
    files.forget_unread()
    assert files.digest(files.read(post)) == digest(b"hello")
