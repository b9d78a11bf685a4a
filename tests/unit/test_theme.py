"""The default theme and blog.theme: every HTML route renders valid, escaped, deterministic HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType

import html5lib
import pytest

from blog.config import SiteConfig
from blog.errors import BuildError
from blog.model import (
    Entry,
    MonthGroup,
    Paginator,
    Post,
    Rendered,
    Route,
    Site,
    Tag,
    TagRef,
    TocItem,
    YearGroup,
)
from blog.theme import (
    format_date,
    make_env,
    prefixed,
    preload,
    render_route,
    template_context,
    url_prefix,
)
from blog.themefiles import theme_dir, theme_static_files

# A site root with no templates/ or themes/ folder: everything comes from the packaged theme.
NO_SITE = Path(__file__).parent / "no-such-site"
CONFIG = SiteConfig(
    root=NO_SITE,
    title="Test blog",
    base_url="https://blog.example.org/",
    author="Tess Tester",
    description="A site made by the tests.",
)
XSS_TITLE = '"><script>alert(1)</script>'
XSS_TAG = "<img src=x onerror=alert(1)>"
XSS_DESCRIPTION = 'He said "hi" & left \'quickly\' <b>now</b>'
HTML_KINDS = ("index", "tag", "tags", "archive", "post", "page", "404")


# --- fake values -------------------------------------------------------------------------------


def fake_post(slug: str, title: str | None = None, day: int = 1, kind: str = "post", **fields) -> Post:
    values = dict(
        source=f"content/{kind}s/{slug}.md",
        kind=kind,
        title=title or slug.replace("-", " ").title(),
        date=datetime(2024, 5, day, 9, 30, tzinfo=timezone.utc) if kind == "post" else None,
        updated=None,
        tags=(),
        slug=slug,
        url=f"/blog/{slug}/" if kind == "post" else f"/{slug}/",
        summary=None,
        draft=False,
        image=None,
        description=None,
        template=None,
        body="",
        body_line=4,
    )
    values.update(fields)
    return Post(**values)


def tag_ref(name: str) -> TagRef:
    slug = name.lower()
    return TagRef(name, slug, f"/tags/{slug}/")


def fake_entry(post: Post, has_more: bool = True, tags: tuple[str, ...] = ("Python",), **links) -> Entry:
    rendered = Rendered(
        html=f'<h2 id="intro">Intro</h2>\n<p>Body of {post.slug} &amp; more.</p>\n',
        excerpt_html=f"<p>Excerpt of {post.slug}.</p>\n",
        has_more=has_more,
        toc=(TocItem(2, "intro", "Intro"),),
    )
    return Entry(post, rendered, tuple(tag_ref(t) for t in tags), **links)


def fake_site(entries: tuple[Entry, ...], pages: tuple[Entry, ...] = ()) -> Site:
    slugs = sorted({t.slug for e in entries for t in e.tags})
    tags = tuple(
        Tag(
            name=next(t.name for e in entries for t in e.tags if t.slug == slug),
            slug=slug,
            url=f"/tags/{slug}/",
            entries=tuple(e for e in entries if any(t.slug == slug for t in e.tags)),
            spellings=(slug,),
        )
        for slug in slugs
    )
    months = (MonthGroup(2024, 5, entries),) if entries else ()
    archive = (YearGroup(2024, months),) if entries else ()
    updated = max((e.post.date for e in entries if e.post.date), default=None)
    return Site(entries, pages, tags, archive, (), updated)


def sample() -> tuple[Site, tuple[Entry, ...]]:
    """Three posts newest first (the middle one without more), an about page, linked neighbours."""
    updated = datetime(2024, 6, 2, tzinfo=timezone.utc)
    newest = fake_post("newest", day=20, image="/photos/cover.svg", updated=updated)
    middle = fake_post("middle", day=10, draft=True)
    oldest = fake_post("oldest", day=1, description="Oldest post description.")
    entries = (
        fake_entry(newest, tags=("Python", "SQLite"), previous=middle, related=(oldest,)),
        fake_entry(middle, has_more=False, tags=("Rust",), previous=oldest, next=newest),
        fake_entry(oldest, next=middle, tags=("Python", "Go")),
    )
    about = fake_entry(fake_post("about", title="About me", kind="page"), has_more=False, tags=())
    return fake_site(entries, (about,)), entries


def route_for(kind: str, site: Site, **fields) -> Route:
    """A route of each HTML kind over `site`, as routes.plan would make it."""
    tag = site.tags[0] if site.tags else None
    defaults = {
        "index": dict(url="/", output_path="index.html", entries=site.entries,
                      paginator=Paginator(1, 1, None, None, "/")),
        "tag": dict(url=tag.url if tag else "/tags/x/", output_path="tags/x/index.html", tag=tag,
                    entries=tag.entries if tag else (), paginator=Paginator(1, 1, None, None, "/tags/x/")),
        "tags": dict(url="/tags/", output_path="tags/index.html"),
        "archive": dict(url="/archive/", output_path="archive/index.html"),
        "post": dict(url=site.entries[0].post.url if site.entries else "/blog/x/", output_path="blog/x/index.html",
                     entry=site.entries[0] if site.entries else None),
        "page": dict(url="/about/", output_path="about/index.html", entry=site.pages[0] if site.pages else None),
        "404": dict(url="/404.html", output_path="404.html"),
    }[kind]
    entry = fields.get("entry", defaults.get("entry"))
    if kind in ("post", "page") and entry is not None:
        defaults["url"] = entry.post.url
    sources = (entry.post.source,) if entry is not None else ("<site>",)
    return Route(kind=kind, sources=sources, **{**defaults, **fields})


def render(kind: str, site: Site, config: SiteConfig = CONFIG, **fields) -> str:
    data, diagnostics = render_route(make_env(config), route_for(kind, site, **fields), site, config)
    assert diagnostics == ()
    assert data is not None
    return data.decode("utf-8")


def parse(text: str) -> ET.Element:
    """Parse as a browser would, failing on any HTML parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


# --- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", HTML_KINDS)
def test_every_html_kind_is_valid_html5(kind: str) -> None:
    site, _ = sample()
    text = render(kind, site)
    assert text.startswith("<!DOCTYPE html>\n")
    assert text.endswith("</html>\n")
    root = parse(text)
    assert root.get("lang") == "en"
    assert root.find(".//main[@id='content']") is not None
    assert root.find(".//a[@class='skip-link']").get("href") == "#content"
    stylesheets = [link.get("href") for link in root.iter("link") if link.get("rel") == "stylesheet"]
    assert stylesheets == ["/static/style.css", "/static/pygments.css"]
    feeds = {link.get("type"): link.get("href") for link in root.iter("link") if link.get("rel") == "alternate"}
    assert feeds["application/rss+xml"] == "/rss.xml"
    assert len(root.findall(".//h1")) == 1


@pytest.mark.parametrize("kind", [k for k in HTML_KINDS if k != "tag"])  # a tag route always has a tag
def test_pages_render_with_an_empty_site(kind: str) -> None:
    empty = fake_site(())
    fields = {"entry": fake_entry(fake_post("lonely"))} if kind in ("post", "page") else {}
    parse(render(kind, empty, **fields))


def test_head_has_title_description_and_canonical_link() -> None:
    site, entries = sample()
    root = parse(render("post", site, entry=entries[2]))
    assert root.find(".//title").text == "Oldest — Test blog"
    assert root.find(".//meta[@name='description']").get("content") == "Oldest post description."
    assert root.find(".//link[@rel='canonical']").get("href") == "https://blog.example.org/blog/oldest/"
    home = parse(render("index", site))
    assert home.find(".//title").text == "Test blog"
    assert home.find(".//meta[@name='description']").get("content") == "A site made by the tests."


def test_navigation_shows_about_only_when_a_page_has_that_slug() -> None:
    site, entries = sample()
    nav = [text_of(a) for a in parse(render("index", site)).findall(".//nav[@class='site-nav']//a")]
    assert nav == ["Home", "Tags", "Archive", "About", "Feed"]
    without = fake_site(entries)
    nav = [text_of(a) for a in parse(render("index", without)).findall(".//nav[@class='site-nav']//a")]
    assert nav == ["Home", "Tags", "Archive", "Feed"]


# --- lists -----------------------------------------------------------------------------------


def test_tag_page_heading_and_tag_feed() -> None:
    site, _ = sample()
    python = next(t for t in site.tags if t.slug == "python")
    root = parse(render("tag", site, tag=python, entries=python.entries, url=python.url))
    assert [text_of(h) for h in root.findall(".//h1")] == ["Entries tagged with Python"]
    feeds = [link.get("href") for link in root.iter("link") if link.get("type") == "application/atom+xml"]
    assert feeds == ["/atom.xml", "/tags/python/atom.xml"]
    titles = [text_of(h) for h in root.findall(".//h2[@class='card-title']")]
    assert titles == ["Newest", "Oldest"]


def test_read_more_only_when_the_post_has_more() -> None:
    site, _ = sample()
    root = parse(render("index", site, config=replace(CONFIG, read_more_text="Continue reading")))
    cards = root.findall(".//article")
    assert [text_of(c.find(".//h2")) for c in cards] == ["Newest", "Middle", "Oldest"]
    more = [c.find(".//p[@class='read-more']/a") for c in cards]
    assert [m is not None for m in more] == [True, False, True]
    assert more[0].get("href") == "/blog/newest/"
    assert text_of(more[0]) == "Continue reading Newest"  # the hidden span names the post


def test_list_cards_show_date_cover_tags_and_excerpt() -> None:
    site, _ = sample()
    card = parse(render("index", site)).find(".//article")
    assert card.find(".//time").get("datetime") == "2024-05-20T09:30:00+00:00"
    assert text_of(card.find(".//time")) == "May 20, 2024"
    image = card.find(".//img")
    assert image.attrib == {
        "class": "card-image", "src": "/photos/cover.svg", "alt": "Newest", "width": "1200", "height": "630",
        "loading": "lazy", "decoding": "async",
    }
    assert [a.get("href") for a in card.findall(".//a[@rel='tag']")] == ["/tags/python/", "/tags/sqlite/"]
    assert text_of(card.find(".//div[@class='excerpt']")) == "Excerpt of newest."


def test_pagination_links_and_page_count() -> None:
    site, _ = sample()
    paginator = Paginator(2, 3, "/", "/page/3/", "/")
    root = parse(render("index", site, url="/page/2/", paginator=paginator))
    nav = root.find(".//nav[@class='pagination']")
    assert "Page 2 of 3" in text_of(nav)
    assert nav.find(".//a[@rel='prev']").get("href") == "/"
    assert nav.find(".//a[@rel='next']").get("href") == "/page/3/"
    single = parse(render("index", site))
    assert single.find(".//nav[@class='pagination']") is None


def test_tags_and_archive_pages_list_everything() -> None:
    site, _ = sample()
    tags = parse(render("tags", site))
    assert [text_of(a) for a in tags.findall(".//ul[@class='tag-cloud']//a")] == [
        "Go 1 post", "Python 2 posts", "Rust 1 post", "SQLite 1 post",
    ]
    archive = parse(render("archive", site))
    assert [text_of(h) for h in archive.findall(".//h3")] == ["May"]
    assert [a.get("href") for a in archive.findall(".//ul[@class='archive-list']//a")] == [
        "/blog/newest/", "/blog/middle/", "/blog/oldest/",
    ]


# --- a post ----------------------------------------------------------------------------------


def test_post_page_has_content_neighbours_related_and_updated_date() -> None:
    site, entries = sample()
    root = parse(render("post", site, entry=entries[0]))
    article = root.find(".//article")
    assert text_of(article.find(".//h1")) == "Newest"
    assert text_of(article.find(".//div[@class='content']")) == "Intro Body of newest & more."
    assert [t.get("datetime") for t in article.find(".//p[@class='meta']").iter("time")] == [
        "2024-05-20T09:30:00+00:00", "2024-06-02T00:00:00+00:00",
    ]
    assert article.find(".//img[@class='cover']").get("alt") == "Newest"
    assert article.find(".//a[@rel='prev']").get("href") == "/blog/middle/"
    assert article.find(".//a[@rel='next']") is None
    related = article.find(".//section[@class='related']")
    assert text_of(related.find("h2")) == "Related posts"
    assert [a.get("href") for a in related.iter("a")] == ["/blog/oldest/"]
    og = {m.get("property"): m.get("content") for m in root.iter("meta") if m.get("property")}
    assert og["og:image"] == "https://blog.example.org/photos/cover.svg"
    assert og["og:type"] == "article"


def test_draft_badge_only_on_drafts() -> None:
    site, entries = sample()
    draft = parse(render("post", site, entry=entries[1]))
    assert [text_of(b) for b in draft.findall(".//span[@class='badge badge-draft']")] == ["Draft"]
    published = parse(render("post", site, entry=entries[0]))
    assert published.findall(".//span[@class='badge badge-draft']") == []


# --- hostile metadata (R09) ------------------------------------------------------------------


def hostile_site() -> tuple[Site, Entry]:
    post = fake_post(
        "evil", title=XSS_TITLE, description=XSS_DESCRIPTION, summary=XSS_DESCRIPTION, image="/x.png?a=1&b=2",
        extra=MappingProxyType({"note": XSS_TITLE}),
    )
    entry = fake_entry(post, tags=(XSS_TAG,))
    hostile_tag = TagRef(XSS_TAG, "img-src-x", "/tags/img-src-x/")
    entry = replace(entry, tags=(hostile_tag,), related=(post,), previous=post)
    site = fake_site((entry,), (fake_entry(replace(post, kind="page", slug="about", url="/about/"), tags=()),))
    site = replace(site, tags=(Tag(XSS_TAG, "img-src-x", "/tags/img-src-x/", (entry,), (XSS_TAG,)),))
    return site, entry


@pytest.mark.parametrize("kind", HTML_KINDS)
def test_metadata_is_escaped_everywhere(kind: str) -> None:
    site, entry = hostile_site()
    config = replace(CONFIG, title=XSS_TITLE, description=XSS_DESCRIPTION, author=XSS_TAG)
    root = parse(render(kind, site, config=config, **({"entry": entry} if kind in ("post", "page") else {})))
    assert root.findall(".//script") == []
    for element in root.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")], element.tag
        assert element.get("src") != "x"
    assert root.find(".//title").text.endswith(XSS_TITLE)
    descriptions = {
        "index": XSS_DESCRIPTION,
        "tag": f"Posts about {XSS_TAG} on {XSS_TITLE}.",
        "tags": f"Every tag on {XSS_TITLE}.",
        "archive": f"Every post on {XSS_TITLE}, by month.",
        "post": XSS_DESCRIPTION,
        "page": XSS_DESCRIPTION,
    }
    description = root.find(".//meta[@name='description']")
    assert (description.get("content") if description is not None else None) == descriptions.get(kind)
    assert root.find(".//meta[@name='author']").get("content") == XSS_TAG


def test_hostile_post_title_is_literal_in_title_and_meta() -> None:
    site, entry = hostile_site()
    root = parse(render("post", site, entry=entry))
    assert root.find(".//title").text == f"{XSS_TITLE} — Test blog"
    assert root.find(".//meta[@property='og:title']").get("content") == XSS_TITLE
    assert root.find(".//meta[@name='description']").get("content") == XSS_DESCRIPTION
    assert text_of(root.find(".//a[@rel='tag']")) == XSS_TAG
    assert root.find(".//img[@class='cover']").get("src") == "/x.png?a=1&b=2"


def test_only_rendered_markdown_is_markup() -> None:
    site, entry = hostile_site()
    context = template_context(route_for("post", site, entry=entry), site, CONFIG)
    page = context["page"]
    assert hasattr(page.content, "__html__") and hasattr(page.excerpt, "__html__")
    for value in (page.title, page.description, page.summary, page.tags[0].name, page.extra["note"]):
        assert not hasattr(value, "__html__")
    with pytest.raises(TypeError):
        page.extra["note"] = "changed"  # type: ignore[index]


# --- site templates and themes ---------------------------------------------------------------


def site_with(tmp_path: Path, files: dict[str, str], **config) -> SiteConfig:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return replace(CONFIG, root=tmp_path, **config)


def test_site_template_overrides_the_theme(tmp_path: Path) -> None:
    own = "<!DOCTYPE html><title>mine</title><p>{{ page.title }}</p>\n"
    config = site_with(tmp_path, {"templates/post.html": own})
    site, entries = sample()
    assert render("post", site, config=config, entry=entries[0]) == "<!DOCTYPE html><title>mine</title><p>Newest</p>\n"


def test_site_template_can_extend_the_theme_version(tmp_path: Path) -> None:
    override = (
        '{% extends "theme/post.html" %}\n'
        '{% block head %}\n<meta name="x-custom" content="{{ page.slug }}">\n{% endblock %}\n'
    )
    config = site_with(tmp_path, {"templates/post.html": override})
    site, entries = sample()
    root = parse(render("post", site, config=config, entry=entries[0]))
    assert root.find(".//meta[@name='x-custom']").get("content") == "newest"
    assert text_of(root.find(".//h1")) == "Newest"


def test_site_partial_changes_every_list(tmp_path: Path) -> None:
    config = site_with(tmp_path, {"templates/_entry_summary.html": '<p class="mine">{{ post.title }}</p>\n'})
    site, _ = sample()
    for kind in ("index", "tag"):
        root = parse(render(kind, site, config=config))
        assert root.findall(".//article") == []
        assert root.findall(".//p[@class='mine']")


def test_undefined_name_in_site_template_is_located(tmp_path: Path) -> None:
    broken = '{% extends "theme/post.html" %}\n{% block content %}\n<p>{{ page.titel }}</p>\n{% endblock %}\n'
    config = site_with(tmp_path, {"templates/post.html": broken})
    site, entries = sample()
    data, diagnostics = render_route(make_env(config), route_for("post", site), site, config)
    assert data is None
    assert [(d.path, d.line, d.severity) for d in diagnostics] == [("templates/post.html", 3, "error")]
    assert "titel" in diagnostics[0].message


def test_syntax_error_in_site_template_is_located(tmp_path: Path) -> None:
    broken = "{% extends 'base.html' %}\n\n{% block content %}{% if %}{% endblock %}\n"
    config = site_with(tmp_path, {"templates/tags.html": broken})
    site, _ = sample()
    data, diagnostics = render_route(make_env(config), route_for("tags", site), site, config)
    assert data is None
    assert [(d.path, d.line) for d in diagnostics] == [("templates/tags.html", 3)]


def test_error_in_an_included_partial_names_the_partial(tmp_path: Path) -> None:
    config = site_with(tmp_path, {"templates/_tags.html": "{# tags #}\n{{ post.tagz }}\n"})
    site, _ = sample()
    _, diagnostics = render_route(make_env(config), route_for("index", site), site, config)
    assert [(d.path, d.line) for d in diagnostics] == [("templates/_tags.html", 2)]


def test_template_that_extends_itself_is_an_error(tmp_path: Path) -> None:
    config = site_with(tmp_path, {"templates/tags.html": "{% extends 'tags.html' %}\n"})
    site, _ = sample()
    _, diagnostics = render_route(make_env(config), route_for("tags", site), site, config)
    assert [d.path for d in diagnostics] == ["templates/tags.html"]


def test_missing_template_named_by_a_post_is_reported_at_the_post() -> None:
    site, entries = sample()
    route = route_for("post", site, entry=entries[2], template="fancy.html")
    data, diagnostics = render_route(make_env(CONFIG), route, site, CONFIG)
    assert data is None
    assert [d.path for d in diagnostics] == ["content/posts/oldest.md"]
    assert "fancy.html" in diagnostics[0].message


def test_site_theme_is_used_and_falls_back_to_the_default(tmp_path: Path) -> None:
    broken = '{% extends "base.html" %}\n{% block content %}\n\n{{ nope }}\n{% endblock %}\n'
    config = site_with(tmp_path, {"themes/mine/templates/post.html": broken}, theme="mine")
    assert theme_dir(config) == tmp_path / "themes" / "mine"
    site, _ = sample()
    env = make_env(config)
    _, diagnostics = render_route(env, route_for("post", site), site, config)
    assert [(d.path, d.line) for d in diagnostics] == [("themes/mine/templates/post.html", 4)]
    data, diagnostics = render_route(env, route_for("index", site), site, config)
    assert diagnostics == () and data is not None


def test_unknown_theme_is_reported_at_the_config_line(tmp_path: Path) -> None:
    config = site_with(tmp_path, {"blog.toml": 'title = "x"\ntheme = "nope"\n'}, theme="nope")
    with pytest.raises(BuildError) as caught:
        theme_dir(config)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.path, diagnostic.line) == ("blog.toml", 2)
    assert "nope" in diagnostic.message


@pytest.mark.parametrize("name", ["../x", "a/b", "..", ""])
def test_theme_name_must_be_a_folder_name(name: str) -> None:
    with pytest.raises(BuildError):
        theme_dir(replace(CONFIG, theme=name))


def test_theme_static_files() -> None:
    files = theme_static_files(CONFIG)
    assert [f.output_path for f in files] == sorted(f.output_path for f in files)
    style = next(f for f in files if f.output_path == "static/style.css")
    assert style.source == "themes/default/static/style.css"
    assert style.absolute.is_file()


def test_non_html_routes_are_refused() -> None:
    site, _ = sample()
    route = Route(url="/atom.xml", output_path="atom.xml", kind="atom", sources=())
    with pytest.raises(ValueError):
        render_route(make_env(CONFIG), route, site, CONFIG)


# --- links, dates, determinism ---------------------------------------------------------------


def site_url(config: SiteConfig, path: str) -> str:
    return prefixed(url_prefix(config), path)


def test_links_carry_the_base_path() -> None:
    config = replace(CONFIG, base_url="https://me.github.io/blog/")
    assert site_url(config, "/tags/x/") == "/blog/tags/x/"
    assert site_url(config, "https://elsewhere.org/a") == "https://elsewhere.org/a"
    assert site_url(config, "//cdn.example/a") == "//cdn.example/a"
    assert site_url(CONFIG, "/tags/x/") == "/tags/x/"
    site, entries = sample()
    root = parse(render("post", site, config=config, entry=entries[0]))
    assert root.find(".//a[@class='site-title']").get("href") == "/blog/"
    assert root.find(".//link[@rel='stylesheet']").get("href") == "/blog/static/style.css"
    assert root.find(".//link[@rel='canonical']").get("href") == "https://me.github.io/blog/blog/newest/"
    assert root.find(".//a[@rel='tag']").get("href") == "/blog/tags/python/"
    assert root.find(".//img[@class='cover']").get("src") == "/blog/photos/cover.svg"


def test_dates_are_english_whatever_the_locale() -> None:
    moment = datetime(2024, 3, 5, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    assert format_date(moment) == "March 5, 2024"
    assert format_date(moment, "%a %d %b %y, %-H:%M %p %z %%") == "Tue 05 Mar 24, 7:08 AM +0200 %"
    assert format_date(moment.date(), "%A %j") == "Tuesday 065"
    with pytest.raises(ValueError):
        format_date(moment, "%c")


def test_bad_date_format_in_a_template_is_located(tmp_path: Path) -> None:
    config = site_with(tmp_path, {"templates/_meta.html": "\n{{ post.date|date('%Q') }}\n"})
    site, _ = sample()
    _, diagnostics = render_route(make_env(config), route_for("index", site), site, config)
    assert [(d.path, d.line) for d in diagnostics] == [("templates/_meta.html", 2)]
    assert "%Q" in diagnostics[0].message


@pytest.mark.parametrize("kind", HTML_KINDS)
def test_output_is_deterministic(kind: str) -> None:
    site, _ = sample()
    first = render_route(make_env(CONFIG), route_for(kind, site), site, CONFIG)
    second = render_route(make_env(CONFIG), route_for(kind, site), site, CONFIG)
    assert first == second


def test_preload_compiles_the_routes_templates_and_leaves_errors_to_the_page(tmp_path: Path) -> None:
    config = site_with(tmp_path, {"templates/tag.html": "{% if %}broken\n"})
    site, entries = sample()
    env = make_env(config)
    loaded: list[str] = []
    real = env.get_template
    env.get_template = lambda name, *rest, **named: loaded.append(name) or real(name, *rest, **named)  # type: ignore[method-assign]
    feed = Route(url="/atom.xml", output_path="atom.xml", kind="atom", sources=("<site>",))
    preload(env, [route_for("post", site, entry=entries[0]), route_for("tag", site), feed])
    assert loaded == ["post.html", "tag.html"]  # feeds have no template; tag.html's error is not raised here
    data, diagnostics = render_route(env, route_for("tag", site), site, config)
    assert data is None and diagnostics and diagnostics[0].path.endswith("templates/tag.html")
