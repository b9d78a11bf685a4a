"""Posts from sources on strings (parse_post, is_published), and discovery on a real folder."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from blog.config import SiteConfig
from blog.content import discover, is_ignored, is_published, parse_post, slugify
from blog.model import Post, Source

PATH = "content/posts/2024-05-01-hello.md"
BERLIN = ZoneInfo("Europe/Berlin")
PLAIN = "---\ntitle: Hello\ndate: 2024-05-01\ntags: [python, sqlite]\n---\n\nFirst paragraph.\n"


def parse(text: str | bytes, path: str = PATH, kind: str = "post", **config: object) -> Post:
    data = text if isinstance(text, bytes) else text.encode()
    post, found = parse_post(Source(path, data, kind), SiteConfig(**config))  # type: ignore[arg-type]
    assert post is not None, found
    assert found == ()
    return post


def messages(text: str | bytes, path: str = PATH, kind: str = "post", **config: object) -> list[tuple]:
    """(line, severity, message) of every diagnostic; asserts the post was refused."""
    data = text if isinstance(text, bytes) else text.encode()
    post, found = parse_post(Source(path, data, kind), SiteConfig(**config))  # type: ignore[arg-type]
    assert post is None
    assert all(d.path == path for d in found)
    return [(d.line, d.severity, d.message) for d in found]


def front(**fields: str) -> str:
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in fields.items()) + "---\nbody\n"


# ------------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + PLAIN.encode(),
        PLAIN.replace("\n", "\r\n").encode(),
        PLAIN.replace("\n", "\r").encode(),
        PLAIN.replace("---\n", "--- \t \n").encode(),
    ],
    ids=["bom", "crlf", "cr", "trailing-space-fences"],
)
def test_encoding_variants_give_the_same_post(data):
    assert parse(data) == parse(PLAIN)


def test_plain_post_values():
    post = parse(PLAIN)
    assert (post.title, post.tags, post.slug, post.url, post.body, post.body_line) == (
        "Hello", ("python", "sqlite"), "hello", "/blog/hello/", "\nFirst paragraph.\n", 6,
    )
    assert post.date == datetime(2024, 5, 1, tzinfo=ZoneInfo("UTC"))
    assert (post.kind, post.draft, post.summary, post.updated, dict(post.extra)) == ("post", False, None, None, {})


def test_latin1_file_is_refused_with_the_byte_offset():
    data = "---\ntitle: Café\n---\n".encode("latin-1")
    assert messages(data) == [(None, "error", "byte 14: not valid UTF-8")]


# ----------------------------------------------------------------------------------- hostile YAML


def test_python_object_tag_is_refused_without_side_effect(tmp_path):
    marker = tmp_path / "x"
    text = f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\ndate: 2024-05-01\n---\n'
    assert messages(text)[0][:2] == (2, "error")
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]" for a, b in zip("abcdefgh", "bcdefghi")]
    started = time.monotonic()
    found = messages("---\ntitle: bomb\n" + "\n".join(lines) + "\n---\n")
    assert time.monotonic() - started < 0.5
    assert found[0][:2] == (3, "error")


def test_tags_no_and_version_stay_strings():
    assert parse(front(title="V", date="2024-05-01", tags="[no, 1.10]")).tags == ("no", "1.10")


# --------------------------------------------------------------------------------- fields, errors


def test_all_problems_of_a_file_are_reported_at_their_lines():
    text = front(title="[a, b]", date="2024-13-45", slug="../x", draft="yes")
    assert messages(text) == [
        (2, "error", "title: expected a string"),
        (3, "error", "date: expected YYYY-MM-DD or an ISO 8601 date-time"),
        (4, "error", "slug: expected letters, digits, '.', '_' or '-', starting with a letter or digit"),
        (5, "error", "draft: expected true or false"),
    ]


def test_missing_title_and_date():
    assert messages("no front matter\n", path="content/posts/undated.md") == [
        (1, "error", "date: required field is missing (or name the file YYYY-MM-DD-slug.md)"),
        (1, "error", "title: required field is missing"),
    ]


def test_empty_title_is_an_error():
    assert messages(front(title="'  '", date="2024-05-01")) == [(2, "error", "title: must not be empty")]
    assert messages(front(title="", date="2024-05-01")) == [(1, "error", "title: required field is missing")]


@pytest.mark.parametrize("key,known", [("tag", "tags"), ("titel", "title"), ("daet", "date")])
def test_misspelt_field_warns_with_a_suggestion(key, known):
    text = "---\ntitle: T\ndate: 2024-05-01\n" + f"{key}: x\n---\n"
    post, found = parse_post(Source(PATH, text.encode(), "post"), SiteConfig())
    assert post is not None and post.extra == {key: "x"}
    assert [(d.line, d.severity, d.message) for d in found] == [
        (4, "warning", f"{key}: unknown field; did you mean '{known}'?")
    ]


def test_unknown_field_far_from_any_known_goes_to_extra_silently():
    post = parse(front(title="T", date="2024-05-01", series="[a, b]", toc="true"))
    assert dict(post.extra) == {"series": ("a", "b"), "toc": True}


def test_optional_text_fields_and_draft():
    post = parse(front(title="T", date="2024-05-01", summary="S", image="/i.png", description="D",
                       template="wide.html", draft="true"))
    assert (post.summary, post.image, post.description, post.template, post.draft) == (
        "S", "/i.png", "D", "wide.html", True,
    )
    assert messages(front(title="T", date="2024-05-01", summary="3"))[0][2] == "summary: expected a string"


def test_toml_post():
    text = '+++\ntitle = "T"\ndate = 2024-05-01T10:00:00\ntags = ["a", "b"]\ndraft = true\n+++\nbody\n'
    post = parse(text, timezone="Europe/Berlin")
    assert (post.date, post.tags, post.draft, post.body_line) == (
        datetime(2024, 5, 1, 10, tzinfo=BERLIN), ("a", "b"), True, 7,
    )


def test_toml_field_errors_are_located():
    assert messages('+++\ntitle = "T"\ndate = 2024-05-01\ndraft = "no"\n+++\n') == [
        (4, "error", "draft: expected true or false")
    ]


# ------------------------------------------------------------------------------------------ tags


@pytest.mark.parametrize(
    "value,expected",
    [
        ("'Python, SQLite ,, python,Python'", ("Python", "SQLite", "python")),
        ("[Café, ' Café ', '', x]", ("Café", "x")),
        ("[]", ()),
        ("", ()),
        ("3.10", ("3.10",)),
    ],
)
def test_tags_are_stripped_and_deduplicated_keeping_spelling(value, expected):
    assert parse(front(title="T", date="2024-05-01", tags=value)).tags == expected


@pytest.mark.parametrize("value", ["{a: 1}", "[[a]]", "[{a: 1}]"])
def test_tags_of_the_wrong_shape(value):
    assert messages(front(title="T", date="2024-05-01", tags=value)) == [
        (4, "error", "tags: expected a list of strings or a comma-separated string")
    ]


# ----------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=BERLIN)),
        ("'2024-05-01'", datetime(2024, 5, 1, tzinfo=BERLIN)),
        ("2024-05-01 10:30", datetime(2024, 5, 1, 10, 30, tzinfo=BERLIN)),
        ("2024-05-01 10:30:15", datetime(2024, 5, 1, 10, 30, 15, tzinfo=BERLIN)),
        ("2024-05-01T10:30:00+02:00", datetime(2024, 5, 1, 10, 30, tzinfo=BERLIN)),
        ("'2024-05-01T08:30:00Z'", datetime(2024, 5, 1, 10, 30, tzinfo=BERLIN)),
    ],
)
def test_date_spellings(value, expected):
    post = parse(front(title="T", date=value), timezone="Europe/Berlin")
    assert post.date == expected
    assert post.date.tzinfo == BERLIN


@pytest.mark.parametrize(
    "value", ["2024-5-1", "May 1st", "2024-02-30", "12", "true", "[2024-05-01]", "'2024-05-01 25:00'"]
)
def test_bad_dates(value):
    assert messages(front(title="T", date=value)) == [
        (3, "error", "date: expected YYYY-MM-DD or an ISO 8601 date-time")
    ]


def test_updated_is_parsed_like_date():
    post = parse(front(title="T", date="2024-05-01", updated="2024-06-01 12:00"))
    assert post.updated == datetime(2024, 6, 1, 12, tzinfo=ZoneInfo("UTC"))
    assert messages(front(title="T", date="2024-05-01", updated="soon"))[0][2].startswith("updated: expected")


def test_date_from_the_file_name():
    post = parse("---\ntitle: T\n---\n", path="content/posts/2023-12-24-xmas.md", timezone="Europe/Berlin")
    assert (post.date, post.slug) == (datetime(2023, 12, 24, tzinfo=BERLIN), "xmas")


def test_front_matter_date_wins_over_the_file_name():
    assert parse(front(title="T", date="2024-01-02"), path="content/posts/2023-12-24-x.md").date.day == 2


def test_impossible_date_in_the_file_name():
    assert messages("---\ntitle: T\n---\n", path="content/posts/2023-02-30-x.md") == [
        (1, "error", "date: the file name starts with an impossible date")
    ]


def test_page_needs_no_date():
    post = parse("---\ntitle: About\n---\nMe.\n", path="content/pages/about.md", kind="page")
    assert (post.kind, post.date, post.url, post.slug) == ("page", None, "/about/", "about")


# ------------------------------------------------------------------------------ slugs and URLs


def test_permalink_tokens_use_the_site_time_zone():
    text = front(title="T", date="2024-05-01T23:30:00Z")
    post = parse(text, timezone="Europe/Berlin", permalink="/{year}/{month}/{day}/{slug}/")
    assert post.url == "/2024/05/02/hello/"
    assert parse(text, permalink="/{year}/{month}/{day}/{slug}/").url == "/2024/05/01/hello/"


def test_explicit_url_wins_and_pages_ignore_the_permalink():
    assert parse(front(title="T", date="2024-05-01", url="/notes/x.html")).url == "/notes/x.html"
    text = "---\ntitle: T\nslug: contact-me\n---\n"
    page = parse(text, path="content/pages/c.md", kind="page", permalink="/p/{slug}.html")
    assert page.url == "/contact-me/"


@pytest.mark.parametrize(
    "stem,slug",
    [
        ("2024-05-01-Héllo Wörld", "hello-world"),
        ("Straße & Café", "strasse-cafe"),
        ("ＦＵＬＬ width", "full-width"),
        ("a..b", "a.b"),
        ("--x--", "x"),
        ("v1.2_final", "v1.2_final"),
    ],
)
def test_default_slug_is_url_safe(stem, slug):
    assert parse(front(title="T", date="2024-05-01"), path=f"content/posts/{stem}.md").slug == slug


def test_default_slug_that_comes_out_empty_is_an_error():
    assert messages(front(title="T", date="2024-05-01"), path="content/posts/日本語.md") == [
        (1, "error", "slug: the file name gives no usable slug; set 'slug'")
    ]


def test_slugify_examples():
    assert slugify("Ünïcödé  Tëxt!") == "unicode-text"
    assert slugify("...") == ""


@pytest.mark.parametrize(
    "value", ["'../../x'", "/etc/x", "'%2e%2e/x'", "'..\\x'", "''", "a/b", ".hidden", "a..b", "'a b'"]
)
def test_unsafe_slugs_are_refused(value):
    found = messages(front(title="T", date="2024-05-01", slug=value))
    assert [(line, text.split(":")[0]) for line, _, text in found] == [(4, "slug")]


def test_explicit_slug_is_kept():
    assert parse(front(title="T", date="2024-05-01", slug="My_Post.v2")).url == "/blog/My_Post.v2/"


@pytest.mark.parametrize(
    "value",
    [
        "'../../x'", "/etc/../x/", "'%2e%2e/x/'", "'/%2e%2e/x/'", "'/..\\x/'", "''", "x/", "/a//b/", "/a/b",
        "/.git/x.html", "/a/./b/", "'/a b/'",
    ],
)
def test_unsafe_urls_are_refused(value):
    assert messages(front(title="T", date="2024-05-01", url=value)) == [
        (4, "error", "url: expected a site path such as '/about/' or '/notes/page.html'")
    ]


@pytest.mark.parametrize("value", ["/", "/about/", "/a/b-c_d.e/", "/notes/x.html", "/2024/Index.html"])
def test_safe_urls_are_kept(value):
    assert parse(front(title="T", date="2024-05-01", url=value)).url == value


# ----------------------------------------------------------------------------------- publishing


def test_is_published():
    now = datetime(2024, 6, 1, tzinfo=timezone.utc)
    post = parse(PLAIN)
    future = replace(post, date=datetime(2024, 7, 1, tzinfo=timezone.utc))
    draft = replace(post, draft=True)
    page = parse("---\ntitle: P\ndate: 2030-01-01\n---\n", path="content/pages/p.md", kind="page")
    assert is_published(post, False, False, now)
    assert not is_published(future, False, False, now)
    assert is_published(future, False, True, now)
    assert not is_published(draft, False, True, now)
    assert is_published(draft, True, False, now)
    assert is_published(page, False, False, now)
    assert not is_published(replace(page, draft=True), False, False, now)


# ------------------------------------------------------------------------------------ discovery


@pytest.mark.parametrize("name", [".DS_Store", "x.md~", ".x.md.swp", "x.swp", ".#x.md", "#x.md#", "4913", ".hidden"])
def test_editor_and_os_junk_is_ignored(name):
    assert is_ignored(name)


def test_ordinary_names_are_not_ignored():
    assert not any(is_ignored(n) for n in ("x.md", "4914", "a#b", "notes.swp.md"))


def make(root: Path, files: dict[str, str]) -> SiteConfig:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return SiteConfig(root=root)


def test_discover_sorts_posts_pages_and_static_files(tmp_path):
    config = make(tmp_path / "site", {
        "content/posts/b.md": "B",
        "content/posts/2024/a.markdown": "A",
        "content/posts/cover.png": "png",
        "content/pages/about.md": "About",
        "content/notes.md": "N",
        "content/photos/1.jpg": "jpg",
        "content/posts/.draft.md": "hidden",
        "content/.git/config": "hidden",
        "content/posts/b.md~": "backup",
        "content/posts/4913": "vim",
        "templates/x.html": "not content",
    })
    sources, statics, problems = discover(config)
    assert [(s.path, s.kind, s.data) for s in sources] == [
        ("content/pages/about.md", "page", b"About"),
        ("content/posts/2024/a.markdown", "post", b"A"),
        ("content/posts/b.md", "post", b"B"),
    ]
    assert [(s.source, s.output_path) for s in statics] == [
        ("content/notes.md", "notes.md"),
        ("content/photos/1.jpg", "photos/1.jpg"),
        ("content/posts/cover.png", "posts/cover.png"),
    ]
    assert all(s.absolute.read_bytes() for s in statics)
    assert problems == ()


def test_discover_refuses_symlinks_that_leave_the_site(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: leak\n---\n")
    (outside / "photos").mkdir()
    (outside / "photos" / "cover.png").write_text("secret")
    config = make(tmp_path / "site", {"content/posts/2024-05-01-a.md": "A", "assets/logo.txt": "logo"})
    content = tmp_path / "site" / "content"
    (content / "posts" / "leak.md").symlink_to(outside / "secret.md")
    (content / "photos").symlink_to(outside / "photos", target_is_directory=True)
    (content / "logo.txt").symlink_to(tmp_path / "site" / "assets" / "logo.txt")
    (content / "posts" / "alias").symlink_to(content / "posts", target_is_directory=True)
    (content / "dangling").symlink_to(content / "nowhere")
    sources, statics, problems = discover(config)
    assert [s.path for s in sources] == ["content/posts/2024-05-01-a.md"]
    assert [(s.source, s.output_path, s.absolute) for s in statics] == [
        ("content/logo.txt", "logo.txt", (tmp_path / "site" / "assets" / "logo.txt").resolve()),
    ]
    assert [(d.path, d.message) for d in problems] == [
        ("content/dangling", "symbolic link is broken or loops"),
        ("content/photos", "symbolic link points outside the site"),
        ("content/posts/alias", "symbolic link loops back to a folder above it"),
        ("content/posts/leak.md", "symbolic link points outside the site"),
    ]
    assert all(d.is_error for d in problems)


def test_discover_refuses_a_content_folder_outside_the_site(tmp_path):
    (tmp_path / "elsewhere" / "posts").mkdir(parents=True)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "content").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    sources, statics, problems = discover(SiteConfig(root=tmp_path / "site"))
    assert (sources, statics) == ((), ())
    assert [(d.path, d.message) for d in problems] == [("content", "symbolic link points outside the site")]


def test_discover_without_a_content_folder_warns(tmp_path):
    sources, statics, problems = discover(SiteConfig(root=tmp_path))
    assert (sources, statics) == ((), ())
    assert [(d.path, d.severity) for d in problems] == [("content", "warning")]


def test_symlink_loop_between_links_does_not_hang(tmp_path):
    config = make(tmp_path, {"content/posts/a.md": "A"})
    (tmp_path / "content" / "l1").symlink_to(tmp_path / "content" / "l2")
    (tmp_path / "content" / "l2").symlink_to(tmp_path / "content" / "l1")
    sources, _, problems = discover(config)
    assert [s.path for s in sources] == ["content/posts/a.md"]
    assert [d.path for d in problems] == ["content/l1", "content/l2"]
