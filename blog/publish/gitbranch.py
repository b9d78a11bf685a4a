"""Publish to a branch of a git repository, GitHub Pages style, with git's plumbing only.

Everything happens in a throwaway bare repository: the branch tip is fetched there, the new tree
is built in a temporary index from the build's files, committed on top of the tip and pushed
without force. The user's working tree, index and branches are never touched, history is kept,
an unchanged site makes no commit, and `CNAME` and `.nojekyll` stay on the branch.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .plan import LocalSite, Plan, Progress, PublishError, diff

NOJEKYLL = ".nojekyll"
FILE_MODE = "100644"
_NO_OBJECT = "0" * 40
# Inherited variables that would point git at another repository or index than ours.
_REPOSITORY_VARIABLES = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE", "GIT_COMMON_DIR", "GIT_PREFIX",
)
_BRANCH = re.compile(r"(?!-)(?!.*\.\.)(?!.*//)(?!.*@\{)(?!.*\.lock$)(?!.*[/.]$)[A-Za-z0-9._/+-]+")


@dataclass(frozen=True, slots=True)
class GitBranch:
    """Where a git URL points: a repository (URL or remote name) and a branch."""

    repository: str  # a URL or path git understands, or a remote of the site's repository
    branch: str
    named_remote: bool  # True for `git:NAME#branch`


def parse_git_url(url: str) -> GitBranch:
    """`git+file:///r.git#gh-pages`, `git+ssh://host/r.git#gh-pages` or `git:origin#gh-pages`."""
    named = url.startswith("git:")
    repository, _, branch = url[len("git:" if named else "git+"):].rpartition("#")
    if not repository or not _BRANCH.fullmatch(branch):
        raise PublishError(f"{url}: expected a repository and a branch, e.g. git:origin#gh-pages")
    return GitBranch(repository, branch, named)


def blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes, so unchanged files are known without git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def git_environment(site_root: Path) -> dict[str, str]:
    """The environment for every git call: no prompts, no stray repository, a known identity.

    The identity comes from the environment or git's configuration when set, else a fixed
    fallback, so publishing works on a machine where git was never configured.
    """
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    env["GIT_TERMINAL_PROMPT"] = "0"
    name = _configured(site_root, env, "user.name") or "blog publish"
    email = _configured(site_root, env, "user.email") or "blog-publish@localhost"
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", name)
        env.setdefault(f"GIT_{role}_EMAIL", email)
    return env


def _configured(site_root: Path, env: Mapping[str, str], key: str) -> str | None:
    try:
        done = subprocess.run(["git", "config", "--get", key], cwd=site_root, env=env, capture_output=True, check=False)
    except FileNotFoundError:
        raise PublishError("the git target needs the git program; install git") from None
    return done.stdout.decode("utf-8", "replace").strip() or None


def git(args: list[str], env: Mapping[str, str], cwd: Path | None = None, stdin: bytes | None = None) -> str:
    """Run one git command; its own message becomes the PublishError when it fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise PublishError("the git target needs the git program; install git") from None
    if done.returncode != 0:
        text = (done.stderr or done.stdout).decode("utf-8", "replace")
        message = "\n".join(line for line in text.strip().splitlines() if not line.startswith("hint:"))  # git pull advice misleads here
        command = next(a for a in args if not a.startswith("-"))
        raise PublishError(f"git {command} failed: {message}")
    return done.stdout.decode("utf-8", "surrogateescape")


@dataclass(frozen=True, slots=True)
class GitBranchTarget:
    """A branch of a repository; `workdir` is an empty temporary folder the target may fill."""

    url: str  # the repository as git reaches it from `site_root` (a remote may be a relative path)
    branch: str
    site_root: Path
    workdir: Path
    env: Mapping[str, str]
    force: bool = False

    @classmethod
    def open(cls, spec: GitBranch, site_root: Path, workdir: Path, force: bool) -> GitBranchTarget:
        """Resolve a remote name in the site's repository and refuse its checked-out branch."""
        env = git_environment(site_root)
        url = spec.repository
        if spec.named_remote:
            url = git(["remote", "get-url", spec.repository], env, cwd=site_root).strip()
            current = subprocess.run(
                ["git", "symbolic-ref", "--quiet", "--short", "HEAD"], cwd=site_root, env=env, capture_output=True, check=False
            ).stdout.decode("utf-8", "replace").strip()
            if current == spec.branch:
                raise PublishError(f"refusing to publish to branch {spec.branch!r}: it is checked out in {site_root}")
        git(["init", "--quiet", "--bare", str(workdir / "repo.git")], env)
        return cls(url, spec.branch, site_root, workdir, env, force)

    @property
    def _repo(self) -> list[str]:
        return [f"--git-dir={self.workdir / 'repo.git'}"]

    def _git(self, args: list[str], env: Mapping[str, str] | None = None, stdin: bytes | None = None) -> str:
        """git on our temporary repository, run from the site folder like the user's own git."""
        return git([*self._repo, *args], self.env if env is None else env, cwd=self.site_root, stdin=stdin)

    def plan(self, site: LocalSite) -> Plan:
        tip = self._fetch_tip()
        remote = self._tree(tip) if tip is not None else {}
        local = {f.path: f"{FILE_MODE} {blob_id(site.read(f))}" for f in site.files}
        local.setdefault(NOJEKYLL, f"{FILE_MODE} {blob_id(b'')}")
        return diff(local, remote, base=tip)

    def _fetch_tip(self) -> str | None:
        """The branch's tip commit fetched into our repository; None if the branch is new.

        Refuses the repository's default branch (what its HEAD points to): publishing there
        would bury the project's sources under the site.
        """
        listing = self._git(["ls-remote", "--symref", self.url, "HEAD", f"refs/heads/{self.branch}"])
        if f"ref: refs/heads/{self.branch}\tHEAD" in listing.splitlines():
            raise PublishError(f"refusing to publish to branch {self.branch!r} of {self.url}: it is the repository's default branch")
        if not any(line.endswith(f"\trefs/heads/{self.branch}") for line in listing.splitlines()):
            return None
        self._git(["fetch", "--quiet", "--no-tags", "--depth=1", self.url, f"refs/heads/{self.branch}"])
        return self._git(["rev-parse", "--verify", "FETCH_HEAD^{commit}"]).strip()

    def _tree(self, commit: str) -> dict[str, str | None]:
        """Every entry of the commit's tree: path → "mode id"."""
        listing = self._git(["ls-tree", "-r", "-z", "--full-tree", commit])
        found: dict[str, str | None] = {}
        for record in filter(None, listing.split("\0")):
            info, _, path = record.partition("\t")
            mode, _, object_id = info.split(" ")
            found[path] = f"{mode} {object_id}"
        return found

    def apply(self, plan: Plan, site: LocalSite, progress: Progress) -> None:
        env = {**self.env, "GIT_INDEX_FILE": str(self.workdir / "index")}
        if plan.base is not None:
            self._git(["read-tree", plan.base], env)
        blobs = self._store(plan.uploads, site, progress)
        entries = [f"{FILE_MODE} {blobs[p]}\t{p}" for p in plan.uploads] + [f"0 {_NO_OBJECT}\t{p}" for p in plan.deleted]
        self._git(["update-index", "-z", "--index-info"], env, stdin="".join(e + "\0" for e in entries).encode())
        tree = self._git(["write-tree"], env).strip()
        message = f"Publish the site: {len(plan.new)} new, {len(plan.changed)} changed, {len(plan.deleted)} deleted"
        parents = ["-p", plan.base] if plan.base is not None else []
        commit = self._git(["commit-tree", tree, *parents, "-m", message], env).strip()
        refspec = f"{'+' if self.force else ''}{commit}:refs/heads/{self.branch}"
        self._git(["push", "--quiet", self.url, refspec], env)

    def _store(self, paths: tuple[str, ...], site: LocalSite, progress: Progress) -> dict[str, str]:
        """Write the blobs of `paths` into our repository, one `hash-object` process for all."""
        files = site.by_path()
        empty = self.workdir / "empty"
        empty.write_bytes(b"")
        env = {**self.env, "GIT_FLUSH": "1"}
        command = ["git", *self._repo, "hash-object", "-w", "--no-filters", "--stdin-paths"]
        blobs: dict[str, str] = {}
        with subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
            assert process.stdin is not None and process.stdout is not None and process.stderr is not None
            for done, path in enumerate(paths, start=1):
                source = site.root / path if path in files else empty
                expected = blob_id(site.read(files[path])) if path in files else blob_id(b"")
                process.stdin.write(os.fsencode(source) + b"\n")
                process.stdin.flush()
                blobs[path] = process.stdout.readline().decode().strip()
                if blobs[path] != expected:
                    process.kill()
                    raise PublishError(f"git hash-object failed for {path}: {process.stderr.read().decode().strip() or 'changed while publishing'}")
                progress("upload", done, len(paths))
            process.stdin.close()
        return blobs
