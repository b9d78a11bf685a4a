"""Equivalent minimal sites for `blog`, Pelican and Hugo, made from one corpus written by corpus.py.

Every engine gets the same posts (same file names, titles, dates, tags, slugs and Markdown bodies)
and builds the same kinds of pages: one page per post at /blog/<slug>/, a home page and a page per
tag paginated 10 posts per page, a tag index, an archive, feeds of the 20 newest posts (site and per
tag) and Pygments/Chroma highlighting with CSS classes. Only the front matter is converted:
Pelican reads `Key: value` header lines, Hugo reads YAML with an explicit slug.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from corpus import POSTS_PER_PAGE, post_files

FEED_ITEMS = 20


@dataclass(frozen=True, slots=True)
class Post:
    """The metadata of a corpus post as read back from its front matter."""

    title: str
    date: str  # "YYYY-MM-DD HH:MM", UTC
    tags: tuple[str, ...]
    slug: str
    body: str


@dataclass(frozen=True, slots=True)
class EngineSite:
    """How to build one engine's copy of the corpus and where its pieces are."""

    engine: str
    root: Path
    command: tuple[str, ...]
    clean: tuple[Path, ...]  # removed before a cold build: output and every cache
    posts_dir: Path
    output_dir: Path

    def page_of(self, slug: str) -> Path:
        """The built HTML file of a post (all three engines use /blog/<slug>/)."""
        return self.output_dir / "blog" / slug / "index.html"


def read_post(path: Path) -> Post:
    """Parse the exact front matter corpus.py writes (title and tags are JSON, so valid YAML)."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = dict(line.split(": ", 1) for line in front.strip().splitlines())
    slug = path.stem[len("YYYY-MM-DD-"):]
    return Post(json.loads(meta["title"]), meta["date"], tuple(json.loads(meta["tags"])), slug, body.lstrip("\n"))


def blog_site(root: Path, blog_bin: Path) -> EngineSite:
    """Our engine builds the corpus folder as it is."""
    return EngineSite("blog", root, (str(blog_bin), "-C", str(root), "build"),
                      (root / "output", root / ".blog-cache"), root / "content" / "posts", root / "output")


def convert(corpus_root: Path, dest: Path, write_post) -> None:
    """Write every corpus post under dest/content/posts/ with the same relative path."""
    posts_dir = corpus_root / "content" / "posts"
    for path in post_files(posts_dir):
        target = dest / "content" / "posts" / path.relative_to(posts_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(write_post(read_post(path)), encoding="utf-8", newline="\n")


# --- Pelican -------------------------------------------------------------------------------------

PELICAN_CONF = f"""# Pelican settings equivalent to the bench corpus's blog.toml.
AUTHOR = "Bench Writer"
SITENAME = "Benchmark blog"
SITEURL = "https://bench.example.org"
RELATIVE_URLS = False
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = []
STATIC_PATHS = []
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "posts"
THEME = "simple"  # notmyidea needs category pages, which the other engines don't build

ARTICLE_URL = "blog/{{slug}}/"
ARTICLE_SAVE_AS = "blog/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
# Our corpus has no categories or author pages: don't build them.
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

DEFAULT_PAGINATION = {POSTS_PER_PAGE}
PAGINATED_TEMPLATES = {{"index": None, "tag": None}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = {FEED_ITEMS}
FEED_ALL_ATOM = "atom.xml"
FEED_ALL_RSS = "rss.xml"
TAG_FEED_ATOM = "tags/{{slug}}/atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.codehilite": {{"css_class": "highlight"}},
        "markdown.extensions.extra": {{}},
        "markdown.extensions.meta": {{}},
        "markdown.extensions.toc": {{}},
    }},
    "output_format": "html5",
}}

# What a user wanting fast rebuilds would set: reuse parsed content when a file's mtime is unchanged.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
CACHE_PATH = "cache"
"""


def pelican_post(post: Post) -> str:
    return (f"Title: {post.title}\nDate: {post.date}\nTags: {', '.join(post.tags)}\nSlug: {post.slug}\n\n"
            f"{post.body}")


def pelican_site(corpus_root: Path, dest: Path, pelican_bin: Path) -> EngineSite:
    """Pelican with its built-in minimal theme and the content cache on."""
    reset(dest)
    (dest / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    convert(corpus_root, dest, pelican_post)
    return pelican_engine(dest, pelican_bin)


def pelican_engine(dest: Path, pelican_bin: Path) -> EngineSite:
    command = (str(pelican_bin), str(dest / "content"), "-s", str(dest / "pelicanconf.py"),
               "-o", str(dest / "output"), "--quiet")
    return EngineSite("pelican", dest, command, (dest / "output", dest / "cache"),
                      dest / "content" / "posts", dest / "output")


# --- Hugo ----------------------------------------------------------------------------------------

HUGO_CONF = f"""baseURL = "https://bench.example.org/"
title = "Benchmark blog"
locale = "en"
timeZone = "UTC"
enableRobotsTXT = true

[pagination]
  pagerSize = {POSTS_PER_PAGE}
  path = "page"

[permalinks.page]
  posts = "/blog/:slug/"

[taxonomies]
  tag = "tags"

[outputs]
  home = ["html", "rss"]
  section = ["html"]
  taxonomy = ["html"]
  term = ["html", "rss"]

[services.rss]
  limit = {FEED_ITEMS}

[markup.highlight]
  noClasses = false
  style = "friendly"
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="stylesheet" href="{{ "css/chroma.css" | relURL }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a> · <a href="{{ "/tags/" | relURL }}">Tags</a> · <a href="{{ "/posts/" | relURL }}">Archive</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_partials/summaries.html": """{{ range .Pages }}
<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Summary }}
{{ if .Truncated }}<p><a href="{{ .RelPermalink }}">Read more...</a></p>{{ end }}
</article>
{{ end }}
<nav class="pager">{{ with .Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with .Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
""",
    "home.html": """{{ define "main" }}{{ partial "summaries.html" (.Paginate (where site.RegularPages "Section" "posts")) }}{{ end }}
""",
    "term.html": """{{ define "main" }}<h1>Entries tagged with {{ .Title }}</h1>{{ partial "summaries.html" .Paginator }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>Tags</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "section.html": """{{ define "main" }}<h1>Archive</h1>
{{ range .Pages.GroupByDate "2006" }}<h2>{{ .Key }}</h2><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}{{ end }}
""",
    "page.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}
</article>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }} {{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ with site.RegularPages.Related . | first 5 }}<h2>Related</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
{{ end }}
""",
    # Hugo's embedded feed template carries each post's summary only; `blog` and Pelican put the
    # whole post in their feeds, so this one does too, to keep the sites doing the same work.
    "rss.xml": """{{- $pages := where .RegularPages "Section" "posts" -}}
{{- if .IsHome }}{{ $pages = where site.RegularPages "Section" "posts" }}{{ end -}}
{{- printf "<?xml version=%q encoding=%q?>" "1.0" "utf-8" | safeHTML }}
<rss version="2.0">
<channel>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ site.Title }}: {{ .Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>{{ site.Title }}</description>
{{ with (index $pages 0) }}<lastBuildDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</lastBuildDate>{{ end }}
{{- range first site.Config.Services.RSS.Limit $pages }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
{{ range .GetTerms "tags" }}<category>{{ .LinkTitle }}</category>{{ end }}
<description>{{ .Content | transform.XMLEscape | safeHTML }}</description>
</item>
{{- end }}
</channel>
</rss>
""",
}


def hugo_post(post: Post) -> str:
    """YAML front matter with an RFC 3339 date; Hugo's summary divider is `<!--more-->` exactly."""
    date = post.date.replace(" ", "T") + ":00Z"
    body = post.body.replace("<!-- more -->", "<!--more-->", 1)
    return (f"---\ntitle: {json.dumps(post.title)}\ndate: {date}\ntags: {json.dumps(list(post.tags))}\n"
            f"slug: {json.dumps(post.slug)}\n---\n\n{body}")


def hugo_site(corpus_root: Path, dest: Path, hugo_bin: Path) -> EngineSite:
    """A layouts-only Hugo site (no theme) using Hugo's template system of 0.146 and later."""
    reset(dest)
    (dest / "hugo.toml").write_text(HUGO_CONF, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        target = dest / "layouts" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    css = subprocess.run([str(hugo_bin), "gen", "chromastyles", "--style=friendly"],
                         check=True, capture_output=True, text=True).stdout
    (dest / "static" / "css").mkdir(parents=True)
    (dest / "static" / "css" / "chroma.css").write_text(css, encoding="utf-8")
    convert(corpus_root, dest, hugo_post)
    return hugo_engine(dest, hugo_bin)


def hugo_engine(dest: Path, hugo_bin: Path) -> EngineSite:
    command = (str(hugo_bin), "--source", str(dest), "--cacheDir", str(dest / ".hugo-cache"), "--quiet")
    return EngineSite("hugo", dest, command, (dest / "public", dest / "resources", dest / ".hugo-cache"),
                      dest / "content" / "posts", dest / "public")


def reset(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
