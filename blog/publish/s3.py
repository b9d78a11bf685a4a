"""Publish to S3 or an S3-compatible store (MinIO, R2, ...) with boto3.

An object's ETag is not a content hash once it was uploaded in parts, so every object we write
carries the sha256 of its bytes in its metadata, and the plan compares that (with the headers we
would send) against the build. Only keys under the target's prefix are listed or touched. Each
object is replaced whole, uploads come before deletions, and the plan is recomputed from the
bucket on every run, so a publish killed midway converges on the next one.
"""

from __future__ import annotations

import contextlib
import fnmatch
import posixpath
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlparse

from ..config import PublishTarget
from .plan import LocalFile, LocalSite, Plan, Progress, PublishError, diff

WORKERS = 8
DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
HASH_KEY = "sha256"  # metadata key: sent as x-amz-meta-sha256

# Used after the target's own `cache_control` patterns; the first matching glob wins.
DEFAULT_CACHE_CONTROL = (
    ("static/*", "public, max-age=86400"),  # theme and site assets: a day
    ("*.html", "public, max-age=300"),  # pages: five minutes, so a new post shows up soon
    ("*", "public, max-age=3600"),
)

# A fixed table, not the `mimetypes` module, whose answers depend on the machine's files.
CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".map": "application/json",
    ".xml": "application/xml", ".atom": "application/atom+xml", ".rss": "application/rss+xml",
    ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
    ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
    ".otf": "font/otf", ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm",
    ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".wasm": "application/wasm", ".zip": "application/zip",
    ".gz": "application/gzip",
}
_TEXT_TYPES = ("application/json", "application/xml", "application/atom+xml", "application/rss+xml",
               "application/manifest+json", "image/svg+xml")


def content_type(path: str) -> str:
    """The Content-Type for a file of the site; text types say they are UTF-8."""
    kind = CONTENT_TYPES.get(posixpath.splitext(path)[1].lower(), "application/octet-stream")
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind in _TEXT_TYPES else kind


def cache_control(path: str, patterns: tuple[tuple[str, str], ...]) -> str:
    """The Cache-Control of the first glob (own patterns, then defaults) matching the path."""
    return next(value for glob, value in patterns + DEFAULT_CACHE_CONTROL if fnmatch.fnmatchcase(path, glob))


def split_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix/`; the prefix without outer slashes, maybe empty."""
    parsed = urlparse(url)
    return parsed.netloc, parsed.path.strip("/")


@dataclass(frozen=True, slots=True)
class S3Target:
    """Keys under `prefix` of `bucket`; `client` is a boto3 S3 client."""

    client: Any
    bucket: str
    prefix: str
    cache_patterns: tuple[tuple[str, str], ...] = ()

    @classmethod
    def open(cls, target: PublishTarget) -> S3Target:
        """A client for the target's endpoint, region and profile."""
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise PublishError("the s3 target needs boto3: pip install 'blog[s3]'") from None
        bucket, prefix = split_s3_url(target.url)
        settings = Config(
            retries={"max_attempts": 5, "mode": "standard"},
            max_pool_connections=WORKERS,
            s3={"addressing_style": "path"} if target.endpoint_url else None,
        )
        with _s3_errors("connect"):
            session = boto3.session.Session(profile_name=target.profile)
            client = session.client("s3", endpoint_url=target.endpoint_url, region_name=target.region, config=settings)
        return cls(client, bucket, prefix, target.cache_control)

    def key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def headers(self, item: LocalFile) -> tuple[str, str]:
        return content_type(item.path), cache_control(item.path, self.cache_patterns)

    def plan(self, site: LocalSite) -> Plan:
        local = {f.path: _state(f.sha256, *self.headers(f)) for f in site.files}
        return diff(local, self._remote())

    def _remote(self) -> dict[str, str | None]:
        """Every object under the prefix → its recorded hash and headers (None if it has none)."""
        start = f"{self.prefix}/" if self.prefix else ""
        paths: list[str] = []
        with _s3_errors("list"):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                paths += [obj["Key"][len(start):] for obj in page.get("Contents", ())]
        paths = [p for p in paths if p and not p.endswith("/")]  # folder placeholders are no files
        with ThreadPoolExecutor(WORKERS) as pool:
            states = list(pool.map(self._head, paths))
        return dict(sorted(zip(paths, states)))

    def _head(self, path: str) -> str | None:
        with _s3_errors("head"):
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(path))
        digest = head.get("Metadata", {}).get(HASH_KEY)
        return _state(digest, head.get("ContentType", ""), head.get("CacheControl", "")) if digest else None

    def apply(self, plan: Plan, site: LocalSite, progress: Progress) -> None:
        files = site.by_path()
        with ThreadPoolExecutor(WORKERS) as pool:
            pending = [pool.submit(self._put, site, files[path]) for path in plan.uploads]
            try:
                for done, future in enumerate(as_completed(pending), start=1):
                    future.result()
                    progress("upload", done, len(pending))
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
        for start in range(0, len(plan.deleted), DELETE_BATCH):
            self._delete(plan.deleted[start:start + DELETE_BATCH])

    def _put(self, site: LocalSite, item: LocalFile) -> None:
        kind, cache = self.headers(item)
        with _s3_errors("upload"):
            self.client.put_object(
                Bucket=self.bucket, Key=self.key(item.path), Body=site.read(item),
                ContentType=kind, CacheControl=cache, Metadata={HASH_KEY: item.sha256},
            )

    def _delete(self, paths: tuple[str, ...]) -> None:
        objects = [{"Key": self.key(p)} for p in paths]
        with _s3_errors("delete"):
            answer = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
        failed = answer.get("Errors", ())
        if failed:
            first = failed[0]
            raise PublishError(f"S3 delete failed for {len(failed)} keys, e.g. {first.get('Key')}: {first.get('Message')}")


def _state(digest: str, kind: str, cache: str) -> str:
    """What must match for an object to count as unchanged: its bytes and the headers we set."""
    return f"{digest} {kind} {cache}"


@contextlib.contextmanager
def _s3_errors(action: str) -> Iterator[None]:
    """botocore's errors as PublishError with the service's own code and message."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        info = exc.response.get("Error", {})
        raise PublishError(f"S3 {action} failed: {info.get('Code', '?')}: {info.get('Message', exc)}") from exc
    except BotoCoreError as exc:
        raise PublishError(f"S3 {action} failed: {exc}") from exc
