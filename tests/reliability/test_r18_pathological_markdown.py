"""R18 pathological Markdown: no hang, no RecursionError; a post over the time budget is an error.

Python-Markdown has inputs that take super-linear time or recurse past the interpreter's limit
[Python-Markdown#1617, #798, #799]. Each generator below must render, or fail with one error that
names the file, within the budget plus a margin, both in the main thread (alarm signal) and in a
worker thread (child process).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from typing import Callable

import pytest

import blog.markup
from blog.errors import Diagnostic, format_diagnostic
from blog.config import MarkupOptions
from blog.markup import render
from blog.model import Post, Rendered
from sitekit import post_value

SOURCE = "content/posts/hostile.md"
BODY_LINE = 4
TIMEOUT = 2.0
MARGIN = 3.0  # scheduling slack on a busy 2-core machine; the work itself stops at the deadline
TIMEOUT_MESSAGE = f"rendering took longer than {TIMEOUT:g} s; simplify this post or raise render_timeout"
RECURSION_MESSAGE = "Markdown nested too deeply to render (RecursionError); simplify this post"

GENERATORS: dict[str, Callable[[int], str]] = {
    "stars": lambda n: "*" * n,
    "backtick-a": lambda n: "`a" * n,
    "open-brackets": lambda n: "[" * n,
    "quote-markers": lambda n: ">" * n,
    "spaced-quote-markers": lambda n: "> " * n,
    "dash-items": lambda n: "- " * n,
    "comment-openers": lambda n: "<!--" * n,
    "underscores": lambda n: "_" * n,
    "strong-a": lambda n: "**a" * n,
    "link-openers": lambda n: "[a](" * n,
    "image-openers": lambda n: "![" * n,
    "footnote-openers": lambda n: "[^" * n,
    "div-openers": lambda n: "<div>" * n,
    "tag-openers": lambda n: "<a " * n,
    "deep-indent": lambda n: "    " * n + "x",
    "ordered-items": lambda n: "1. " * n,
    "fence-lines": lambda n: "```\n" * n,
    "definition-lines": lambda n: "term\n" + ": definition\n" * n,
    "attribute-openers": lambda n: "{" * n,
    "more-markers": lambda n: "a <!-- more --> " * n,
}


def make_post(body: str) -> Post:
    return post_value(
        source=SOURCE,
        title="Hostile",
        date=None,
        slug="hostile",
        url="/blog/hostile/",
        body=body,
        body_line=BODY_LINE,
    )


def timed_render(body: str, timeout: float = TIMEOUT) -> tuple[Rendered, tuple[Diagnostic, ...], float]:
    started = time.monotonic()
    result, diagnostics = render(make_post(body), MarkupOptions(timeout=timeout))
    return result, diagnostics, time.monotonic() - started


def in_worker_thread(body: str, timeout: float = TIMEOUT) -> tuple[Rendered, tuple[Diagnostic, ...], float]:
    results: list[tuple[Rendered, tuple[Diagnostic, ...], float]] = []
    worker = threading.Thread(target=lambda: results.append(timed_render(body, timeout)))
    worker.start()
    worker.join()
    assert len(results) == 1, "render raised in the worker thread"
    return results[0]


def assert_rendered_or_located_error(result: Rendered, diagnostics: tuple[Diagnostic, ...]) -> None:
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        assert len(errors) == 1
        assert (errors[0].path, errors[0].line) == (SOURCE, BODY_LINE)
        assert errors[0].message in (TIMEOUT_MESSAGE, RECURSION_MESSAGE)
    else:
        assert result.html


# The deadline's alarm may fire inside a garbage-collector callback (hypothesis installs one),
# where an exception is only printed; markup's handler then re-arms the alarm until the render
# stops, so pytest's report of that printed exception is expected, not a failure.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("n", [10_000, 20_000])
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_pathological_input_never_hangs_or_raises(name: str, n: int) -> None:
    result, diagnostics, elapsed = timed_render(GENERATORS[name](n))
    assert elapsed < TIMEOUT + MARGIN
    assert_rendered_or_located_error(result, diagnostics)


@pytest.mark.parametrize("name", ["link-openers", "ordered-items", "div-openers"])
def test_pathological_input_in_a_worker_thread(name: str) -> None:
    result, diagnostics, elapsed = in_worker_thread(GENERATORS[name](20_000))
    assert elapsed < TIMEOUT + MARGIN
    assert_rendered_or_located_error(result, diagnostics)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("run", [timed_render, in_worker_thread], ids=["main-thread", "worker-thread"])
def test_post_over_budget_is_an_error_naming_the_file(run: Callable[..., tuple]) -> None:
    result, diagnostics, elapsed = run("[a](" * 20_000, 0.5)
    assert elapsed < 0.5 + MARGIN
    assert [format_diagnostic(d) for d in diagnostics] == [
        f"{SOURCE}:{BODY_LINE}: rendering took longer than 0.5 s; simplify this post or raise render_timeout"
    ]
    assert diagnostics[0].is_error and result.html == ""
    after, diagnostics, _ = run("Fine *again*.")  # nothing is left broken
    assert (after.html, diagnostics) == ("<p>Fine <em>again</em>.</p>", ())


@pytest.mark.parametrize("run", [timed_render, in_worker_thread], ids=["main-thread", "worker-thread"])
def test_recursion_error_is_an_error_naming_the_file(run: Callable[..., tuple]) -> None:
    _, diagnostics, _ = run("1. " * 10_000, 30.0)
    assert [format_diagnostic(d) for d in diagnostics] == [f"{SOURCE}:{BODY_LINE}: {RECURSION_MESSAGE}"]


def test_a_dying_render_process_is_an_error_naming_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blog.markup, "_render_job", lambda job: os._exit(3))
    _, diagnostics, _ = in_worker_thread("text")
    assert [format_diagnostic(d) for d in diagnostics] == [
        f"{SOURCE}:{BODY_LINE}: the renderer process died (exit code 3); simplify this post"
    ]


def test_callers_alarm_handler_and_timer_are_restored() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: calls.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        timed_render("Plain text.")
        timed_render("[a](" * 20_000, 0.2)
        handler = signal.getsignal(signal.SIGALRM)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert handler is not None and handler not in (signal.SIG_DFL, signal.SIG_IGN)
        handler(signal.SIGALRM, None)
        assert calls == [signal.SIGALRM]
        assert 20.0 < remaining <= 30.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
