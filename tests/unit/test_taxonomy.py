"""Tag slugs, aliases and the merging of spellings, checked on values."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from blog.errors import BuildError
from blog.model import Post
from blog.taxonomy import TagSummary, check_aliases, collect_tags, slugify, tag_key, tag_report, tag_slug
from sitekit import post_value


def make_post(source: str, tags: tuple[str, ...], day: int = 1, kind: str = "post") -> Post:
    """A post dated 2024-05-<day> at noon UTC carrying `tags`."""
    return post_value(
        source=source,
        kind=kind,  # type: ignore[arg-type]
        title=source,
        date=datetime(2024, 5, day, 12, tzinfo=timezone.utc),
        tags=tags,
        slug=source.rsplit("/", 1)[-1].removesuffix(".md"),
        url=f"/blog/{source.rsplit('/', 1)[-1].removesuffix('.md')}/",
    )


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Python", "python"),
        ("Caf\u00e9", "cafe"),
        ("Cafe\u0301", "cafe"),
        ("CAF\u00c9", "cafe"),
        ("c++", "cpp"),
        ("C++", "cpp"),
        ("c#", "csharp"),
        ("F#", "fsharp"),
        (".NET", "dotnet"),
        ("ASP.NET Core", "aspdotnet-core"),
        ("node.js", "node-js"),
        ("example.network", "example-network"),
        ("Machine  Learning", "machine-learning"),
        ("  --web__dev--  ", "web-dev"),
        ("Stra\u00dfe", "strasse"),
        ("S\u00f8ren", "soren"),
        ("\uff30\uff59\uff54\uff48\uff4f\uff4e", "python"),  # full-width letters, NFKC
        ("#hashtag", "hashtag"),
        ("a + b", "a-b"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_technical_names_stay_distinct():
    slugs = [slugify(name) for name in ("c", "c++", "c#", "f", "f#", "net", ".net", "asp", "asp.net")]
    assert len(set(slugs)) == len(slugs)


def test_slug_without_ascii_letters_is_a_stable_distinct_digest():
    japanese = slugify("\u65e5\u672c\u8a9e")
    assert japanese == slugify("\u65e5\u672c\u8a9e")
    assert japanese.startswith("tag-") and len(japanese) == len("tag-") + 8
    assert japanese != slugify("\u4e2d\u6587")
    assert slugify("") and slugify("!!!") != slugify("???")


def test_marks_on_other_scripts_are_kept():
    # が and か are different words; only marks on ASCII letters are decoration.
    assert tag_key("\u304c") != tag_key("\u304b")
    assert slugify("\u304c") != slugify("\u304b")


def test_equal_keys_give_equal_slugs_for_greek_case():
    assert tag_key("\u039b\u038c\u0393\u039f\u03a3") == tag_key("\u03bb\u03cc\u03b3\u03bf\u03c3")
    assert slugify("\u039b\u038c\u0393\u039f\u03a3") == slugify("\u03bb\u03cc\u03b3\u03bf\u03c3")


def test_aliases_compare_by_slug():
    aliases = {"golang": "go", "py": "python"}
    assert tag_slug("GoLang", aliases) == "go"
    assert tag_slug("golang", aliases) == "go"
    assert tag_slug("PY", aliases) == "python"
    assert tag_slug("rust", aliases) == "rust"


def test_alias_targets_are_not_aliased_again():
    assert tag_slug("a", {"a": "b", "b": "c"}) == "b"


def test_spellings_equal_up_to_case_and_accents_merge():
    posts = [
        make_post("content/posts/a.md", ("Caf\u00e9",), day=1),
        make_post("content/posts/b.md", ("Cafe\u0301",), day=2),
        make_post("content/posts/c.md", ("CAF\u00c9",), day=3),
    ]
    tags, problems = collect_tags(posts, {})
    assert problems == ()
    assert [(t.slug, t.count) for t in tags] == [("cafe", 3)]
    assert tags[0].spellings == tuple(sorted(("Caf\u00e9", "Cafe\u0301", "CAF\u00c9")))
    assert tags[0].url == "/tags/cafe/"


def test_display_name_is_the_most_frequent_spelling():
    posts = [
        make_post("content/posts/a.md", ("python",), day=1),
        make_post("content/posts/b.md", ("Python",), day=2),
        make_post("content/posts/c.md", ("Python",), day=3),
        make_post("content/posts/d.md", ("PYTHON",), day=4),
    ]
    (tag,), _ = collect_tags(posts, {})
    assert tag.name == "Python"
    assert tag.count == 4


def test_display_name_tie_goes_to_the_oldest_use_not_input_order():
    posts = [
        make_post("content/posts/new.md", ("Python",), day=9),
        make_post("content/posts/old.md", ("python",), day=1),
    ]
    (tag,), _ = collect_tags(posts, {})
    assert tag.name == "python"
    (tag,), _ = collect_tags(list(reversed(posts)), {})
    assert tag.name == "python"


def test_display_name_tie_on_one_day_goes_to_the_first_source_path():
    posts = [make_post("content/posts/b.md", ("Rust",)), make_post("content/posts/a.md", ("rust",))]
    (tag,), _ = collect_tags(posts, {})
    assert tag.name == "rust"


def test_aliased_names_merge_and_vote_for_the_alias_target():
    posts = [
        make_post("content/posts/a.md", ("golang",), day=1),
        make_post("content/posts/b.md", ("GoLang",), day=2),
        make_post("content/posts/c.md", ("Go",), day=3),
    ]
    tags, problems = collect_tags(posts, {"golang": "Go"})
    assert problems == ()
    assert [(t.name, t.slug, t.count, t.spellings) for t in tags] == [("Go", "go", 3, ("Go", "GoLang", "golang"))]


def test_different_tags_with_one_slug_are_an_error_naming_both():
    posts = [
        make_post("content/posts/a.md", ("node.js",), day=1),
        make_post("content/posts/b.md", ("node-js",), day=2),
    ]
    tags, problems = collect_tags(posts, {})
    assert [t.slug for t in tags] == ["node-js"]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.is_error and problem.path == "content/posts/b.md"
    assert "'node-js'" in problem.message and "'node.js'" in problem.message
    assert "content/posts/a.md" in problem.message and "/tags/node-js/" in problem.message


def test_an_alias_resolves_a_slug_clash():
    posts = [make_post("content/posts/a.md", ("node.js",)), make_post("content/posts/b.md", ("node-js",), day=2)]
    tags, problems = collect_tags(posts, {"node-js": "node.js"})
    assert problems == ()
    assert [(t.name, t.count) for t in tags] == [("node.js", 2)]


def test_conflicting_alias_keys_are_reported():
    problems = check_aliases({"golang": "go", "GoLang": "golang-old"}, "blog.toml")
    assert len(problems) == 1 and problems[0].path == "blog.toml"
    assert "'GoLang'" in problems[0].message and "'golang'" in problems[0].message
    assert check_aliases({"golang": "go", "GoLang": "GO"}, "blog.toml") == ()


def test_pages_do_not_take_part_in_tags():
    tags, _ = collect_tags([make_post("content/pages/about.md", ("me",), kind="page")], {})
    assert tags == ()


def test_a_post_with_two_spellings_of_one_tag_counts_once():
    (tag,), problems = collect_tags([make_post("content/posts/a.md", ("Python", "python"))], {})
    assert problems == () and tag.count == 1


def test_collect_tags_ignores_input_order():
    posts = [make_post(f"content/posts/p{i}.md", (f"t{i % 3}", "Shared", "shared"), day=1 + i % 4) for i in range(12)]
    expected = collect_tags(posts, {})
    rng = random.Random(7)
    for _ in range(5):
        shuffled = posts[:]
        rng.shuffle(shuffled)
        assert collect_tags(shuffled, {}) == expected


def test_tag_report_lists_most_used_first():
    posts = [
        make_post("content/posts/a.md", ("zope", "ada")),
        make_post("content/posts/b.md", ("zope",), day=2),
    ]
    assert tag_report(posts, {}) == (
        TagSummary("zope", "zope", "/tags/zope/", 2, ("zope",)),
        TagSummary("ada", "ada", "/tags/ada/", 1, ("ada",)),
    )


def test_tag_report_fails_on_a_slug_clash():
    posts = [make_post("content/posts/a.md", ("node.js", "node-js"))]
    with pytest.raises(BuildError) as caught:
        tag_report(posts, {})
    assert "node.js" in str(caught.value)
