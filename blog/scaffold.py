"""Files a user asks the engine to create: a new post, a new site."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .config import SiteConfig
from .errors import BuildError, error
from .taxonomy import slugify

SITE_CONFIG = """\
title = "My technical blog"
base_url = "https://example.org/"
author = "Your Name"
description = "Notes on programming."
language = "en"
timezone = "UTC"
posts_per_page = 10
"""

ABOUT_PAGE = """\
---
title: About
---

This blog is built with `blog`. Edit `content/pages/about.md` to tell readers who you are.
"""


def post_text(title: str, tags: tuple[str, ...], when: datetime) -> str:
    """Front matter and a body skeleton that shows where the excerpt ends."""
    # JSON strings and lists are valid YAML flow scalars, and json.dumps quotes whatever the title holds.
    return (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"date: {when:%Y-%m-%d %H:%M}\n"
        f"tags: {json.dumps(list(tags), ensure_ascii=False)}\n"
        "---\n\n"
        "The first paragraph is the excerpt shown on the home and tag pages.\n\n"
        "<!-- more -->\n\n"
        "The rest of the post.\n"
    )


def new_post(config: SiteConfig, title: str, tags: tuple[str, ...], when: datetime) -> Path:
    """Create `content/posts/YYYY-MM-DD-slug.md`; refuses to overwrite an existing post."""
    slug = slugify(title)
    path = config.root / config.content_dir / "posts" / f"{when:%Y-%m-%d}-{slug}.md"
    if path.exists():
        raise BuildError([error(str(path.relative_to(config.root)), "a post with this file name already exists")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(post_text(title, tags, when), encoding="utf-8")
    return path


def init_site(folder: Path, when: datetime) -> Path:
    """A new site with a config, one post and an about page; refuses a non-empty folder."""
    if folder.exists() and any(folder.iterdir()):
        raise BuildError([error(str(folder), "folder is not empty; blog init needs a new or empty folder")])
    (folder / "content" / "pages").mkdir(parents=True, exist_ok=True)
    (folder / "blog.toml").write_text(SITE_CONFIG, encoding="utf-8")
    (folder / "content" / "pages" / "about.md").write_text(ABOUT_PAGE, encoding="utf-8")
    (folder / ".gitignore").write_text("output/\n.blog-cache/\n", encoding="utf-8")
    new_post(SiteConfig(root=folder), "Hello, world", ("meta",), when)
    return folder
