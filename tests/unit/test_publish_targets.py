"""The targets' pure parts: URL forms, rsync's itemised output and command, S3 headers, git blob ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from blog.publish.folder import folder_path
from blog.publish.gitbranch import GitBranch, blob_id, parse_git_url
from blog.publish.plan import LocalFile, LocalSite, PublishError
from blog.publish.rsync import deletion_limit, excluded_names, local_folder, parse_itemized, rsync_command, rsync_destination
from blog.publish.s3 import cache_control, content_type, split_s3_url


def test_folder_urls():
    root = Path("/home/me/site")
    assert folder_path("/srv/www/blog", root) == Path("/srv/www/blog")
    assert folder_path("file:///srv/www/my%20blog", root) == Path("/srv/www/my blog")
    assert folder_path("./public", root) == root / "public"
    assert folder_path("../deploy", root) == root / "../deploy"


def test_git_urls():
    assert parse_git_url("git+file:///srv/repo.git#gh-pages") == GitBranch("file:///srv/repo.git", "gh-pages", False)
    assert parse_git_url("git+ssh://git@github.com/me/blog.git#gh-pages") == GitBranch("ssh://git@github.com/me/blog.git", "gh-pages", False)
    assert parse_git_url("git:origin#site/live") == GitBranch("origin", "site/live", True)
    for bad in ("git:origin#", "git:origin#-x", "git:origin#a..b", "git:origin#x.lock", "git:origin#a//b", "git:#pages", "git:o#a/"):
        with pytest.raises(PublishError, match="expected a repository and a branch"):
            parse_git_url(bad)


def test_blob_ids_match_git():
    assert blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_rsync_destinations():
    assert rsync_destination("rsync://host/module/blog") == "rsync://host/module/blog"
    assert rsync_destination("deploy@host:/var/www") == "deploy@host:/var/www"
    assert rsync_destination("rsync:/srv/www") == "/srv/www"
    assert rsync_destination("rsync:host:www") == "host:www"
    assert local_folder("/srv/www") == Path("/srv/www")
    assert local_folder("host:www") is None and local_folder("me@host:/x") is None and local_folder("rsync://h/m") is None


ITEMIZED = """\
cd+++++++++ blog/new/
>f+++++++++ blog/new/index.html
<f.st...... index.html
<fc.t...... feed.xml
.f..t...... static/style.css
.d..t...... tags/
*deleting   blog/old/index.html
*deleting   blog/old/
*deleting   old name.html
cL+++++++++ link -> target
"""


def test_rsync_itemised_changes_become_a_plan():
    assert parse_itemized(ITEMIZED) == (
        ("blog/new/index.html",),
        ("feed.xml", "index.html"),  # content changed; a touched time alone is no upload
        ("blog/old/index.html", "old name.html"),  # folders are not counted as files
    )


def test_rsyncs_own_limit_covers_the_planned_files_and_their_folders():
    assert deletion_limit(()) == 1
    assert deletion_limit(("a.html",)) == 1
    assert deletion_limit(("blog/x/index.html", "blog/x/img.png", "blog/y/index.html")) == 3 + 3  # blog, blog/x, blog/y


def test_the_rsync_command_sends_the_folders_contents():
    command = rsync_command(Path("/site/output"), "host:www", (".blog-build",), dry_run=True, max_delete=None)
    assert command[-2:] == ["/site/output/", "host:www"]
    assert "--dry-run" in command and "--checksum" in command and "--delete" in command
    assert "--exclude=/.blog-build" in command and not any(a.startswith("--max-delete") for a in command)
    real = rsync_command(Path("/site/output"), "host:www", (), dry_run=False, max_delete=7)
    assert "--dry-run" not in real and "--max-delete=7" in real and "--delete-after" in real


def test_rsync_excludes_build_files_and_protected_names_the_build_lacks():
    site = LocalSite(Path("/out"), (LocalFile("CNAME", "0" * 64, 4), LocalFile("index.html", "1" * 64, 4)))
    assert excluded_names(site) == (".blog-build", ".blog-manifest.json", ".git", ".nojekyll")


@pytest.mark.parametrize("path, expected", [
    ("index.html", "text/html; charset=utf-8"),
    ("static/style.css", "text/css; charset=utf-8"),
    ("atom.xml", "application/xml; charset=utf-8"),
    ("photos/cover.SVG", "image/svg+xml; charset=utf-8"),
    ("photos/a.png", "image/png"),
    ("fonts/x.woff2", "font/woff2"),
    ("CNAME", "application/octet-stream"),
])
def test_content_types(path: str, expected: str):
    assert content_type(path) == expected


def test_cache_control_takes_the_first_matching_glob_own_patterns_first():
    own = (("static/fonts/*", "public, max-age=31536000, immutable"), ("*.xml", "no-cache"))
    assert cache_control("static/fonts/a.woff2", own) == "public, max-age=31536000, immutable"
    assert cache_control("static/style.css", own) == "public, max-age=86400"
    assert cache_control("tags/python/atom.xml", own) == "no-cache"
    assert cache_control("blog/x/index.html", ()) == "public, max-age=300"
    assert cache_control("robots.txt", ()) == "public, max-age=3600"


def test_s3_urls():
    assert split_s3_url("s3://my-bucket/blog") == ("my-bucket", "blog")
    assert split_s3_url("s3://my-bucket/a/b/") == ("my-bucket", "a/b")
    assert split_s3_url("s3://my-bucket") == ("my-bucket", "")
