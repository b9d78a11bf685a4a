"""Front matter on strings: decoding, fences, the safe YAML dialect, TOML, and located errors."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import frontmatter, yamlfront
from blog.errors import BuildError
from blog.frontmatter import FrontMatter, decode, split

PATH = "content/posts/x.md"


def problems(text: str) -> list[tuple[int | None, int | None, str]]:
    with pytest.raises(BuildError) as caught:
        split(text, PATH)
    assert all(d.path == PATH for d in caught.value.diagnostics)
    return [(d.line, d.col, d.message) for d in caught.value.diagnostics]


# --------------------------------------------------------------------------------------- decode


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: A\n---\nbody\n",
        b"\xef\xbb\xbf---\ntitle: A\n---\nbody\n",
        b"---\r\ntitle: A\r\n---\r\nbody\r\n",
        b"---\rtitle: A\r---\rbody\r",
    ],
    ids=["plain", "bom", "crlf", "cr"],
)
def test_decode_normalises_bom_and_newlines(data):
    assert decode(data, PATH) == "---\ntitle: A\n---\nbody\n"


def test_decode_reports_the_offset_of_the_first_bad_byte():
    data = "---\ntitle: Café\n---\n".encode("latin-1")
    with pytest.raises(BuildError) as caught:
        decode(data, PATH)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.path, diagnostic.line, diagnostic.message) == (PATH, None, "byte 14: not valid UTF-8")


def test_decode_counts_the_bom_in_the_offset():
    with pytest.raises(BuildError) as caught:
        decode(b"\xef\xbb\xbfab\xff", PATH)
    assert caught.value.diagnostics[0].message == "byte 5: not valid UTF-8"


# ---------------------------------------------------------------------------------------- split


def test_no_front_matter_is_all_body():
    assert split("# Title\n\ntext\n", PATH) == FrontMatter({}, "# Title\n\ntext\n", 1, {})


def test_yaml_front_matter_body_and_positions():
    front = split("---\ntitle: Hello\ntags:\n  - a\n---\nfirst body line\n", PATH)
    assert dict(front.meta) == {"title": "Hello", "tags": ("a",)}
    assert front.body == "first body line\n"
    assert front.body_line == 6
    assert dict(front.positions) == {"title": (2, 8), "tags": (3, 1)}


def test_trailing_whitespace_on_fences_and_dots_closing():
    front = split("--- \t\ntitle: A\n...  \nbody", PATH)
    assert (dict(front.meta), front.body, front.body_line) == ({"title": "A"}, "body", 4)


def test_empty_front_matter():
    front = split("---\n---\nbody\n", PATH)
    assert (dict(front.meta), front.body_line) == ({}, 3)


def test_unclosed_fence_is_an_error_at_line_1():
    assert problems("---\ntitle: A\nbody\n") == [(1, 1, "front matter: no closing '---' line")]
    assert problems("+++\ntitle = 'A'\n") == [(1, 1, "front matter: no closing '+++' line")]


def test_a_four_dash_line_is_not_a_fence():
    assert split("----\ntext\n", PATH).meta == {}


_BODY_TEXTS = st.lists(st.sampled_from(["---", "+++", "...", "title: A", "title = 'A'", "", "text", "--- ", "# H"]), max_size=8)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_BODY_TEXTS, st.booleans())
def test_body_at_cuts_the_body_split_finds(lines, final_newline):
    text = "\n".join(lines) + ("\n" if final_newline else "")
    try:
        front = split(text, PATH)
    except BuildError:
        return
    assert frontmatter.body_at(text, front.body_line) == front.body


def test_meta_is_frozen():
    front = split("---\nlist: [1, [2]]\nmap: {a: 1}\n---\n", PATH)
    assert front.meta["list"] == (1, (2,))
    with pytest.raises(TypeError):
        front.meta["map"]["a"] = 2  # type: ignore[index]


# ----------------------------------------------------------------------------------------- YAML


def test_yaml_syntax_error_is_located_in_the_file():
    assert problems("---\ntitle: A\ndate: 2024-05-01\n  bad: : x\n---\n") == [
        (4, 6, "front matter: mapping values are not allowed here")
    ]


def test_python_tag_is_rejected_without_running_anything(tmp_path):
    marker = tmp_path / "pwned"
    text = f'---\ntitle: A\nx: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
    assert problems(text) == [(3, 4, "front matter: the tag '!!python/object/apply:os.system' is not allowed")]
    assert not marker.exists()


@pytest.mark.parametrize("value", ["!!binary aGk=", "!custom x", "! x", "!!set {a}"])
def test_other_tags_are_rejected(value):
    assert "is not allowed" in problems(f"---\nx: {value}\n---\n")[0][2]


def test_str_tag_is_allowed():
    assert split("---\nx: !!str 1.10\n---\n", PATH).meta == {"x": "1.10"}


def test_alias_bomb_is_rejected_at_once():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    started = time.monotonic()
    found = problems("---\n" + "\n".join(levels) + "\n---\n")
    assert time.monotonic() - started < 0.5
    assert found == [(2, 4, "front matter: anchors and aliases ('&x', '*x') are not allowed")]


def test_alias_without_anchor_is_rejected():
    assert problems("---\nx: *a\n---\n")[0][:2] == (2, 4)


def test_tags_keep_the_authors_text():
    front = split("---\ntags: [no, 1.10, on, true, 010, 2024-05-01, ~]\n---\n", PATH)
    assert front.meta["tags"] == ("no", "1.10", "on", "true", "010", "2024-05-01", None)


def test_block_and_scalar_tags_keep_text():
    assert split("---\ntags:\n  - yes\n  - 3.0\n---\n", PATH).meta["tags"] == ("yes", "3.0")
    assert split("---\ntags: 1.10\n---\n", PATH).meta["tags"] == "1.10"
    assert split("---\ntags:\n---\n", PATH).meta["tags"] is None


def test_scalars_follow_the_yaml_1_2_core_schema():
    text = "---\na: no\nb: on\nc: true\nd: 012\ne: 0x1F\nf: 1.5\ng: ~\nh: 1:30\ni: .inf\nj: 0o17\n---\n"
    meta = split(text, PATH).meta
    assert dict(meta) == {
        "a": "no", "b": "on", "c": True, "d": 12, "e": 31, "f": 1.5, "g": None, "h": "1:30",
        "i": float("inf"), "j": 15,
    }


def test_yaml_dates_and_date_times():
    text = (
        "---\nd: 2024-05-01\ndt: 2024-05-01 10:30:00\naware: 2024-05-01T10:30:00+02:00\n"
        "short: 2024-05-01 10:30\nimpossible: 2024-13-45\n---\n"
    )
    meta = split(text, PATH).meta
    assert meta["d"] == date(2024, 5, 1)
    assert meta["dt"] == datetime(2024, 5, 1, 10, 30)
    assert meta["aware"] == datetime(2024, 5, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    assert meta["short"] == "2024-05-01 10:30"
    assert meta["impossible"] == "2024-13-45"


def test_meta_must_be_a_mapping():
    assert problems("---\n- a\n- b\n---\n") == [(2, 1, "front matter: expected 'key: value' fields")]
    assert problems("---\njust text\n---\n") == [(2, 1, "front matter: expected 'key: value' fields")]


def test_duplicate_and_non_text_keys_are_all_reported():
    assert problems("---\ntitle: A\n[a]: 1\ntitle: B\n---\n") == [
        (3, 1, "front matter: a field name must be text"),
        (4, 1, "title: field is given twice"),
    ]


def test_huge_integer_is_a_located_error():
    assert problems("---\nn: " + "9" * 5000 + "\n---\n") == [(2, 4, "front matter: integer is too long")]


# ----------------------------------------------------------------------------------------- TOML


def test_toml_front_matter_with_positions():
    front = split("+++\ntitle = \"Hi\"\ndate = 2024-05-01\n\n[extra]\nx = 1\n+++\nbody\n", PATH)
    assert dict(front.meta) == {"title": "Hi", "date": date(2024, 5, 1), "extra": {"x": 1}}
    assert (front.body, front.body_line) == ("body\n", 8)
    assert dict(front.positions) == {"title": (2, 9), "date": (3, 8), "extra": (5, 1)}


def test_toml_error_is_located_in_the_file():
    assert problems("+++\ntitle = \"A\"\ndate = \nx = 1\n+++\n") == [(3, 8, "front matter: Invalid value")]


def test_toml_error_at_end_of_text_points_at_its_last_line():
    assert problems("+++\ntitle = \"A\"\ndate = \n+++\n") == [(3, 1, "front matter: Invalid value")]


# ------------------------------------------------------------------------- libyaml's fast path

_WORDS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="&*!"), max_size=12)
_SCALARS = st.one_of(
    _WORDS,
    st.sampled_from(["no", "yes", "on", "1.10", "012", "0o12", "0x1F", "~", "null", "true", "1e3", ".inf", "2024-01-02", "2024-13-01", "2024-01-02 10:00:00+02:00", "a: b", "# c", "'q'", '"d"', "- x", "[a, b]", "{a: 1}", "\t", "|", ">"]),
)
_LINES = st.lists(
    st.tuples(st.sampled_from(["", " ", "  ", "\t", "- "]), st.one_of(_WORDS, st.sampled_from(["title", "tags", "date"])), st.sampled_from([": ", ":", " : ", ":\n  - ", ": [", ": {", ": '", ': "', "\n"]), _SCALARS),
    max_size=6,
)


@settings(max_examples=400, deadline=None, derandomize=True)  # the same examples every run (30,000 random ones passed once)
@given(_LINES)
def test_libyaml_reads_what_it_accepts_exactly_as_the_python_parser_does(lines):
    text = "\n".join(indent + key + joint + value for indent, key, joint, value in lines)
    if not yamlfront.yaml.__with_libyaml__ or yamlfront._NEEDS_CHECKS.search(text):
        return

    def read(loader_class):
        try:
            return yamlfront._read_yaml(loader_class, text, PATH)
        except BuildError as failure:
            return failure

    fast = read(yamlfront._FastLoader)
    if not isinstance(fast, BuildError):
        assert read(yamlfront._Loader) == fast


def test_an_error_found_by_libyaml_is_reported_as_the_python_parser_words_it():
    assert problems("---\ntitle: a: b\n---\n") == [(2, 9, "front matter: mapping values are not allowed here")]


def test_a_tab_that_libyaml_would_accept_is_still_an_error():
    # Found by the test above: after a quoted value libyaml takes a tab that PyYAML refuses.
    assert problems("---\n0: '\n: \n: '\t\n---\n") == [(4, 4, "front matter: found character '\\t' that cannot start any token")]


def test_a_control_character_is_a_located_error():
    assert problems("---\ntags: [a]\ntitle: a\x1fb\n---\n") == [(3, 9, "front matter: character U+001F is not allowed here")]
