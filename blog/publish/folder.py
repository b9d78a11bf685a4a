"""Publish into a folder on this machine, such as a web server's document root.

Each changed file is written beside its final name and renamed over it, so the web server never
serves half a file; stale files go only after every upload. The folder's `.git`, `CNAME` and
`.nojekyll` stay, and folders whose loss would be a disaster are refused outright.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from .plan import LocalSite, Plan, Progress, PublishError, diff, sha256_file

FILE_MODE = 0o644
DIR_MODE = 0o755


def folder_path(url: str, site_root: Path) -> Path:
    """The folder a folder URL names: `file:///x`, `/x`, `~/x`, or `./x` relative to the site."""
    if url.startswith("file://"):
        return Path(unquote(urlparse(url).path))
    path = Path(url).expanduser()
    return path if path.is_absolute() else site_root / path


def check_local_target(target: Path, site_root: Path, content_dir: Path, out_dir: Path) -> None:
    """Refuse a target folder whose mirroring would destroy something that is not a published site."""
    out = target.resolve()
    home = _home()
    site, content, build = site_root.resolve(), content_dir.resolve(), out_dir.resolve()
    checks = (
        (out.parent == out, "it is the filesystem root"),
        (home is not None and home.is_relative_to(out), "it is or contains your home folder"),
        (site.is_relative_to(out), "it is or contains the site folder"),
        (content.is_relative_to(out) or out.is_relative_to(content), "it is, holds or is inside the content folder"),
        (build.is_relative_to(out) or out.is_relative_to(build), "it is, holds or is inside the output folder"),
        (os.path.lexists(out) and not out.is_dir(), "it exists and is not a folder"),
    )
    reason = next((why for hit, why in checks if hit), None)
    if reason is not None:
        raise PublishError(f"refusing to publish into {target}: {reason}")


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):
        return None


@dataclass(frozen=True, slots=True)
class FolderTarget:
    """A local folder mirrored to hold exactly the build (plus its protected entries)."""

    path: Path

    def plan(self, site: LocalSite) -> Plan:
        local = {f.path: f.sha256 for f in site.files}
        return diff(local, scan(self.path))

    def apply(self, plan: Plan, site: LocalSite, progress: Progress) -> None:
        files = site.by_path()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            for done, path in enumerate(plan.uploads, start=1):
                put_file(self.path, path, site.read(files[path]))
                progress("upload", done, len(plan.uploads))
            for path in plan.deleted:
                delete_file(self.path, path)
        except OSError as exc:
            raise PublishError(f"cannot write to {self.path}: {exc}") from exc


def scan(root: Path) -> dict[str, str | None]:
    """Every file below `root` → its sha256; None for what is not a plain file (a symlink, ...).

    The top-level `.git` is not listed, and symlinked folders are listed, never followed.
    """
    found: dict[str, str | None] = {}
    for folder, dirnames, filenames in os.walk(root):
        relative = Path(folder).relative_to(root)
        if relative == Path("."):
            dirnames[:] = [d for d in dirnames if d != ".git"]
        links = [d for d in dirnames if os.path.islink(os.path.join(folder, d))]
        for name in filenames + links:
            path = Path(folder, name)
            plain = path.is_file() and not path.is_symlink()
            found[(relative / name).as_posix()] = sha256_file(path) if plain else None
    return dict(sorted(found.items()))


def put_file(root: Path, relative: str, data: bytes) -> None:
    """Write one file under `root` atomically; whatever stands in its way inside `root` goes."""
    folder = root
    for segment in relative.split("/")[:-1]:
        folder = folder / segment
        if os.path.islink(folder) or (os.path.lexists(folder) and not folder.is_dir()):
            folder.unlink()
        if not folder.exists():
            folder.mkdir(DIR_MODE)
            folder.chmod(DIR_MODE)
    target = folder / relative.split("/")[-1]
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    temporary = folder / f".{target.name}.blog-publish-{os.getpid()}"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
        with open(fd, "wb") as stream:
            os.fchmod(fd, FILE_MODE)
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        if os.path.lexists(temporary):
            temporary.unlink()
        raise


def delete_file(root: Path, relative: str) -> None:
    """Remove one stale file (or link) and the folders it leaves empty, never `root` itself.

    A path that an upload has meanwhile turned into a folder of the new site is left alone.
    """
    path = root / relative
    if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
        path.unlink()
    folder = path.parent
    while folder != root and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
