"""The build manifest: written by the writer with the tree, and the check `--no-build` relies on."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from blog.errors import BuildError
from blog.model import Output
from blog.publish.plan import LocalFile, PublishError, load_build
from blog.writer import MANIFEST, MARKER, manifest_bytes, parse_manifest, write_site

SITE = (Output("index.html", b"<h1>home</h1>"), Output("blog/a/index.html", b"<p>a</p>"), Output("CNAME", b"blog.example.org\n"))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_manifest_lists_every_output_sorted_with_hash_and_size():
    document = json.loads(manifest_bytes(SITE))
    assert document == {"version": 1, "files": [
        {"path": "CNAME", "sha256": sha(b"blog.example.org\n"), "size": 17},
        {"path": "blog/a/index.html", "sha256": sha(b"<p>a</p>"), "size": 8},
        {"path": "index.html", "sha256": sha(b"<h1>home</h1>"), "size": 13},
    ]}
    assert manifest_bytes(reversed(SITE)) == manifest_bytes(SITE)
    assert parse_manifest(manifest_bytes(SITE)) == tuple((e["path"], e["sha256"], e["size"]) for e in document["files"])


@pytest.mark.parametrize("text, problem", [
    (b"{", "not valid JSON"),
    (b'{"version": 2, "files": []}', "not a version 1 manifest"),
    (b'{"version": 1}', "'files' is not a list"),
    (b'{"version": 1, "files": [{"path": "../x", "sha256": "' + b"0" * 64 + b'", "size": 1}]}', "bad path"),
    (b'{"version": 1, "files": [{"path": "x", "sha256": "abc", "size": 1}]}', "bad sha256"),
    (b'{"version": 1, "files": [{"path": "x", "sha256": "' + b"0" * 64 + b'", "size": true}]}', "bad size"),
    (b'{"version": 1, "files": [{"path": "x"}]}', "bad entry"),
    (b'{"version": 1, "files": [{"path": "b", "sha256": "' + b"0" * 64 + b'", "size": 1}, '
     b'{"path": "a", "sha256": "' + b"0" * 64 + b'", "size": 1}]}', "not unique and sorted"),
])
def test_a_damaged_manifest_is_refused(text: bytes, problem: str):
    with pytest.raises(ValueError, match=problem):
        parse_manifest(text)


def test_the_manifest_name_is_reserved(tmp_path: Path):
    with pytest.raises(BuildError, match="reserved for the build marker and manifest"):
        write_site((Output(MANIFEST, b"{}"),), tmp_path / "out")


def test_a_complete_build_loads_with_its_files(tmp_path: Path):
    out = tmp_path / "out"
    write_site(SITE, out)
    (out / ".nojekyll").write_text("")  # a kept entry the build did not make: ignored
    site = load_build(out)
    assert site.root == out.resolve()
    assert site.files == tuple(LocalFile(o.path, sha(o.data), len(o.data)) for o in sorted(SITE, key=lambda o: o.path))


def spoil(out: Path, how: str) -> None:
    if how == "no marker":
        (out / MARKER).unlink()
    elif how == "no manifest":
        (out / MANIFEST).unlink()
    elif how == "damaged manifest":
        (out / MANIFEST).write_text("[]")
    elif how == "file missing":
        (out / "blog/a/index.html").unlink()
    elif how == "same size, other bytes":
        (out / "index.html").write_bytes(b"<h1>HOME</h1>")
    elif how == "file replaced by a link":
        (out / "index.html").unlink()
        (out / "index.html").symlink_to(out / "CNAME")
    elif how == "stray file":
        (out / "blog" / "extra.html").write_text("x")
    elif how == "stray link to a folder":
        (out / "elsewhere").symlink_to(out.parent)


@pytest.mark.parametrize("how, message", [
    ("no marker", "holds no complete build (no .blog-build marker)"),
    ("no manifest", "holds no complete build (no .blog-manifest.json)"),
    ("damaged manifest", "is damaged"),
    ("file missing", "blog/a/index.html: missing"),
    ("same size, other bytes", "index.html: changed since the build"),
    ("file replaced by a link", "index.html: not a plain file"),
    ("stray file", "blog/extra.html: not part of the build"),
    ("stray link to a folder", "elsewhere: not part of the build"),
])
def test_anything_but_one_untouched_build_is_refused(tmp_path: Path, how: str, message: str):
    out = tmp_path / "out"
    write_site(SITE, out)
    spoil(out, how)
    with pytest.raises(PublishError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_build(out)


def test_an_empty_build_is_refused(tmp_path: Path):
    write_site((), tmp_path / "out")
    with pytest.raises(PublishError, match="holds an empty build"):
        load_build(tmp_path / "out")


def test_a_missing_folder_is_refused(tmp_path: Path):
    with pytest.raises(PublishError, match="no complete build"):
        load_build(tmp_path / "nothing")


def test_reading_a_file_checks_its_bytes_again(tmp_path: Path):
    out = tmp_path / "out"
    write_site(SITE, out)
    site = load_build(out)
    item = site.by_path()["index.html"]
    assert site.read(item) == b"<h1>home</h1>"
    (out / "index.html").write_bytes(b"rebuilt meanwhile")
    with pytest.raises(PublishError, match="changed while publishing"):
        site.read(item)
