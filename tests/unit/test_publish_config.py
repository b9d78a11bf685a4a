"""`[publish.NAME]` tables: values, URL forms, and located errors for everything wrong."""

from __future__ import annotations

import pytest

from blog.config import PublishTarget, parse_config, publish_kind
from blog.errors import BuildError, format_diagnostic


def messages(text: str, pyproject: bool = False) -> list[str]:
    with pytest.raises(BuildError) as caught:
        parse_config(text, "blog.toml", pyproject=pyproject)
    return [format_diagnostic(d) for d in caught.value.diagnostics]


def test_targets_are_read_by_name_with_their_options():
    config = parse_config("""\
title = "T"

[publish.production]
url = "s3://my-bucket/blog"
endpoint_url = "http://127.0.0.1:9000"
region = "eu-central-1"
profile = "blog"
max_deletes = 50

[publish.production.cache_control]
"static/*" = "public, max-age=604800"
"*.html" = "no-cache"

[publish.pages]
url = "git:origin#gh-pages"
""")
    assert config.publish == (
        PublishTarget("pages", "git:origin#gh-pages", "git"),
        PublishTarget(
            "production", "s3://my-bucket/blog", "s3", max_deletes=50, endpoint_url="http://127.0.0.1:9000",
            region="eu-central-1", profile="blog",
            cache_control=(("static/*", "public, max-age=604800"), ("*.html", "no-cache")),
        ),
    )


def test_no_publish_tables_means_no_targets():
    assert parse_config('title = "T"\n').publish == ()


@pytest.mark.parametrize("url, kind", [
    ("/srv/www/blog", "folder"), ("file:///srv/www/blog", "folder"), ("./public", "folder"), ("../deploy", "folder"),
    (".", "folder"), ("~/www", "folder"),
    ("git+file:///srv/repo.git#gh-pages", "git"), ("git+ssh://git@github.com/me/blog.git#gh-pages", "git"),
    ("git+https://example.org/r.git#pages", "git"), ("git:origin#gh-pages", "git"),
    ("rsync://host/module/path", "rsync"), ("deploy@example.org:/var/www/blog", "rsync"), ("rsync:/srv/www", "rsync"),
    ("s3://my-bucket/blog", "s3"), ("s3://my.bucket", "s3"),
    ("ftp://host/x", None), ("public", None), ("git:origin", None), ("git+file:///srv/repo.git", None),
    ("s3://A_B/x", None), ("host:path", None), ("", None),
])
def test_url_forms(url: str, kind: str | None):
    assert publish_kind(url) == kind


def test_every_problem_is_located():
    text = """\
title = "T"
[publish.a]
url = "s3://bucket/blog"
max_delete = 3
[publish.b]
url = "ftp://example.org/x"
[publish.c]
url = "/srv/www"
region = "eu"
[publish.d]
max_deletes = -1
[publish.e]
url = "s3://bucket/x"
endpoint_url = "127.0.0.1:9000"
max_deletes = "many"
[publish.f]
url = "s3://bucket/x"
cache_control = "no-cache"
"""
    found = messages(text)
    assert found[0] == "blog.toml:4:1: unknown key 'publish.a.max_delete' (did you mean 'max_deletes'?)"
    assert found[1].startswith("blog.toml:6:1: publish.b.url: 'ftp://example.org/x' is none of a folder (/srv/www/blog")
    assert found[2:] == [
        "blog.toml:9:1: publish.c.region: only s3:// targets take this key",
        "blog.toml:10:1: publish.d: missing url, e.g. url = \"s3://bucket/blog\"",
        "blog.toml:11:1: publish.d.max_deletes: must not be negative",
        "blog.toml:14:1: publish.e.endpoint_url: expected an http(s) URL such as 'http://127.0.0.1:9000'",
        "blog.toml:15:1: publish.e.max_deletes: expected an integer, got 'many'",
        "blog.toml:18:1: publish.f.cache_control: expected a table of glob = \"header\" strings",
    ]


def test_bad_shapes():
    assert messages('publish = "s3://b/x"\n') == ["blog.toml:1:1: publish: expected tables such as [publish.production]"]
    assert messages('[publish]\nweb = "s3://bucket/x"\n') == ["blog.toml:2:1: publish.web: expected a table with a url"]
    assert messages('[publish."my site"]\nurl = "/srv/x"\n') == [
        "blog.toml:1:1: publish.my site: a target name may only use letters, digits, '-' and '_'"
    ]
    assert messages('[publsh.web]\nurl = "/srv/x"\n') == ["blog.toml:1:1: unknown key 'publsh' (did you mean 'publish'?)"]


def test_pyproject_positions_count_too():
    text = '[project]\nname = "x"\n\n[tool.blog.publish.web]\nurl = "/srv/www"\nmax_deletes = true\n'
    assert messages(text, pyproject=True) == ["blog.toml:6:1: publish.web.max_deletes: expected an integer, got True"]
