"""The writer on a real file system: staged swaps, untouched unchanged files, guards, kills."""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from blog import writer
from blog.errors import BuildError
from blog.model import Output
from blog.writer import (
    KEEP, MANIFEST, MARKER, MARKER_DATA, WriteStats, check_output_dir, clean_stale_staging, manifest_bytes,
    write_site,
)

PACKAGE_ROOT = Path(writer.__file__).resolve().parents[1]  # where `blog` was imported from

SITE = (
    Output("index.html", b"<h1>home</h1>"),
    Output("blog/first/index.html", b"<p>first</p>"),
    Output("blog/second/index.html", b"<p>second</p>"),
    Output("css/site.css", b"body{}"),
)


def snapshot(root: Path) -> dict[str, tuple[bytes | None, int, int]]:
    """Every entry below `root`: bytes (None for folders), mtime in ns, inode."""
    found: dict[str, tuple[bytes | None, int, int]] = {}
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(folder, name)
            info = path.lstat()
            data = None if path.is_dir() else path.read_bytes()
            found[path.relative_to(root).as_posix()] = (data, info.st_mtime_ns, info.st_ino)
    return found


def contents(root: Path) -> dict[str, bytes | None]:
    return {path: data for path, (data, _, _) in snapshot(root).items()}


def siblings(out: Path) -> list[str]:
    return sorted(name for name in os.listdir(out.parent) if name != out.name)


def expected_tree(
    outputs: tuple[Output, ...], extra: dict[str, bytes] | None = None
) -> dict[str, bytes | None]:
    """The tree a build of `outputs` must leave: files, their folders, the marker and manifest."""
    files = {o.path: o.data for o in outputs} | {MARKER: MARKER_DATA, MANIFEST: manifest_bytes(outputs)} | (extra or {})
    tree: dict[str, bytes | None] = dict(files)
    for path in files:
        parts = path.split("/")
        for end in range(1, len(parts)):
            tree["/".join(parts[:end])] = None
    return tree


@pytest.fixture
def out(tmp_path: Path) -> Path:
    (tmp_path / "site").mkdir()
    return tmp_path / "site" / "output"


def test_first_write_creates_every_file_with_fixed_modes(out: Path) -> None:
    previous = os.umask(0o077)
    try:
        stats = write_site(SITE, out)
    finally:
        os.umask(previous)
    assert stats == WriteStats(written=4, unchanged=0, removed=0)
    assert contents(out) == expected_tree(SITE)
    for path in [out, *out.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o755 if path.is_dir() else 0o644), path
    assert siblings(out) == []


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    out = tmp_path / "not" / "yet" / "output"
    write_site(SITE, out)
    assert contents(out) == expected_tree(SITE)


def test_identical_rewrite_touches_nothing(out: Path) -> None:
    write_site(SITE, out)
    before = snapshot(out)
    stats = write_site(reversed(SITE), out)
    assert stats == WriteStats(written=0, unchanged=4, removed=0)
    after = snapshot(out)
    files = [path for path, (data, _, _) in before.items() if data is not None]
    assert len(files) == 6
    for path in files:
        assert after[path] == before[path], path  # bytes, mtime and inode
    assert siblings(out) == []


def test_only_the_changed_file_gets_a_new_mtime(out: Path) -> None:
    write_site(SITE, out)
    before = snapshot(out)
    edited = "blog/first/index.html"
    changed = tuple(Output(o.path, b"<p>edited</p>") if o.path == edited else o for o in SITE)
    assert write_site(changed, out) == WriteStats(written=1, unchanged=3, removed=0)
    after = snapshot(out)
    differing = sorted(p for p, (data, _, _) in after.items() if data is not None and after[p] != before[p])
    assert differing == [MANIFEST, "blog/first/index.html"]
    assert (out / "blog/first/index.html").read_bytes() == b"<p>edited</p>"


def test_a_removed_output_disappears_with_its_folder(out: Path) -> None:
    write_site(SITE, out)
    remaining = tuple(o for o in SITE if o.path != "blog/second/index.html")
    assert write_site(remaining, out) == WriteStats(written=0, unchanged=3, removed=1)
    assert contents(out) == expected_tree(remaining)


def test_an_old_file_with_other_permissions_is_written_fresh(out: Path) -> None:
    write_site(SITE, out)
    (out / "index.html").chmod(0o600)
    assert write_site(SITE, out) == WriteStats(written=1, unchanged=3, removed=0)
    assert (out / "index.html").stat().st_mode & 0o777 == 0o644


def test_git_cname_and_nojekyll_survive_but_stale_files_go(out: Path) -> None:
    write_site(SITE, out)
    (out / ".git" / "objects" / "ab").mkdir(parents=True)
    (out / ".git" / "HEAD").write_bytes(b"ref: refs/heads/gh-pages\n")
    (out / ".git" / "objects" / "ab" / "cdef").write_bytes(b"\x00blob")
    (out / "CNAME").write_bytes(b"blog.example.org\n")
    (out / ".nojekyll").write_bytes(b"")
    (out / "stale.html").write_bytes(b"old")
    kept = {p: v for p, v in snapshot(out).items() if p.split("/")[0] in KEEP}
    assert write_site(SITE, out) == WriteStats(written=0, unchanged=4, removed=1)
    after = snapshot(out)
    assert {p: v for p, v in after.items() if p.split("/")[0] in KEEP and v[0] is not None} == {
        p: v for p, v in kept.items() if v[0] is not None
    }
    assert "stale.html" not in after


def test_an_output_named_like_a_kept_entry_wins(out: Path) -> None:
    write_site(SITE, out)
    (out / "CNAME").write_bytes(b"old.example.org\n")
    write_site((*SITE, Output("CNAME", b"new.example.org\n")), out)
    assert (out / "CNAME").read_bytes() == b"new.example.org\n"


def test_a_generator_failing_midway_leaves_the_output_untouched(out: Path) -> None:
    write_site(SITE, out)
    before = snapshot(out)

    def failing() -> Iterator[Output]:
        yield SITE[0]
        yield SITE[1]
        raise RuntimeError("template exploded")

    with pytest.raises(RuntimeError, match="template exploded"):
        write_site(failing(), out)
    assert snapshot(out) == before
    assert siblings(out) == []


def test_a_failure_while_staging_removes_the_staging_folder(out: Path) -> None:
    write_site(SITE, out)
    (out / "CNAME").write_bytes(b"blog.example.org\n")
    before = snapshot(out)
    broken = (*SITE, Output("blog/middle.html", "not bytes"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        write_site(broken, out)
    assert snapshot(out) == before
    assert siblings(out) == []


@pytest.mark.parametrize(
    "path",
    ["../escape.html", "a/../../escape.html", "/etc/passwd", "a\\b.html", "..\\x", "a//b", "a/", "", ".",
     "a/./b", "nul\0.html", MARKER],
)
def test_a_bad_output_path_is_refused_before_anything_is_written(out: Path, path: str) -> None:
    with pytest.raises(BuildError) as caught:
        write_site((*SITE, Output(path, b"x")), out)
    assert len(caught.value.diagnostics) == 1
    assert not out.exists()
    assert siblings(out) == []
    assert not (out.parent.parent / "escape.html").exists()


def test_duplicate_and_file_folder_clashes_are_all_reported(out: Path) -> None:
    outputs = (*SITE, Output("index.html", b"again"), Output("css", b"a file where a folder is"))
    with pytest.raises(BuildError) as caught:
        write_site(outputs, out)
    assert [(d.path, d.message) for d in caught.value.diagnostics] == [
        ("css", "output path is both a file and a folder (of css/site.css)"),
        ("index.html", "two outputs for the same path"),
    ]
    assert not out.exists()


def test_write_site_refuses_a_foreign_folder_and_leaves_it_alone(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "thesis.tex").write_bytes(b"years of work")
    with pytest.raises(BuildError, match="has no .blog-build marker"):
        write_site(SITE, out)
    assert contents(out) == {"thesis.tex": b"years of work"}
    assert siblings(out) == []


def test_a_folder_holding_only_kept_entries_is_adopted(out: Path) -> None:
    (out / ".git").mkdir(parents=True)
    (out / "CNAME").write_bytes(b"blog.example.org\n")
    write_site(SITE, out)
    assert (out / ".git").is_dir() and (out / "CNAME").read_bytes() == b"blog.example.org\n"


def test_a_symlinked_output_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "www" / "real"
    link = tmp_path / "output"
    real.parent.mkdir()
    link.symlink_to(real, target_is_directory=True)
    write_site(SITE, link)
    write_site(SITE[:2], link)
    assert link.is_symlink()
    assert contents(real) == expected_tree(SITE[:2])


def test_the_rename_fallback_gives_the_same_result(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    write_site(SITE, out)
    before = snapshot(out)
    assert write_site(SITE[1:], out) == WriteStats(written=0, unchanged=3, removed=1)
    after = snapshot(out)
    assert contents(out) == expected_tree(SITE[1:])
    assert all(after[o.path] == before[o.path] for o in SITE[1:])
    assert siblings(out) == []


# ---------------------------------------------------------------------------------------------
# Leftovers of killed builds


def test_a_leftover_staging_folder_is_removed_by_the_next_write(out: Path) -> None:
    write_site(SITE, out)
    for name in (f".{out.name}.staging-99999", f".{out.name}.old-12"):
        (out.parent / name / "half").mkdir(parents=True)
    (out.parent / ".output.staging-mine").mkdir()  # not a pid: not ours
    write_site(SITE, out)
    assert siblings(out) == [".output.staging-mine"]


def test_a_leftover_old_build_is_restored_when_the_output_is_missing(out: Path) -> None:
    write_site(SITE, out)
    good = contents(out)
    os.rename(out, out.parent / f".{out.name}.old-4242")
    (out.parent / f".{out.name}.staging-4242" / "partial").mkdir(parents=True)
    clean_stale_staging(out)
    assert contents(out) == good
    assert siblings(out) == []


# ---------------------------------------------------------------------------------------------
# Guarding the output folder


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home" / "me" / "blogs" / "site"
    (root / "content" / "posts").mkdir(parents=True)
    (root / "content" / "posts" / "a.md").write_text("# a\n")
    monkeypatch.setenv("HOME", str(tmp_path / "home" / "me"))
    monkeypatch.chdir(root)
    return root


def refusal(out: Path, site: Path, content: Path | None = None) -> str:
    with pytest.raises(BuildError) as caught:
        check_output_dir(out, site, content or site / "content")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.path == out.as_posix()
    assert diagnostic.message.startswith(f"refusing to write the site into {out.resolve()}: ")
    return diagnostic.message.rsplit(": ", 1)[1]


def test_check_refuses_the_site_folder_and_its_ancestors(site: Path) -> None:
    assert refusal(Path("."), site) == "it is the site folder"
    assert refusal(Path(".."), site) == "it contains the site folder"
    assert refusal(Path("/"), site) == "it is the filesystem root"


def test_check_refuses_the_home_folder(site: Path) -> None:
    assert refusal(Path.home(), site) == "it is your home folder"
    assert refusal(Path("~").expanduser() / "..", site) == "it contains the site folder"
    assert refusal(site.parent.parent.parent, site) == "it contains the site folder"


def test_check_refuses_the_content_folder_and_folders_in_or_around_it(site: Path) -> None:
    assert refusal(Path("content"), site) == "it is the content folder"
    assert refusal(Path("content/posts"), site) == "it is inside the content folder"
    (site / "src" / "content").mkdir(parents=True)
    assert refusal(Path("src"), site, site / "src" / "content") == "it contains the content folder"


def test_check_follows_symlinks(site: Path) -> None:
    (site / "output").symlink_to(site / "content", target_is_directory=True)
    assert refusal(Path("output"), site) == "it is the content folder"


def test_check_refuses_a_foreign_folder_or_a_file(site: Path) -> None:
    (site / "docs").mkdir()
    (site / "docs" / "notes.txt").write_text("mine")
    assert "has no .blog-build marker" in refusal(Path("docs"), site)
    (site / "output").write_text("a file")
    assert refusal(Path("output"), site) == "it exists and is not a folder"


def test_check_accepts_a_new_empty_or_earlier_output(site: Path) -> None:
    check_output_dir(Path("output"), site, site / "content")
    check_output_dir(site / "public", site, site / "content")
    (site / "output").mkdir()
    check_output_dir(Path("output"), site, site / "content")
    write_site(SITE, site / "output")
    check_output_dir(Path("output"), site, site / "content")


# ---------------------------------------------------------------------------------------------
# SIGKILL at random moments

KILLED_WRITER = """
import pickle, sys
from pathlib import Path
from blog import writer
from blog.freshness import current_record

out, fallback, retained = Path(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
if fallback:
    writer._exchange = lambda first, second: False
outputs = pickle.load(sys.stdin.buffer)
if retained:  # as a build stages: into the retained tree, with the record of the live output
    with writer.Staging(out, [o.path for o in outputs], retained=Path(retained), old_files=current_record(out) or None) as staging:
        for item in outputs:
            staging.put(item)
        staging.finish()
else:
    writer.write_site(outputs, out)
"""


def big_site(version: str) -> tuple[Output, ...]:
    """3000 posts, one in fifteen differing between versions, and 20 files only this version has.

    Creating a file is what costs time, so most files stay the same; a mix of two versions still
    shows, because every version changes files spread over the whole tree.
    """
    posts = tuple(
        Output(f"posts/{i % 40:02d}/{i}.html", f"{version if i % 15 == 0 else 'same'} {i}\n".encode())
        for i in range(3000)
    )
    return posts + tuple(Output(f"only-{version}/{i}.txt", version.encode()) for i in range(20))


def run_writer(out: Path, version: str, fallback: bool = False, retained: Path | None = None) -> subprocess.Popen[bytes]:
    """A separate process writing `big_site(version)`; `fallback` turns off the atomic exchange,
    `retained` stages into that retained tree."""
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_ROOT))
    command = [sys.executable, "-c", KILLED_WRITER, str(out), "1" if fallback else "0", str(retained or "")]
    process = subprocess.Popen(
        command, cwd=out.parent, env=env, stdin=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None
    process.stdin.write(pickle.dumps(big_site(version)))
    process.stdin.close()
    return process


def wait_for_staging(out: Path, process: subprocess.Popen[bytes], retained: Path | None = None) -> None:
    """Return once the writer has created its staging folder, or has taken the record of the
    retained tree it stages into (or has ended)."""
    staging = f".{out.name}.staging-{process.pid}"
    while process.poll() is None:
        if staging in os.listdir(out.parent) if retained is None else not retained_record_file(retained).exists():
            return
        time.sleep(0.001)


def retained_record_file(keep: Path) -> Path:
    return keep.parent / f".{keep.name}.record.json"


def wait_for_change(out: Path, process: subprocess.Popen[bytes]) -> None:
    """Return once `out` is not the folder it was, as it was (swapped, changed or gone), or the
    writer ended. A correct writer never changes the old folder while it is at `out`."""
    before = out.stat()
    while process.poll() is None:
        try:
            now = out.stat()
        except FileNotFoundError:
            return
        if (now.st_ino, now.st_mtime_ns) != (before.st_ino, before.st_mtime_ns):
            return
        time.sleep(0.0002)


def finish(process: subprocess.Popen[bytes]) -> None:
    with process:  # closes the pipes
        assert process.wait(timeout=60) == 0, process.stderr.read().decode() if process.stderr else ""


@pytest.mark.parametrize("retain", [False, True], ids=["staged-afresh", "retained-tree"])
def test_sigkill_at_random_moments_leaves_one_complete_build(out: Path, tmp_path: Path, retain: bool) -> None:
    """Kills spread from before staging to after the swap; each leaves exactly one whole build.

    With a retained tree, a kill also leaves that tree half brought up to date: the next build
    must not trust its record (it has none), and reconciles it."""
    kills = 10
    cname = {"CNAME": b"blog.example.org\n"}
    retained = tmp_path / "cache" / "kept-tree" if retain else None
    finish(run_writer(out, "v0", retained=retained))
    (out / "CNAME").write_bytes(cname["CNAME"])
    process = run_writer(out, "v1", retained=retained)  # a typical rebuild, timed from staging to exit
    wait_for_staging(out, process, retained)
    started = time.perf_counter()
    finish(process)
    staging_time = time.perf_counter() - started
    assert contents(out) == expected_tree(big_site("v1"), cname)
    good = snapshot(out)

    chance = random.Random(20240601)
    for attempt in range(kills):
        version = f"v{attempt + 2}"
        process = run_writer(out, version, fallback=attempt % 2 == 1, retained=retained)
        if attempt == 0:  # before staging starts
            pass
        elif attempt <= kills // 2:  # spread over staging, swap and clean-up
            wait_for_staging(out, process, retained)
            time.sleep(staging_time * 1.3 * (attempt - chance.random()) / (kills // 2))
        else:  # just as the new tree replaces the old one
            wait_for_change(out, process)
            time.sleep(staging_time * 0.2 * chance.random())
        process.send_signal(signal.SIGKILL)
        with process:
            process.wait(timeout=30)

        clean_stale_staging(out)  # what the next build does first
        assert siblings(out) == []
        now = snapshot(out)
        if now != good:  # the kill came after the swap: then it must be exactly the new build
            assert contents(out) == expected_tree(big_site(version), cname), attempt
            good = now
    finish(run_writer(out, "final", retained=retained))
    assert siblings(out) == []
    assert contents(out) == expected_tree(big_site("final"), cname)
    if retained is not None:  # and the tree left for the next build is what its record says
        from blog.freshness import output_record

        assert json.loads(retained_record_file(retained).read_text())["files"] == output_record(retained)


# --- files the caller knows to be unchanged -------------------------------------------------------


@pytest.mark.parametrize("retained", [False, True])
def test_unchanged_files_are_linked_unread_and_listed_in_the_manifest(out: Path, tmp_path: Path, retained: bool) -> None:
    keep = tmp_path / "site" / "kept-tree" if retained else None
    write_site(SITE, out, retained=keep)
    write_site(SITE, out, retained=keep)  # with `retained`, the kept tree now holds the build before
    before = snapshot(out)
    changed = Output("index.html", b"<h1>new home</h1>")
    unchanged = [o.path for o in SITE[1:]]
    stats = write_site((changed,), out, retained=keep, unchanged=unchanged)
    assert stats == WriteStats(written=1, unchanged=3, removed=0)
    assert contents(out) == expected_tree((changed, *SITE[1:]))  # the manifest too, byte for byte
    after = snapshot(out)
    assert all(after[path][1:] == before[path][1:] for path in unchanged)  # same inode and mtime


def test_unchanged_files_are_hashed_when_the_old_manifest_does_not_list_them(out: Path) -> None:
    write_site(SITE, out)
    (out / MANIFEST).write_bytes(b"not a manifest")
    write_site(SITE[:1], out, unchanged=[o.path for o in SITE[1:]])
    assert contents(out) == expected_tree(SITE)


def test_unchanged_paths_are_checked_like_outputs(out: Path) -> None:
    write_site(SITE, out)
    with pytest.raises(BuildError) as caught:
        write_site(SITE, out, unchanged=["index.html", "../escape", "css/site.css/x"])
    messages = sorted(d.message for d in caught.value.diagnostics)
    assert any("two outputs for the same path" in m for m in messages)
    assert any("'..' segment" in m for m in messages)
    assert any("both a file and a folder" in m for m in messages)


@pytest.mark.parametrize("links", [True, False], ids=["linked", "copied"])
@pytest.mark.parametrize("retained", [False, True])
def test_the_record_of_files_is_what_reading_the_output_back_gives(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, retained: bool, links: bool
) -> None:
    from blog.freshness import output_record

    keep = tmp_path / "site" / "kept-tree" if retained else None
    if not links:  # a file system without hard links: unchanged files are copied
        monkeypatch.setattr(writer.os, "link", lambda *args, **kwargs: (_ for _ in ()).throw(OSError("no links")))
    write_site(SITE, out, retained=keep)
    (out / "CNAME").write_text("example.org\n")
    for build in range(3):  # with `retained`, the later builds bring the tree before last up to date
        new = Output("new/page.html", f"new {build}".encode())
        stats = write_site((*SITE[1:], new), out, retained=keep, unchanged=[SITE[0].path])
        assert stats.files == output_record(out)


# --- streaming: outputs staged while the build still renders ------------------------------------------


def test_a_disk_error_in_the_background_is_reported_at_finish_and_changes_nothing(out: Path) -> None:
    write_site(SITE, out)
    before = snapshot(out)
    too_long = "x" * 300 + "/index.html"  # no file system takes a 300-byte name
    staging = writer.Staging(out, [o.path for o in SITE] + [too_long])
    for item in (*SITE, Output(too_long, b"page")):
        staging.put(item)
    with pytest.raises(BuildError) as caught:
        staging.finish()
    assert "cannot write the site" in caught.value.diagnostics[0].message
    assert snapshot(out) == before
    assert siblings(out) == []


def test_finish_refuses_a_tree_missing_an_announced_path(out: Path) -> None:
    write_site(SITE, out)
    before = snapshot(out)
    staging = writer.Staging(out, [o.path for o in SITE])
    staging.put(SITE[0])
    with pytest.raises(ValueError, match="staged 1 of the 4"):
        staging.finish()
    assert snapshot(out) == before
    assert siblings(out) == []


def test_a_first_build_leaves_a_retained_tree_of_its_own_files(out: Path, tmp_path: Path) -> None:
    keep = tmp_path / "site" / "kept-tree"
    write_site(SITE, out, retained=keep)  # no old output to swap out: the writer mirrors the new one

    def files(root: Path) -> dict[str, int]:
        return {path: inode for path, (data, _, inode) in snapshot(root).items() if data is not None}

    assert files(keep) == {path: inode for path, inode in files(out).items() if path not in (MARKER, MANIFEST)}
    assert sorted(p.name for p in keep.parent.iterdir()) == [".kept-tree.record.json", "kept-tree", out.name]  # no mirror left
    changed = Output("index.html", b"<h1>new home</h1>")
    write_site((changed, *SITE[1:]), out, retained=keep)
    assert contents(out) == expected_tree((changed, *SITE[1:]))
    assert (keep / "index.html").read_bytes() == SITE[0].data  # the first build, swapped out


def test_a_failed_first_build_leaves_no_mirror(out: Path, tmp_path: Path) -> None:
    keep = tmp_path / "site" / "kept-tree"
    staging = writer.Staging(out, [o.path for o in SITE] + ["x" * 300 + "/index.html"], retained=keep)
    for item in (*SITE, Output("x" * 300 + "/index.html", b"page")):
        staging.put(item)
    with pytest.raises(BuildError):
        staging.finish()
    assert not out.exists()
    assert sorted(p.name for p in keep.parent.iterdir()) == []


def build_like_a_build(outputs: tuple[Output, ...], out: Path, keep: Path) -> WriteStats:
    """A build as `blog build` stages it: with the retained tree and the record of the live output."""
    from blog.freshness import current_record

    with writer.Staging(out, [o.path for o in outputs], retained=keep, old_files=current_record(out) or None) as staging:
        for item in outputs:
            staging.put(item)
        return staging.finish()


def retained_record(keep: Path) -> dict[str, list[int]]:
    return json.loads((keep.parent / f".{keep.name}.record.json").read_text())["files"]


def test_a_retained_tree_pruned_by_its_record_ends_as_a_walked_one(out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blog.freshness import output_record

    keep = tmp_path / "site" / "kept-tree"
    walked: list[Path] = []
    real_prune = writer._prune
    monkeypatch.setattr(writer, "_prune", lambda staging, wanted: walked.append(staging) or real_prune(staging, wanted))
    builds = [
        SITE,
        (*SITE, Output("blog/third/index.html", b"third"), Output("a", b"a file")),
        (SITE[0], Output("a/b/c.html", b"a folder now"), Output("blog", b"a file where a folder was")),
        (SITE[0], Output("a", b"a file again"), Output("blog/first/index.html", b"back")),
        SITE,
    ]
    for number, outputs in enumerate(builds):
        build_like_a_build(outputs, out, keep)
        if number == 1:
            (out / "CNAME").write_text("example.org\n")  # a kept entry: carried over, never retained
        assert contents(out) == expected_tree(outputs, {"CNAME": b"example.org\n"} if number >= 1 else None)
        if number > 0:  # the tree swapped out is recorded exactly
            assert retained_record(keep) == output_record(keep)
    assert walked == []  # every build after the first pruned the retained tree by its record


def test_a_retained_tree_without_its_record_is_walked(out: Path, tmp_path: Path) -> None:
    """A killed build removed the record before touching the tree; what it left is reconciled."""
    keep = tmp_path / "site" / "kept-tree"
    build_like_a_build(SITE, out, keep)
    build_like_a_build(SITE, out, keep)
    record = keep.parent / f".{keep.name}.record.json"
    record.unlink()
    (keep / "blog" / "stray").mkdir()
    (keep / "blog" / "stray" / "index.html").write_bytes(b"left by a killed build")
    (keep / "index.html").unlink()
    (keep / "index.html").write_bytes(b"half written")
    build_like_a_build(SITE, out, keep)
    assert contents(out) == expected_tree(SITE)
    assert record.exists()


def test_a_build_killed_while_staging_leaves_the_retained_tree_unrecorded(out: Path, tmp_path: Path) -> None:
    from blog.freshness import current_record

    keep = tmp_path / "site" / "kept-tree"
    build_like_a_build(SITE, out, keep)
    build_like_a_build(SITE, out, keep)
    record = keep.parent / f".{keep.name}.record.json"
    assert record.exists()
    killed = writer.Staging(out, [o.path for o in SITE] + ["extra/left.html"], retained=keep, old_files=current_record(out))
    killed.put(Output("extra/left.html", b"left by a killed build"))
    killed._stop()  # its writer has placed that file; the build dies before it finishes
    assert (keep / "extra/left.html").exists() and not record.exists()
    build_like_a_build(SITE, out, keep)
    assert contents(out) == expected_tree(SITE)


def test_a_record_without_its_tree_is_not_trusted_later(out: Path, tmp_path: Path) -> None:
    """The tree went (by hand, say) and the record stayed: the next build takes the record away
    before it makes a tree afresh, so a kill then leaves no record beside that tree."""
    from blog.freshness import current_record

    keep = tmp_path / "site" / "kept-tree"
    build_like_a_build(SITE, out, keep)
    build_like_a_build(SITE, out, keep)
    record = keep.parent / f".{keep.name}.record.json"
    shutil.rmtree(keep)
    killed = writer.Staging(out, [o.path for o in SITE] + ["extra/left.html"], retained=keep, old_files=current_record(out))
    killed.put(Output("extra/left.html", b"left by a killed build"))
    killed._stop()
    assert not record.exists()
    build_like_a_build(SITE, out, keep)
    assert contents(out) == expected_tree(SITE)
