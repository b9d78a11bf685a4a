"""blog.lexing on strings: which characters a rule can start at, and tokens equal to Pygments'."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name

from blog import lexing
from blog.lexing import _EVERY, PLAIN_USES, _rule_starts


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexing, "_uses", lexing.Counter())


def accelerated(lexer: Lexer) -> Lexer:
    """The tabled lexer, as a process gets it once it has lexed enough blocks."""
    lexing._uses[type(lexer)] = PLAIN_USES
    return lexing.accelerated(lexer)


def starts(pattern: str, flags: int = re.MULTILINE) -> frozenset[str]:
    return _rule_starts((re.compile(pattern, flags).match, None, None))


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"def\b", 0, "d"),
        (r"(def|class)(\s+)", 0, "dc"),
        (r"^(\s*)(#)", re.MULTILINE, " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f#"),  # Python's \s, anchors skipped
        (r"[rRbB]?'", 0, "rRbB'"),
        (r"(?=x)y|z", 0, "yz"),  # a lookahead narrows, it never widens
        (r"0[xX][a-fA-F0-9_]+", 0, "0"),
        (r"select\b", re.IGNORECASE, "sS"),
        (r"(?i:k)", 0, "kK"),
        (r"ſ", re.IGNORECASE, "sS"),  # long s folds to ASCII s, as the regex engine decides
        (r"\u212a", re.IGNORECASE, "kK"),  # Kelvin sign
        (r"[^\"\\\n]", 0, "".join(sorted(_EVERY - set('"\\\n')))),
        (r"[^a]", re.IGNORECASE, "".join(sorted(_EVERY - set("aA")))),
        (r"\d+(?:\.\d*)?", 0, "0123456789"),
        (r"中", 0, ""),  # no ASCII start: tried only at other characters
    ],
)
def test_rules_start_at_the_characters_their_regex_can_begin_with(pattern: str, flags: int, expected: str) -> None:
    assert starts(pattern, flags) == frozenset(expected)


@pytest.mark.parametrize("pattern", ["", r"\s*", r"(a|)", r"x?", r"\b", r"(a)?\1", r"(?=a)"])
def test_rules_that_can_match_nothing_are_tried_everywhere(pattern: str) -> None:
    assert starts(pattern) == _EVERY


def test_other_lexers_are_left_as_they_are() -> None:
    for name in ("console", "yaml", "json", "text", "pycon"):
        lexer = get_lexer_by_name(name)
        assert accelerated(lexer) is lexer


def test_a_class_is_tabled_only_after_enough_uses() -> None:
    python, sql = get_lexer_by_name("python"), get_lexer_by_name("sql")
    assert [lexing.accelerated(python) is python for _ in range(PLAIN_USES + 2)] == [True] * PLAIN_USES + [False] * 2
    assert lexing.accelerated(sql) is sql  # counted per class


SNIPPETS = {
    "python": 'import os\n\n@dataclass\nclass A(B, metaclass=M):\n    """Doc."""\n    x: int = 0x1F\n\n'
    "    async def f(self, *a, **k) -> list[str]:\n        s = f\"{self.x!r:>10} {{lit}}\" + rb'\\x00'\n"
    "        return [i ** 2 for i in range(3) if i % 2]  # note\n\nmatch x:\n    case [1, *rest]:\n        pass\n",
    "sql": "SELECT a.id, COUNT(*) AS n -- count\nFROM t AS a JOIN u ON a.id = u.a_id\n"
    "WHERE a.name LIKE 'x%' AND b <> 3.5e2\nGROUP BY 1 HAVING n > 2;\n/* done */",
    "bash": 'for f in *.md; do\n  echo "${f%.md}" >> "$out" 2>&1 || exit $?\ndone\ncat <<EOF\nhi $USER\nEOF\n',
    "pytb": 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n    f()\nValueError: bad\n',
    "toml": '[tool.blog]\nname = "x"\nlist = [1, 2.5, true]\n# c\n',
    "html": '<!DOCTYPE html>\n<p class="a">x &amp; y<script>let a = 1;</script><style>p { color: red }</style>',
    "javascript": "const f = async (a, b = 2) => { return `x${a}` / 2; }; // c\n/re+/g.test(s);",
    "diff": "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-old\n+new\n same\n",
    "go": 'package main\n\nfunc main() {\n\tfmt.Println("hi", 0x1f, \'c\')\n}\n',
    "rust": "fn main() -> Result<(), E> {\n    let v: Vec<u8> = vec![1, 2];\n    println!(\"{:?}\", v);\n}\n",
    "ini": "[section]\nkey = value ; note\n",
    "docker": "FROM python:3.11\nRUN pip install -e . && \\\n    echo ok\n",
}


@pytest.mark.parametrize("language", sorted(SNIPPETS))
def test_tokens_equal_pygments_on_real_code(language: str) -> None:
    lexer = get_lexer_by_name(language)
    fast = accelerated(lexer)
    assert fast is not lexer
    assert list(fast.get_tokens(SNIPPETS[language])) == list(lexer.get_tokens(SNIPPETS[language]))


FRAGMENTS = [
    *"()[]{}'\"#;:=<>\\/*-+.,`$@%&|!?~^_\n \t",
    '"""', "'''", "//", "/*", "*/", "<!--", "-->", "${", "{{", "%}", "0x1F", "1.5e3", "42", "\r\n",
    "def ", "class ", "import ", "return", "SELECT", "from", "None", "let", "fn", "foo",
    "é", "ſ", "\u212a", "中",  # non-ASCII, including two that fold to ASCII letters
]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    language=st.sampled_from(sorted(SNIPPETS)),
    pieces=st.lists(st.sampled_from(FRAGMENTS), max_size=60),
)
def test_tokens_equal_pygments_on_any_text(language: str, pieces: list[str]) -> None:
    text = "".join(pieces)
    lexer = get_lexer_by_name(language)
    assert list(accelerated(lexer).get_tokens(text)) == list(lexer.get_tokens(text))
