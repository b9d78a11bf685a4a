"""Route planning: URLs, pagination, feeds, path safety and collisions, on values."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from blog.config import SiteConfig
from blog.errors import BuildError
from blog.model import Paginator, Post, Rendered, Route, StaticFile
from blog.routes import output_path, plan
from blog.site import assemble

CONFIG = SiteConfig(posts_per_page=3, feed_items=4)


def make_post(
    name: str,
    day: int = 1,
    tags: tuple[str, ...] = (),
    kind: str = "post",
    url: str | None = None,
    template: str | None = None,
    source: str | None = None,
) -> Post:
    """A post dated 2024-05-<day>; pages live at /<name>/, posts at /blog/<name>/ unless `url`."""
    return Post(
        source=source or f"content/{kind}s/{name}.md",
        kind=kind,  # type: ignore[arg-type]
        title=name,
        date=datetime(2024, 5, day, 12, tzinfo=timezone.utc) if kind == "post" else None,
        updated=None,
        tags=tags,
        slug=name,
        url=url if url is not None else (f"/blog/{name}/" if kind == "post" else f"/{name}/"),
        summary=None,
        draft=False,
        image=None,
        description=None,
        template=template,
        body="",
        body_line=1,
    )


def site_of(*posts: Post, static: tuple[StaticFile, ...] = (), config: SiteConfig = CONFIG):
    rendered = Rendered(html="<p>x</p>", excerpt_html="<p>x</p>", has_more=False)
    site, problems = assemble([(p, rendered) for p in posts], static, config)
    assert not [p for p in problems if p.is_error]
    return site


def routes_of(*posts: Post, config: SiteConfig = CONFIG, **kwargs) -> tuple[Route, ...]:
    return plan(site_of(*posts, config=config, static=kwargs.pop("static", ())), config, **kwargs)


def by_url(routes: tuple[Route, ...]) -> dict[str, Route]:
    return {route.url: route for route in routes}


def failure(*posts: Post, **kwargs) -> list[tuple[str, str]]:
    """(path, message) of every diagnostic of a failed plan."""
    with pytest.raises(BuildError) as caught:
        routes_of(*posts, **kwargs)
    return [(d.path, d.message) for d in caught.value.diagnostics]


@pytest.mark.parametrize(
    ("url", "path"),
    [("/", "index.html"), ("/blog/x/", "blog/x/index.html"), ("/x.html", "x.html"), ("/tags/a/atom.xml", "tags/a/atom.xml")],
)
def test_output_path(url, path):
    assert output_path(url) == path


def test_an_empty_site_still_has_a_home_page_and_the_fixed_files():
    routes = routes_of()
    assert [(r.output_path, r.kind, r.template) for r in routes] == [
        ("404.html", "404", "404.html"),
        ("archive/index.html", "archive", "archive.html"),
        ("atom.xml", "atom", None),
        ("index.html", "index", "index.html"),
        ("robots.txt", "robots", None),
        ("rss.xml", "rss", None),
        ("sitemap.xml", "sitemap", None),
        ("tags/index.html", "tags", "tags.html"),
    ]
    home = by_url(routes)["/"]
    assert home.entries == () and home.paginator == Paginator(1, 1, None, None, "/")
    assert home.sources == ("<home>",)


def test_home_pagination_counts_urls_and_slices():
    routes = by_url(routes_of(*(make_post(f"p{d}", d) for d in range(1, 8))))
    pages = [routes[url] for url in ("/", "/page/2/", "/page/3/")]
    assert "/page/4/" not in routes and "/page/1/" not in routes
    assert [[e.post.slug for e in r.entries] for r in pages] == [["p7", "p6", "p5"], ["p4", "p3", "p2"], ["p1"]]
    assert [r.paginator for r in pages] == [
        Paginator(1, 3, None, "/page/2/", "/"),
        Paginator(2, 3, "/", "/page/3/", "/"),
        Paginator(3, 3, "/page/2/", None, "/"),
    ]
    assert pages[1].output_path == "page/2/index.html" and pages[1].kind == "index"


def test_exactly_full_pages_make_no_empty_page():
    routes = by_url(routes_of(*(make_post(f"p{d}", d) for d in range(1, 7))))
    assert "/page/2/" in routes and "/page/3/" not in routes
    assert routes["/page/2/"].paginator.next_url is None


def test_posts_and_pages_get_their_url_template_and_source():
    routes = by_url(routes_of(
        make_post("hello", 1),
        make_post("fancy", 2, template="wide.html"),
        make_post("about", kind="page"),
        make_post("legal", kind="page", url="/legal.html", template="plain.html"),
    ))
    hello, fancy = routes["/blog/hello/"], routes["/blog/fancy/"]
    assert (hello.kind, hello.template, hello.output_path) == ("post", "post.html", "blog/hello/index.html")
    assert hello.sources == ("content/posts/hello.md",)
    assert hello.entry is not None and hello.entry.post.slug == "hello"
    assert fancy.template == "wide.html"
    assert (routes["/about/"].kind, routes["/about/"].template) == ("page", "page.html")
    assert (routes["/legal.html"].output_path, routes["/legal.html"].template) == ("legal.html", "plain.html")


def test_tag_pages_paginate_and_have_a_feed():
    posts = [make_post(f"p{d}", d, tags=("Python",)) for d in range(1, 8)]
    routes = by_url(routes_of(*posts))
    first, third = routes["/tags/python/"], routes["/tags/python/page/3/"]
    assert (first.kind, first.template, first.tag.name) == ("tag", "tag.html", "Python")
    assert first.paginator == Paginator(1, 3, None, "/tags/python/page/2/", "/tags/python/")
    assert third.paginator == Paginator(3, 3, "/tags/python/page/2/", None, "/tags/python/")
    assert [e.post.slug for e in third.entries] == ["p1"]
    assert third.output_path == "tags/python/page/3/index.html"
    assert first.sources == ("<tag python>",) and third.sources == ("<tag python page 3>",)
    feed = routes["/tags/python/atom.xml"]
    assert (feed.kind, feed.output_path) == ("tag_atom", "tags/python/atom.xml")
    assert [e.post.slug for e in feed.entries] == ["p7", "p6", "p5", "p4"]


def test_tag_python3_never_collides_with_page_3_of_python():
    posts = [make_post(f"p{d}", d, tags=("python",)) for d in range(1, 8)] + [make_post("three", 9, tags=("python3",))]
    routes = by_url(routes_of(*posts))
    assert [e.post.slug for e in routes["/tags/python/page/3/"].entries] == ["p1"]
    assert [e.post.slug for e in routes["/tags/python3/"].entries] == ["three"]
    assert routes["/tags/python/page/3/"].output_path != routes["/tags/python3/"].output_path


def test_site_feeds_hold_the_newest_posts():
    routes = by_url(routes_of(*(make_post(f"p{d}", d) for d in range(1, 8))))
    for url, kind in (("/atom.xml", "atom"), ("/rss.xml", "rss")):
        assert routes[url].kind == kind
        assert [e.post.slug for e in routes[url].entries] == ["p7", "p6", "p5", "p4"]


def test_static_files_and_extra_routes_are_planned():
    static = (StaticFile("content/img/a.png", Path("/nowhere/a.png"), "img/a.png"),)
    css = Route(url="/static/pygments.css", output_path="static/pygments.css", kind="pygments_css", sources=("<css>",))
    extra = (css,)
    routes = by_url(routes_of(static=static, extra=extra))
    image = routes["/img/a.png"]
    assert (image.kind, image.output_path, image.static) == ("static", "img/a.png", static[0])
    assert image.sources == ("content/img/a.png",)
    assert routes["/static/pygments.css"] is extra[0]


def test_routes_are_sorted_by_output_path_and_ignore_input_order():
    posts = [make_post(f"p{d:02d}", 1 + d % 5, tags=(f"t{d % 3}",)) for d in range(20)]
    routes = routes_of(*posts)
    assert [r.output_path for r in routes] == sorted(r.output_path for r in routes)
    rng = random.Random(3)
    for _ in range(3):
        rng.shuffle(posts)
        assert routes_of(*posts) == routes


def test_two_posts_with_one_url_is_an_error_naming_both():
    problems = failure(
        make_post("intro", 1, source="content/posts/2024-05-01-intro.md"),
        make_post("intro", 2, source="content/posts/deeper/2024-06-01-intro.md"),
    )
    assert problems == [(
        "content/posts/deeper/2024-06-01-intro.md",
        "URL /blog/intro/ is also produced by content/posts/2024-05-01-intro.md",
    )]


def test_every_collision_is_reported_at_once():
    problems = failure(
        make_post("a", 1, url="/x/"),
        make_post("b", 2, url="/x/"),
        make_post("c", 3, url="/x/"),
        make_post("d", 4, url="/y/"),
        make_post("e", 5, url="/y/"),
    )
    assert sorted(path for path, _ in problems) == ["content/posts/b.md", "content/posts/c.md", "content/posts/e.md"]


def test_a_page_at_a_generated_url_is_reported_at_the_page():
    problems = failure(make_post("tags", kind="page"), make_post("archive", kind="page"))
    assert problems == [
        ("content/pages/archive.md", "URL /archive/ is also produced by <archive>"),
        ("content/pages/tags.md", "URL /tags/ is also produced by <tag list>"),
    ]


def test_a_page_at_a_home_page_url_collides():
    posts = [make_post(f"p{d}", d) for d in range(1, 5)] + [make_post("page", kind="page", url="/page/2/")]
    assert failure(*posts) == [("content/pages/page.md", "URL /page/2/ is also produced by <home page 2>")]


def test_a_static_file_at_a_page_url_collides():
    static = (StaticFile("content/about/index.html", Path("/nowhere"), "about/index.html"),)
    problems = failure(make_post("about", kind="page"), static=static)
    assert problems == [("content/pages/about.md", "URL /about/ is also produced by content/about/index.html")]


def test_urls_differing_only_in_case_collide():
    problems = failure(
        make_post("Hello", 1, source="content/posts/Hello.md"),
        make_post("hello", 2, source="content/posts/hello.md"),
    )
    assert len(problems) == 1
    path, message = problems[0]
    assert path == "content/posts/hello.md"
    assert "/blog/Hello/" in message and "/blog/hello/" in message and "content/posts/Hello.md" in message
    assert "case" in message


def test_a_file_where_a_folder_is_needed_collides():
    problems = failure(make_post("a", 1, url="/notes"), make_post("b", 2, url="/notes/b/"))
    assert problems == [(
        "content/posts/a.md",
        "URL /notes (content/posts/a.md) is a file at 'notes', where URL /notes/b/ (content/posts/b.md) needs a folder",
    )]


def test_a_page_file_where_a_generated_folder_is_needed_is_reported_at_the_page():
    problems = failure(make_post("tags", kind="page", url="/tags"))
    assert [path for path, _ in problems] == ["content/pages/tags.md"]


@pytest.mark.parametrize(
    "url",
    [
        "/../../x/", "//etc/x/", "/%2e%2e/x/", "/blog/%2E%2E/", "/..\\x/", "", "blog/x/",
        "/a//b/", "/a/./b/", "/nul\x00/", "/a%2fb/",
    ],
)
def test_unsafe_urls_fail_naming_the_source(url):
    problems = failure(make_post("bad", 1, url=url))
    assert len(problems) == 1
    path, message = problems[0]
    assert path == "content/posts/bad.md" and "not a safe path" in message


def test_unsafe_extra_routes_are_refused():
    extra = (Route(url="/x", output_path="../x", kind="theme_static", sources=("themes/t/static/x",)),)
    assert [path for path, _ in failure(extra=extra)] == ["themes/t/static/x"]


def test_unsafe_paths_and_collisions_are_reported_together():
    problems = failure(make_post("bad", 1, url="/../x/"), make_post("a", 2, url="/y/"), make_post("b", 3, url="/y/"))
    assert sorted(path for path, _ in problems) == ["content/posts/b.md", "content/posts/bad.md"]


def test_percent_signs_that_do_not_escape_are_allowed():
    routes = by_url(routes_of(make_post("pct", 1, url="/blog/100%25/")))
    assert routes["/blog/100%25/"].output_path == "blog/100%25/index.html"


def test_routes_share_the_site_values():
    site = site_of(make_post("a", 1, tags=("x",)))
    routes = by_url(plan(site, CONFIG))
    assert routes["/blog/a/"].entry is site.entries[0]
    assert routes["/tags/x/"].tag is site.tags[0]
    assert routes["/archive/"].entries == site.entries
