"""The content graph: ordering, neighbours, tags, related posts and the archive, on values."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from blog.config import SiteConfig
from blog.model import Post, Rendered, StaticFile
from blog.model import TagRef
from blog.site import assemble, reading_order, related_indexes
from sitekit import post_value

UTC = timezone.utc
CONFIG = SiteConfig(timezone="UTC")


def make_post(
    name: str,
    date: datetime | None = datetime(2024, 5, 1, 12, tzinfo=UTC),
    tags: tuple[str, ...] = (),
    kind: str = "post",
    updated: datetime | None = None,
) -> Post:
    """A post (or page) at content/<kind>s/<name>.md served at /blog/<name>/."""
    return post_value(
        source=f"content/{kind}s/{name}.md",
        kind=kind,  # type: ignore[arg-type]
        title=name.title(),
        date=date,
        updated=updated,
        tags=tags,
        slug=name,
        url=f"/blog/{name}/" if kind == "post" else f"/{name}/",
        body=f"Body of {name}.",
        body_line=4,
    )


def day(n: int, hour: int = 12) -> datetime:
    return datetime(2024, 5, n, hour, tzinfo=UTC)


def item(post: Post) -> tuple[Post, Rendered]:
    return post, Rendered(html=f"<p>{post.title}</p>", excerpt_html=f"<p>{post.title}</p>", has_more=False)


def build(*posts: Post, config: SiteConfig = CONFIG, static: tuple[StaticFile, ...] = ()):
    return assemble([item(p) for p in posts], static, config)


def sources(entries) -> list[str]:
    return [e.post.source.rsplit("/", 1)[-1].removesuffix(".md") for e in entries]


def test_posts_newest_first_with_ties_by_source():
    site, problems = build(
        make_post("b", day(2)), make_post("old", day(1)), make_post("a", day(2)), make_post("new", day(3))
    )
    assert problems == ()
    assert sources(site.entries) == ["new", "a", "b", "old"]


def test_reading_order_is_the_order_the_site_lists_posts_then_pages():
    posts = [
        make_post("b", day(2)), make_post("undated", None), make_post("old", day(1)), make_post("about", None, kind="page"),
        make_post("a", day(2)), make_post("new", day(3)), make_post("contact", None, kind="page"),
    ]
    random.Random(4).shuffle(posts)
    site, _ = build(*posts)
    assert reading_order(posts) == tuple(e.post.source for e in (*site.entries, *site.pages))
    assert [s.rsplit("/", 1)[-1] for s in reading_order(posts)] == [
        "new.md", "a.md", "b.md", "old.md", "undated.md", "about.md", "contact.md"
    ]


def test_same_instant_in_different_offsets_is_a_tie():
    berlin_noon = datetime(2024, 5, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    site, _ = build(make_post("z", day(1)), make_post("y", berlin_noon))
    assert sources(site.entries) == ["y", "z"]


def test_pages_are_separate_and_sorted_by_source():
    site, _ = build(make_post("zeta", None, kind="page"), make_post("post", day(1)), make_post("about", None, kind="page"))
    assert sources(site.entries) == ["post"]
    assert sources(site.pages) == ["about", "zeta"]
    assert site.pages[0].previous is None and site.pages[0].tags == ()


def test_previous_is_older_and_next_is_newer():
    site, _ = build(make_post("one", day(1)), make_post("three", day(3)), make_post("two", day(2)))
    newest, middle, oldest = site.entries
    assert middle.previous is oldest.post and middle.next is newest.post
    assert newest.next is None and newest.previous is middle.post
    assert oldest.previous is None and oldest.next is middle.post


def test_tag_refs_keep_post_order_and_use_the_merged_display_name():
    site, problems = build(
        make_post("a", day(1), tags=("Python", "sqlite")),
        make_post("b", day(2), tags=("SQLite", "python", "PYTHON")),
        make_post("c", day(3), tags=("SQLite",)),
    )
    assert problems == ()
    by_name = {sources([e])[0]: e for e in site.entries}
    assert [(t.name, t.slug, t.url) for t in by_name["b"].tags] == [
        ("SQLite", "sqlite", "/tags/sqlite/"),
        ("Python", "python", "/tags/python/"),
    ]
    assert [t.name for t in by_name["a"].tags] == ["Python", "SQLite"]


def test_cafe_spellings_share_one_tag():
    site, problems = build(
        make_post("a", day(1), tags=("Caf\u00e9",)),
        make_post("b", day(2), tags=("Cafe\u0301",)),
        make_post("c", day(3), tags=("CAF\u00c9",)),
    )
    assert problems == ()
    (tag,) = site.tags
    assert tag.slug == "cafe" and sources(tag.entries) == ["c", "b", "a"]


def test_aliases_from_the_config_apply():
    config = SiteConfig(tag_aliases={"golang": "go"})
    site, problems = build(make_post("a", day(1), tags=("GoLang",)), make_post("b", day(2), tags=("go",)), config=config)
    assert problems == ()
    assert [(t.slug, len(t.entries)) for t in site.tags] == [("go", 2)]
    assert site.entries[1].tags[0].name == "go"


def test_tags_by_slug_with_entries_newest_first():
    site, _ = build(
        make_post("a", day(1), tags=("zig", "ada")),
        make_post("b", day(3), tags=("zig",)),
        make_post("c", day(2), tags=("zig",)),
    )
    assert [t.slug for t in site.tags] == ["ada", "zig"]
    assert sources(site.tags[1].entries) == ["b", "c", "a"]


def test_every_list_shares_the_same_entry_objects():
    site, _ = build(make_post("a", day(1), tags=("x",)), make_post("b", day(2), tags=("x", "y")))
    in_tags = [e for tag in site.tags for e in tag.entries]
    in_archive = [e for year in site.archive for month in year.months for e in month.entries]
    assert all(any(e is f for f in site.entries) for e in in_tags + in_archive)
    assert all(e.tags for e in in_tags)


def test_related_posts_rank_by_shared_tags_then_newest():
    site, _ = build(
        make_post("me", day(5), tags=("a", "b", "c")),
        make_post("two-old", day(1), tags=("a", "b")),
        make_post("two-new", day(2), tags=("b", "c", "z")),
        make_post("one-new", day(4), tags=("c",)),
        make_post("one-old", day(3), tags=("a",)),
        make_post("none", day(6), tags=("z",)),
    )
    me = next(e for e in site.entries if e.post.slug == "me")
    assert [p.slug for p in me.related] == ["two-new", "two-old", "one-new", "one-old"]


def test_related_posts_respect_the_limit_and_ties_on_source():
    config = SiteConfig(related_posts=2)
    site, _ = build(
        make_post("me", day(5), tags=("a",)),
        make_post("c", day(1), tags=("a",)),
        make_post("b", day(1), tags=("A",)),
        make_post("d", day(2), tags=("a",)),
        config=config,
    )
    me = next(e for e in site.entries if e.post.slug == "me")
    assert [p.slug for p in me.related] == ["d", "b"]


def test_related_is_empty_when_disabled_or_no_tags_shared():
    tagged = (make_post("a", day(1), tags=("x",)), make_post("b", day(2), tags=("x",)))
    site, _ = build(*tagged, config=SiteConfig(related_posts=0))
    assert all(e.related == () for e in site.entries)
    site, _ = build(make_post("a", day(1), tags=("x",)), make_post("b", day(2)))
    assert all(e.related == () for e in site.entries)


def test_archive_groups_by_month_in_the_site_time_zone():
    late_january_utc = datetime(2024, 1, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 February in Berlin
    posts = (
        make_post("late", late_january_utc),
        make_post("jan", datetime(2024, 1, 10, tzinfo=UTC)),
        make_post("dec", datetime(2023, 12, 24, tzinfo=UTC)),
        make_post("mar", datetime(2024, 3, 1, 9, tzinfo=UTC)),
    )
    site, _ = build(*posts, config=SiteConfig(timezone="Europe/Berlin"))
    shape = [(y.year, [(m.month, sources(m.entries)) for m in y.months]) for y in site.archive]
    assert shape == [(2024, [(3, ["mar"]), (2, ["late"]), (1, ["jan"])]), (2023, [(12, ["dec"])])]
    site, _ = build(*posts, config=SiteConfig(timezone="UTC"))
    assert [(m.month, sources(m.entries)) for m in site.archive[0].months] == [(3, ["mar"]), (1, ["late", "jan"])]


def test_updated_is_the_newest_post_date_or_update():
    site, _ = build(make_post("a", day(1), updated=day(9)), make_post("b", day(5)))
    assert site.updated == day(9)
    site, _ = build(make_post("about", None, kind="page"))
    assert site.updated is None and site.entries == () and site.archive == () and site.tags == ()


def test_static_files_are_sorted_by_output_path():
    files = tuple(StaticFile(f"content/{name}", Path("/nowhere") / name, name) for name in ("z.png", "a/b.txt", "m.css"))
    site, _ = build(static=files)
    assert [f.output_path for f in site.static_files] == ["a/b.txt", "m.css", "z.png"]


def test_tags_on_pages_are_a_warning():
    _, problems = build(make_post("about", None, tags=("me",), kind="page"))
    assert [(p.path, p.severity) for p in problems] == [("content/pages/about.md", "warning")]


def test_tag_slug_clash_is_reported_as_an_error():
    _, problems = build(make_post("a", day(1), tags=("node.js",)), make_post("b", day(2), tags=("node-js",)))
    assert [(p.path, p.is_error) for p in problems] == [("content/posts/b.md", True)]


def test_alias_clash_names_the_config_file():
    config = SiteConfig(config_path="pyproject.toml", tag_aliases={"py": "python", "PY": "pypy"})
    _, problems = build(config=config)
    assert [p.path for p in problems] == ["pyproject.toml"]


def test_shuffled_input_gives_an_identical_site():
    posts = [
        make_post(f"p{i:02d}", day(1 + i % 5, hour=i % 3), tags=(f"t{i % 4}", "Shared" if i % 2 else "shared"))
        for i in range(30)
    ] + [make_post(f"page{i}", None, kind="page") for i in range(3)]
    config = SiteConfig(timezone="Europe/Berlin", related_posts=3)
    expected = assemble([item(p) for p in posts], (), config)
    rng = random.Random(42)
    for _ in range(5):
        rng.shuffle(posts)
        assert assemble([item(p) for p in posts], (), config) == expected


def _related_by_brute_force(refs, limit):
    """Every pair compared: most shared tags first, then the lower (newer) position."""
    slugs = [[ref.slug for ref in tags] for tags in refs]
    result = []
    for i, mine in enumerate(slugs):
        scored = [(-sum(theirs.count(s) for s in mine), j) for j, theirs in enumerate(slugs) if j != i]
        result.append(tuple(j for score, j in sorted(scored) if score < 0)[:limit])
    return tuple(result)


def test_related_indexes_equal_comparing_every_pair():
    chance = random.Random(7)
    pool = [f"t{n}" for n in range(12)]
    weights = [40, 20, 12, 8, 6, 5, 4, 3, 2, 2, 1, 1]  # one tag on most posts, as on real sites
    for _ in range(30):
        refs = [
            tuple(TagRef(s, s, f"/tags/{s}/") for s in dict.fromkeys(chance.choices(pool, weights, k=chance.randint(0, 4))))
            for _ in range(chance.randint(0, 60))
        ]
        for limit in (0, 1, 3, 5, 100):
            assert related_indexes(refs, limit) == _related_by_brute_force(refs, limit)
