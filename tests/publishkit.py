"""Helpers for the `blog publish` tests: small sites, the shared scenario, a real S3 server.

The S3 server is moto's, run in a thread on 127.0.0.1 behind a WSGI layer that records every
request, so a test can say from the server's side which requests a publish made.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from conftest import DEFAULT_CONFIG
from sitekit import post

from blog.writer import MANIFEST, MARKER

POSTS = {
    "alpha": post("Alpha", "2024-01-10", ("python",), "Alpha body.\n"),
    "beta": post("Beta", "2024-02-10", ("sqlite",), "Beta body.\n"),
    "gamma": post("Gamma", "2024-03-10", ("python", "web"), "Gamma body.\n"),
}
PROTECTED = (".git", "CNAME", ".nojekyll")
MUTATING = ("PUT", "POST", "DELETE", "PATCH")


def site_files(posts: dict[str, str] | None = None) -> dict[str, str]:
    return {f"content/posts/{slug}.md": text for slug, text in (POSTS if posts is None else posts).items()}


def config_with(target: str, extra: str = "") -> str:
    """The test site's config with one publish target named `web`."""
    return DEFAULT_CONFIG + f"\n[publish.web]\n{target}\n{extra}"


def build_files(root: Path) -> dict[str, bytes]:
    """The files a publish must send: output/ without the marker, manifest and kept entries."""
    out = root / "output"
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.relative_to(out).parts[0] not in (MARKER, MANIFEST, *PROTECTED)
    }


def without_protected(files: dict[str, bytes]) -> dict[str, bytes]:
    return {p: data for p, data in files.items() if p.split("/")[0] not in PROTECTED}


def listed(out: str) -> dict[str, set[str]]:
    """Paths a dry run lists: {"+": new, "~": changed, "-": deleted}."""
    found: dict[str, set[str]] = {"+": set(), "~": set(), "-": set()}
    for line in out.splitlines():
        if line[:4] in ("  + ", "  ~ ", "  - "):
            found[line[2]].add(line[4:])
    return found


def changed_paths(before: dict[str, bytes], after: dict[str, bytes]) -> dict[str, set[str]]:
    """How one build differs from another, in the dry run's terms."""
    return {
        "+": set(after) - set(before),
        "~": {p for p in set(after) & set(before) if after[p] != before[p]},
        "-": set(before) - set(after),
    }


def run_scenario(blog_cli: Callable, root: Path, read_target: Callable[[], dict[str, bytes]], added: int = 0) -> None:
    """The five checks every target passes (issue 5): first publish, no-op, edit, removal, dry run.

    `added`: files the target adds by itself (the git target's `.nojekyll`).
    """
    first = blog_cli("-C", root, "publish")
    assert first.code == 0, first.err
    sent = build_files(root)
    assert without_protected(read_target()) == sent
    assert f"{len(sent) + added} new, 0 changed" in first.out

    again = blog_cli("-C", root, "publish")
    assert again.code == 0, again.err
    assert "Nothing to publish" in again.out and "0 new, 0 changed" in again.out

    (root / "content/posts/beta.md").write_text(POSTS["beta"].replace("Beta body.", "Beta body, edited."), encoding="utf-8")
    dry = blog_cli("-C", root, "publish", "--dry-run")
    assert dry.code == 0, dry.err
    edited = build_files(root)
    expected = changed_paths(sent, edited)
    assert expected["~"] and not expected["+"] and not expected["-"]
    assert listed(dry.out) == expected
    assert without_protected(read_target()) == sent, "the dry run changed the target"
    assert "Dry run: nothing was changed." in dry.out
    edit = blog_cli("-C", root, "publish")
    assert edit.code == 0, edit.err
    assert f"{len(expected['~'])} uploaded" in edit.out and "0 deleted" in edit.out
    assert without_protected(read_target()) == edited

    (root / "content/posts/gamma.md").unlink()
    dry = blog_cli("-C", root, "publish", "--dry-run")
    removed = build_files(root)
    expected = changed_paths(edited, removed)
    assert "blog/gamma/index.html" in expected["-"] and "tags/web/index.html" in expected["-"]
    assert listed(dry.out) == expected
    assert without_protected(read_target()) == edited, "the dry run changed the target"
    gone = blog_cli("-C", root, "publish")
    assert gone.code == 0, gone.err
    assert f"{len(expected['-'])} deleted" in gone.out
    assert without_protected(read_target()) == removed


# ---------------------------------------------------------------------------------------------
# A real S3-compatible server on loopback


@dataclass
class RecordingApp:
    """WSGI layer in front of moto: records (method, path) of each request as it arrives and once
    moto has handled it, and can run a hook on arrival."""

    app: Callable
    requests: list[tuple[str, str]] = field(default_factory=list)
    handled: list[tuple[str, str]] = field(default_factory=list)
    hook: Callable[[str, str], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict, start_response: Callable) -> Iterator[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        with self.lock:
            self.requests.append((method, path))
        if self.hook is not None:
            self.hook(method, path)
        answer = self.app(environ, start_response)
        with self.lock:
            self.handled.append((method, path))
        return answer

    def mutating(self, since: int = 0) -> list[tuple[str, str]]:
        with self.lock:
            return [r for r in self.requests[since:] if r[0] in MUTATING]

    def mark(self) -> int:
        with self.lock:
            return len(self.requests)

    def handled_mark(self) -> int:
        with self.lock:
            return len(self.handled)

    def handled_mutations(self, since: int = 0) -> int:
        with self.lock:
            return sum(1 for method, _ in self.handled[since:] if method in MUTATING)


@dataclass
class S3Server:
    endpoint: str
    recorder: RecordingApp
    stop: Callable[[], None]


def start_s3_server() -> S3Server:
    """moto's S3 in a thread on 127.0.0.1, on a free port."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request is noise here
    recorder = RecordingApp(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, recorder, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=10)

    return S3Server(f"http://127.0.0.1:{server.server_port}", recorder, stop)


def s3_credentials(monkeypatch, tmp_path: Path) -> None:
    """Dummy credentials, and no user AWS files, for the client under test and its subprocesses."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


def bucket_files(client, bucket: str, prefix: str) -> dict[str, bytes]:
    """Every object under `prefix/` → its bytes, keys relative to the prefix."""
    found: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/"):
        for item in page.get("Contents", ()):
            found[item["Key"][len(prefix) + 1:]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return dict(sorted(found.items()))


# ---------------------------------------------------------------------------------------------
# Git repositories in a temp folder


def git(*args: str | Path, cwd: Path | None = None) -> str:
    """Run git for the test's own setup, with a fixed identity; fails the test on error."""
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_NAME": "Tess", "GIT_AUTHOR_EMAIL": "tess@example.org",
           "GIT_COMMITTER_NAME": "Tess", "GIT_COMMITTER_EMAIL": "tess@example.org"}
    done = subprocess.run(["git", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def bare_remote(folder: Path, files: dict[str, str] | None = None, branch: str = "main") -> Path:
    """A bare repository whose default branch `main` holds a commit (the project's sources)."""
    git("init", "--quiet", "--bare", "--initial-branch=main", folder)
    work = folder.with_name(folder.name + "-seed")
    git("init", "--quiet", f"--initial-branch={branch}", work)
    for path, text in (files or {"README.md": "the project\n"}).items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "seed", cwd=work)
    git("push", "--quiet", folder, f"{branch}:refs/heads/{branch}", cwd=work)
    return folder


def branch_files(repo: Path, branch: str) -> dict[str, bytes]:
    """Every file on a branch (empty when the branch does not exist)."""
    import io
    import subprocess
    import tarfile

    if not git("--git-dir", repo, "branch", "--list", branch).strip():
        return {}
    data = subprocess.run(["git", "--git-dir", str(repo), "archive", "--format=tar", branch], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {m.name: archive.extractfile(m).read() for m in sorted(archive.getmembers(), key=lambda m: m.name) if m.isfile()}


def commits(repo: Path, branch: str) -> list[str]:
    """The branch's history, newest first."""
    return git("--git-dir", repo, "rev-list", "--first-parent", branch).split()
