"""Site configuration parsing: types, unknown keys with suggestions, positions, pyproject table."""

from __future__ import annotations

import pytest

from blog.config import SiteConfig, key_positions, parse_config
from blog.errors import BuildError, format_diagnostic


def messages(text: str, pyproject: bool = False) -> list[str]:
    with pytest.raises(BuildError) as caught:
        parse_config(text, "blog.toml", pyproject=pyproject)
    return [format_diagnostic(d) for d in caught.value.diagnostics]


def test_defaults_when_empty():
    config = parse_config("")
    assert config.posts_per_page == 10
    assert config.permalink == "/blog/{slug}/"
    assert config.read_more_text == "Read more..."


def test_values_and_aliases_are_read():
    config = parse_config('title = "T"\nposts_per_page = 3\nrender_timeout = 2\n[tags.aliases]\ngolang = "go"\n')
    assert (config.title, config.posts_per_page, config.render_timeout) == ("T", 3, 2.0)
    assert dict(config.tag_aliases) == {"golang": "go"}


def test_all_problems_reported_at_once_with_lines():
    text = 'title = 3\npost_per_page = 2\nposts_per_page = "ten"\ntimezone = "Mars/Base"\n'
    assert messages(text) == [
        "blog.toml:1:1: title: expected a string, got 3",
        "blog.toml:2:1: unknown key 'post_per_page' (did you mean 'posts_per_page'?)",
        "blog.toml:3:1: posts_per_page: expected an integer, got 'ten'",
        "blog.toml:4:1: timezone: unknown time zone 'Mars/Base'",
    ]


def test_bool_is_not_an_integer():
    assert messages("posts_per_page = true\n") == ["blog.toml:1:1: posts_per_page: expected an integer, got True"]


def test_permalink_checks():
    assert "must contain {slug}" in messages('permalink = "/{year}/"\n')[0]
    assert "unknown token {slugg}" in messages('permalink = "/{slugg}/"\n')[0]


def test_syntax_error_is_located():
    assert messages('title = "unterminated\n')[0].startswith("blog.toml:1:")


def test_pyproject_reads_only_tool_blog():
    text = '[project]\nname = "x"\n\n[tool.blog]\ntitle = "From pyproject"\nbase_url = "ftp://nope"\n'
    assert messages(text, pyproject=True) == [
        "blog.toml:6:1: base_url: expected an absolute http(s) URL such as 'https://example.org/'"
    ]


def test_nested_tag_table_unknown_key_is_located():
    assert messages('[tags]\nalias = {}\n') == ["blog.toml:2:1: unknown key 'tags.alias' (did you mean 'aliases'?)"]


def test_key_positions_follow_tables():
    positions = key_positions('a = 1\n[tool.blog]\n  title = "x"\n[tool.blog.tags.aliases]\n"c#" = "csharp"\n')
    assert positions[("a",)] == (1, 1)
    assert positions[("tool", "blog", "title")] == (3, 3)
    assert positions[("tool", "blog", "tags", "aliases", "c#")] == (5, 1)


def test_absolute_url_keeps_base_path():
    config = SiteConfig(base_url="https://user.github.io/blog/")
    assert config.absolute_url("/tags/python/") == "https://user.github.io/blog/tags/python/"


def test_unknown_pygments_style_is_located():
    assert messages('highlight_style = "monokai"\nhighlight_style_dark = "no-such-style"\n') == [
        "blog.toml:2:1: highlight_style_dark: unknown Pygments style 'no-such-style'"
    ]
