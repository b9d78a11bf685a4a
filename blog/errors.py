"""Located diagnostics: every problem a user sees names a file and, when known, a line and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in one file; `path` is relative to the site root, with `/` separators."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error(path: str, message: str, line: int | None = None, col: int | None = None) -> Diagnostic:
    return Diagnostic(path, message, line, col, "error")


def warning(path: str, message: str, line: int | None = None, col: int | None = None) -> Diagnostic:
    return Diagnostic(path, message, line, col, "warning")


def format_diagnostic(d: Diagnostic) -> str:
    """`path:line:col: message`, the form editors and terminals turn into links."""
    location = d.path
    if d.line is not None:
        location += f":{d.line}"
        if d.col is not None:
            location += f":{d.col}"
    prefix = "warning: " if d.severity == "warning" else ""
    return f"{location}: {prefix}{d.message}"


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Stable, file-then-position order so reports read the same on every run."""
    return tuple(
        sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.col or 0, d.message))
    )


class BuildError(Exception):
    """Raised by a stage that found errors; carries every diagnostic, not just the first."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sort_diagnostics(diagnostics)
        super().__init__("\n".join(format_diagnostic(d) for d in self.diagnostics))


def raise_if_errors(diagnostics: Iterable[Diagnostic]) -> None:
    """Fail a stage once, with all of its errors, if any diagnostic is an error."""
    collected = tuple(diagnostics)
    if any(d.is_error for d in collected):
        raise BuildError(collected)
