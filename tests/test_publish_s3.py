"""`blog publish` to S3 against moto's server on 127.0.0.1: scenario, headers, prefix, errors."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("moto", reason="the S3 tests need moto[server] (pip install -e '.[test]')")

from publishkit import (  # noqa: E402
    S3Server, bucket_files, build_files, config_with, run_scenario, s3_client, s3_credentials, site_files, start_s3_server,
)


@pytest.fixture(scope="module")
def server() -> Iterator[S3Server]:
    running = start_s3_server()
    yield running
    running.stop()


@pytest.fixture
def bucket(server: S3Server, monkeypatch, tmp_path: Path) -> str:
    s3_credentials(monkeypatch, tmp_path)
    name = f"blog-{uuid.uuid4().hex[:12]}"
    s3_client(server.endpoint).create_bucket(Bucket=name)
    return name


def target(server: S3Server, bucket: str, extra: str = "") -> str:
    return config_with(f'url = "s3://{bucket}/blog"\nendpoint_url = "{server.endpoint}"\nregion = "us-east-1"', extra)


def test_s3_target_scenario(server: S3Server, bucket: str, make_site, blog_cli) -> None:
    root = make_site(site_files(), target(server, bucket))
    run_scenario(blog_cli, root, lambda: bucket_files(s3_client(server.endpoint), bucket, "blog"))


def test_objects_carry_type_cache_control_and_their_hash(server: S3Server, bucket: str, make_site, blog_cli) -> None:
    extra = '[publish.web.cache_control]\n"*.xml" = "no-cache"\n'
    root = make_site(site_files(), target(server, bucket, extra))
    assert blog_cli("-C", root, "publish").code == 0
    client = s3_client(server.endpoint)
    heads = {path: client.head_object(Bucket=bucket, Key=f"blog/{path}") for path in build_files(root)}
    assert heads["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert heads["index.html"]["CacheControl"] == "public, max-age=300"
    assert heads["static/style.css"]["ContentType"] == "text/css; charset=utf-8"
    assert heads["static/style.css"]["CacheControl"] == "public, max-age=86400"
    assert heads["atom.xml"]["ContentType"] == "application/xml; charset=utf-8"
    assert heads["atom.xml"]["CacheControl"] == "no-cache"
    assert heads["robots.txt"]["CacheControl"] == "public, max-age=3600"
    import hashlib

    for path, data in build_files(root).items():
        assert heads[path]["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest(), path


def test_changed_headers_are_sent_again_and_foreign_objects_too(server: S3Server, bucket: str, make_site, blog_cli) -> None:
    root = make_site(site_files(), target(server, bucket))
    assert blog_cli("-C", root, "publish").code == 0
    client = s3_client(server.endpoint)
    client.put_object(Bucket=bucket, Key="blog/index.html", Body=(root / "output/index.html").read_bytes())  # no hash
    config = (root / "blog.toml").read_text() + '[publish.web.cache_control]\n"robots.txt" = "no-store"\n'
    (root / "blog.toml").write_text(config)
    result = blog_cli("-C", root, "publish", "--dry-run")
    assert "  ~ index.html" in result.out and "  ~ robots.txt" in result.out
    assert "0 new, 2 changed" in result.out


def test_only_keys_under_the_prefix_are_touched(server: S3Server, bucket: str, make_site, blog_cli) -> None:
    client = s3_client(server.endpoint)
    neighbours = {"blog2/index.html": b"another site", "blogx": b"a file", "other/blog/index.html": b"x", "index.html": b"root"}
    for key, data in neighbours.items():
        client.put_object(Bucket=bucket, Key=key, Body=data)
    client.put_object(Bucket=bucket, Key="blog/stale.html", Body=b"stale")
    root = make_site(site_files(), target(server, bucket))
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    assert "1 deleted" in result.out
    for key, data in neighbours.items():
        assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == data
    assert bucket_files(client, bucket, "blog") == build_files(root)


def test_a_missing_bucket_is_a_clear_error(server: S3Server, bucket: str, make_site, blog_cli) -> None:
    root = make_site(site_files(), target(server, bucket + "-missing"))
    result = blog_cli("-C", root, "publish")
    assert result.code == 1
    assert "blog: publish failed: S3 list failed: NoSuchBucket" in result.err
