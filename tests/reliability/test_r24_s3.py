"""R24 S3: against a real S3-compatible server on 127.0.0.1, a dry run makes no mutating request; an
unchanged site uploads nothing; a site shrunk to 10 % aborts on `max_deletes`; a publish killed
midway and re-run converges to exactly the build [hugo deploy, hugo#9735].

The server is moto's, behind a WSGI layer that records every request it receives, so "no
mutating request" is judged by the server, not by the client under test.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("moto", reason="the S3 tests need moto[server] (pip install -e '.[test]')")

from publishkit import (  # noqa: E402
    S3Server, bucket_files, build_files, config_with, s3_client, s3_credentials, start_s3_server,
)
from sitekit import post  # noqa: E402

POSTS = 20
READS = {"GET", "HEAD"}


@pytest.fixture(scope="module")
def server() -> Iterator[S3Server]:
    running = start_s3_server()
    yield running
    running.stop()


@pytest.fixture
def site(server: S3Server, make_site, monkeypatch, tmp_path: Path) -> tuple[Path, str]:
    """A site of 20 posts, each with its own tag, aimed at a fresh bucket; and the bucket's name."""
    s3_credentials(monkeypatch, tmp_path)
    bucket = f"blog-{uuid.uuid4().hex[:12]}"
    client = s3_client(server.endpoint)
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="other-site/index.html", Body=b"not ours")
    files = {
        f"content/posts/p{i:02d}.md": post(f"Post {i}", f"2024-03-{i + 1:02d}", (f"topic{i}",), f"Body of post {i}.\n")
        for i in range(POSTS)
    }
    target = f'url = "s3://{bucket}/blog"\nendpoint_url = "{server.endpoint}"\nmax_deletes = 40'
    return make_site(files, config_with(target)), bucket


def bucket_state(server: S3Server, bucket: str) -> dict[str, tuple[bytes, str]]:
    """Every object in the bucket (any prefix) → bytes and recorded hash."""
    client = s3_client(server.endpoint)
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", ()):
            answer = client.get_object(Bucket=bucket, Key=item["Key"])
            found[item["Key"]] = (answer["Body"].read(), answer["Metadata"].get("sha256", ""))
    return found


def test_a_dry_run_makes_no_mutating_request(server: S3Server, site, blog_cli) -> None:
    root, bucket = site
    start = server.recorder.mark()
    first = blog_cli("-C", root, "publish", "--dry-run")  # an empty prefix: everything would be new
    assert first.code == 0, first.err
    assert f"{len(build_files(root))} new" in first.out
    assert server.recorder.requests[start:] and server.recorder.mutating(start) == []

    assert blog_cli("-C", root, "publish").code == 0
    (root / "content/posts/p03.md").write_text(post("Post 3, edited", "2024-03-04", ("topic3",), "New body.\n"))
    (root / "content/posts/p07.md").unlink()
    before = bucket_state(server, bucket)
    start = server.recorder.mark()
    dry = blog_cli("-C", root, "publish", "--dry-run")
    assert dry.code == 0, dry.err
    assert "  ~ blog/p03/index.html" in dry.out and "  - blog/p07/index.html" in dry.out
    made = server.recorder.requests[start:]
    assert made and {method for method, _ in made} <= READS, made
    assert bucket_state(server, bucket) == before


def test_an_unchanged_site_uploads_nothing(server: S3Server, site, blog_cli) -> None:
    root, bucket = site
    assert blog_cli("-C", root, "publish").code == 0
    before = bucket_state(server, bucket)
    start = server.recorder.mark()
    again = blog_cli("-C", root, "publish")
    assert again.code == 0, again.err
    assert "Nothing to publish" in again.out
    assert server.recorder.mutating(start) == []
    assert bucket_state(server, bucket) == before


def test_a_site_shrunk_to_a_tenth_aborts_on_max_deletes(server: S3Server, site, blog_cli) -> None:
    root, bucket = site
    assert blog_cli("-C", root, "publish").code == 0
    before = bucket_state(server, bucket)
    for i in range(POSTS // 10, POSTS):
        (root / f"content/posts/p{i:02d}.md").unlink()
    start = server.recorder.mark()
    shrunk = blog_cli("-C", root, "publish")
    assert shrunk.code == 1
    assert "more than max_deletes = 40; nothing was changed" in shrunk.err
    assert server.recorder.mutating(start) == []
    assert bucket_state(server, bucket) == before


def test_a_publish_killed_midway_converges_on_the_next_run(server: S3Server, site, blog_cli) -> None:
    root, bucket = site
    assert blog_cli("-C", root, "publish").code == 0
    first = build_files(root)
    for i in range(POSTS):  # every post changes, three go: many uploads, then deletions
        path = root / f"content/posts/p{i:02d}.md"
        if i in (4, 9, 14):
            path.unlink()
        else:
            path.write_text(post(f"Post {i}, second edition", f"2024-03-{i + 1:02d}", (f"topic{i}",), f"Rewritten {i}.\n"))
    assert blog_cli("-C", root, "build").code == 0
    wanted = build_files(root)
    changed = {p for p in wanted if first.get(p) != wanted[p]}

    done_before = server.recorder.handled_mark()
    child = subprocess.Popen(
        [sys.executable, "-m", "blog", "-C", str(root), "publish", "--no-build"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
    )

    def kill_once_four_uploads_are_stored(method: str, path: str) -> None:
        if method == "PUT" and server.recorder.handled_mutations(done_before) >= 4:
            os.kill(child.pid, signal.SIGKILL)

    server.recorder.hook = kill_once_four_uploads_are_stored
    try:
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        server.recorder.hook = None
    halfway = {key[len("blog/"):]: data for key, (data, _) in bucket_state(server, bucket).items() if key.startswith("blog/")}
    assert halfway != wanted
    assert "blog/p04/index.html" in halfway  # killed before any deletion
    assert 0 < sum(halfway.get(p) == wanted[p] for p in changed) < len(changed)  # some uploads done, not all

    rerun = blog_cli("-C", root, "publish", "--no-build")
    assert rerun.code == 0, rerun.err
    state = bucket_state(server, bucket)
    assert {key[len("blog/"):]: data for key, (data, _) in state.items() if key.startswith("blog/")} == wanted
    assert all(digest == hashlib.sha256(data).hexdigest() for key, (data, digest) in state.items() if key.startswith("blog/"))
    assert state["other-site/index.html"][0] == b"not ours"
    assert bucket_files(s3_client(server.endpoint), bucket, "blog") == wanted
    assert "Nothing to publish" in blog_cli("-C", root, "publish", "--no-build").out
