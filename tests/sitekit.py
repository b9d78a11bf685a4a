"""Text builders for test sites: a post's front matter and body in one call."""

from __future__ import annotations

import json


def post(title: str = "A post", date: str = "2024-05-01", tags: tuple[str, ...] = ("python",), body: str = "Hello.\n", **fields: object) -> str:
    """A Markdown post with YAML front matter; extra fields are written as JSON (valid YAML)."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"date: {date}"]
    if tags:
        lines.append(f"tags: {json.dumps(list(tags), ensure_ascii=False)}")
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    lines += ["---", "", body]
    return "\n".join(lines)


def post_value(**fields: object) -> "Post":
    """A `Post` value for unit tests: the given fields, the rest the plain defaults of a post."""
    from blog.model import Post

    defaults: dict[str, object] = {
        "kind": "post", "date": None, "updated": None, "tags": (), "summary": None, "draft": False,
        "image": None, "description": None, "template": None, "body": "", "body_line": 1,
    }
    return Post(**{**defaults, **fields})  # type: ignore[arg-type]


def assert_converts_alike(ours: "markdown.Markdown", stock: "markdown.Markdown") -> None:
    """Both Markdown instances make the same HTML of every Markdown file of the sample blog and
    the test sites (there are more than 20)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    texts = [path.read_text(encoding="utf-8", errors="replace") for folder in ("content", "tests") for path in sorted((root / folder).rglob("*.md"))]
    assert len(texts) > 20
    for text in texts:
        assert ours.reset().convert(text) == stock.reset().convert(text)
