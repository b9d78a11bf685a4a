"""Diagnostic formatting and ordering."""

from blog.errors import BuildError, error, format_diagnostic, warning


def test_format_with_and_without_position():
    assert format_diagnostic(error("a.md", "bad", 3, 7)) == "a.md:3:7: bad"
    assert format_diagnostic(error("a.md", "bad", 3)) == "a.md:3: bad"
    assert format_diagnostic(error("a.md", "bad")) == "a.md: bad"
    assert format_diagnostic(warning("a.md", "hmm", 2)) == "a.md:2: warning: hmm"


def test_build_error_sorts_diagnostics():
    exc = BuildError([error("b.md", "x", 1), error("a.md", "y", 9), error("a.md", "z", 2)])
    assert [(d.path, d.line) for d in exc.diagnostics] == [("a.md", 2), ("a.md", 9), ("b.md", 1)]
