"""Deterministic corpus of realistic technical posts for benchmarking `blog` against other engines.

    python bench/corpus.py --posts N --out DIR [--seed S]     # write DIR/blog.toml + DIR/content/posts/
    python bench/corpus.py --edit DIR [--round K]              # append one sentence to one post

The same seed always gives a byte-identical corpus: every random choice comes from one seeded
`random.Random`, files are written in a fixed order, and nothing reads the clock or the platform.
Only the standard library is used, so any Python 3.11 can run it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

FIRST_DATE = datetime(2010, 1, 4, 8, 0)
LAST_DATE = datetime(2024, 12, 20, 20, 0)
POSTS_PER_PAGE = 10
MORE_MARKER = "<!-- more -->"

TAGS = (
    "python", "sqlite", "testing", "performance", "postgres", "asyncio", "packaging", "web",
    "databases", "typing", "linux", "http", "django", "shell", "git", "caching", "concurrency",
    "debugging", "sql", "tooling", "flask", "docker", "security", "profiling", "logging", "api",
    "json", "rust", "design", "networking", "ci", "unicode", "regex", "numpy", "data", "go",
    "javascript", "css", "devops", "pandas",
)

NOUNS = (
    "cache", "query", "index", "worker", "request", "response", "transaction", "connection", "pool",
    "queue", "parser", "token", "buffer", "schema", "migration", "fixture", "decorator", "generator",
    "iterator", "coroutine", "event loop", "thread", "process", "lock", "deadline", "timeout",
    "retry", "handler", "middleware", "template", "router", "session", "cursor", "row", "column",
    "table", "file", "directory", "module", "package", "wheel", "dependency", "interpreter",
    "benchmark", "profile", "trace", "log line", "metric", "counter", "histogram", "socket",
    "header", "payload", "serializer", "checksum", "hash", "key", "value", "batch", "snapshot",
    "branch", "commit", "container", "image", "build", "pipeline", "job", "scheduler", "config",
    "setting", "default", "edge case", "invariant", "test", "assertion", "mock", "dataclass",
    "type hint", "protocol", "context manager", "exception", "traceback", "string", "byte",
)

ADJECTIVES = (
    "small", "slow", "fast", "naive", "careful", "stale", "fresh", "shared", "private", "global",
    "local", "lazy", "eager", "pure", "mutable", "immutable", "hidden", "explicit", "implicit",
    "expensive", "cheap", "brittle", "robust", "obvious", "subtle", "noisy", "quiet", "large",
    "nested", "flat", "typed", "untyped", "blocking", "non-blocking", "cold", "warm", "partial",
    "complete", "redundant", "missing", "surprising", "predictable", "concurrent", "sequential",
)

ADVERBS = (
    "quietly", "quickly", "slowly", "twice", "eventually", "immediately", "silently", "reliably",
    "rarely", "always", "usually", "sometimes", "carefully", "lazily", "eagerly", "correctly",
    "in the background", "on every request", "at start-up", "under load", "in production",
    "on a cold start", "in the test suite", "without a warning",
)

# (base form, third person singular, past participle)
VERBS = (
    ("read", "reads", "read"), ("write", "writes", "written"), ("parse", "parses", "parsed"),
    ("cache", "caches", "cached"), ("flush", "flushes", "flushed"), ("lock", "locks", "locked"),
    ("retry", "retries", "retried"), ("validate", "validates", "validated"),
    ("serialize", "serializes", "serialized"), ("load", "loads", "loaded"),
    ("store", "stores", "stored"), ("rebuild", "rebuilds", "rebuilt"), ("sort", "sorts", "sorted"),
    ("filter", "filters", "filtered"), ("merge", "merges", "merged"), ("split", "splits", "split"),
    ("wrap", "wraps", "wrapped"), ("measure", "measures", "measured"),
    ("profile", "profiles", "profiled"), ("skip", "skips", "skipped"),
    ("close", "closes", "closed"), ("open", "opens", "opened"), ("copy", "copies", "copied"),
    ("index", "indexes", "indexed"), ("update", "updates", "updated"),
    ("delete", "deletes", "deleted"), ("commit", "commits", "committed"),
    ("schedule", "schedules", "scheduled"), ("cancel", "cancels", "cancelled"),
    ("compress", "compresses", "compressed"), ("render", "renders", "rendered"),
    ("test", "tests", "tested"), ("hide", "hides", "hidden"), ("leak", "leaks", "leaked"),
    ("reuse", "reuses", "reused"), ("replace", "replaces", "replaced"),
    ("normalise", "normalises", "normalised"), ("check", "checks", "checked"),
)

OPENERS = (
    "In practice", "At first", "As it turns out", "In my experience", "On a busy day",
    "For small inputs", "For large inputs", "Most of the time", "In the old version",
    "After the change", "Surprisingly", "Unsurprisingly", "To be fair", "In short", "Still",
)

SUBJECTS = (
    "the team", "our service", "the test suite", "the nightly job", "the ORM", "the kernel",
    "the standard library", "the new code", "the old code", "every caller", "the profiler",
    "the database", "the build", "the deploy script", "the reviewer", "a newcomer",
)

UNITS = ("ms", "seconds", "MB", "rows", "requests per second", "percent", "lines", "KB")

SENTENCES = (
    "The {adj} {noun} {verbs} the {noun2} before the {noun3} is {past}.",
    "If you {verb} the {noun} too early, the {noun2} {verbs} {adv}.",
    "{opener}, `{ident}` {verbs} about {num} {unit} per {noun}.",
    "{subject} {verbs} the {noun} {adv}, which is exactly what we want.",
    "This is why a {adj} {noun} is better than a {adj2} one.",
    "{opener}, the {noun} is {past} once and {past2} many times.",
    "Nothing here is new, but the {noun} {verbs} the {noun2} in a way that is easy to miss.",
    "We {verb} the {noun} first, then {verb2} the {noun2}, and only then {verb3} the {noun3}.",
    "A {adj} {noun} makes the {noun2} {adj2}, and that shows up {adv}.",
    "The fix was small: `{ident}` now {verbs} the {noun} instead of the {noun2}.",
    "{subject} never {verbs} a {noun} that is already {past}.",
    "When the {noun} is {adj}, {subject} {verbs} it {adv}.",
    "Measured on {num} {unit}, the difference is {adj} but real.",
    "It is tempting to {verb} every {noun}, but the {noun2} {verbs} faster when we don't.",
    "The documentation says the {noun} is {past} {adv}; the code says otherwise.",
    "{opener}, {subject} had to {verb} the {noun} by hand.",
    "Keep the {noun} {adj} and the {noun2} {adj2}.",
    "Why does the {noun} {verb} the {noun2}? Because nobody told it not to.",
    "The {noun} is a {adj} place to {verb} a {noun2}.",
    "Once the {noun} was {past}, the {noun2} stopped being {adj}.",
    "You can see this with **{ident}**: it {verbs} the {noun} and returns a {adj} {noun2}.",
    "The *{adj}* version {verbs} {num} {unit}, the other one barely half of that.",
    "See [the notes on {noun}s](https://example.org/notes/{slugword}/) for the long story.",
    "Each {noun} gets its own {noun2}, so nothing is {past} twice.",
    "{subject} {verbs} the {noun} on every {noun2}, and that is the whole trick.",
    "I would not {verb} a {adj} {noun} in a hot loop.",
    "The {noun2} does not care whether the {noun} was {past} or {past2}.",
    "That leaves one {adj} {noun}: the one that {verbs} the {noun2} {adv}.",
)

PLAIN_SENTENCES = tuple(s for s in SENTENCES if not any(mark in s for mark in "`*["))

HEADINGS = (
    "The problem", "A first attempt", "Measuring it", "What went wrong", "The fix", "Trade-offs",
    "Why it works", "Edge cases", "Testing it", "In production", "Further reading", "Setting up",
    "A closer look at the {noun}", "Where the {noun} goes", "When the {noun} is {adj}",
    "Making the {noun} {adj}", "{verb_cap} the {noun}", "Lessons learned", "Wrapping up",
)

TITLES = (
    "{verb_cap} the {noun} with {tech}", "Why the {noun} is {adj}", "A {adj} {noun} in {tech}",
    "Notes on {adj} {noun}s", "How {tech} {verbs} the {noun}", "The {noun} that {verbs} {adv}",
    "{tech}: {verb_cap} a {adj} {noun}", "What I learned from a {adj} {noun}",
    "Stop {verb_ing} the {noun}", "A {noun} for {tech} {noun2}s", "{tech} and the {adj} {noun}",
    "{verb_cap} {noun}s without a {noun2}", "Ten lines to {verb} a {noun}",
)

TECH = (
    "Python", "SQLite", "PostgreSQL", "asyncio", "pytest", "Django", "Flask", "Docker", "Git",
    "NumPy", "pandas", "Rust", "Go", "systemd", "nginx", "Redis", "mypy", "pip", "uv", "Linux",
)

IDENTIFIERS = (
    "user", "order", "item", "row", "key", "value", "path", "name", "count", "total", "limit",
    "offset", "batch", "result", "payload", "config", "conn", "cursor", "queue", "task", "job",
    "record", "entry", "node", "token", "cache", "index", "size", "timeout", "retries",
)


def zipf_weights(count: int, exponent: float = 1.1) -> tuple[float, ...]:
    """Skewed popularity: the k-th tag is about k^-s as common as the first, as on real blogs."""
    return tuple(1.0 / (rank ** exponent) for rank in range(1, count + 1))


@dataclass(frozen=True, slots=True)
class Post:
    """One generated post: its relative file path and full text (front matter + Markdown)."""

    path: str
    title: str
    date: datetime
    tags: tuple[str, ...]
    slug: str
    text: str


class Writer:
    """All generation from one seeded random stream, so one seed always gives the same corpus."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: tuple[str, ...]) -> str:
        return self.rng.choice(items)

    def ident(self) -> str:
        first = self.pick(IDENTIFIERS)
        return first if self.rng.random() < 0.5 else f"{first}_{self.pick(IDENTIFIERS)}"

    def fill(self, template: str) -> str:
        """Fill every slot of a sentence template with fresh random words."""
        verbs = [self.rng.choice(VERBS) for _ in range(3)]
        slots = {
            "adj": self.pick(ADJECTIVES), "adj2": self.pick(ADJECTIVES), "adv": self.pick(ADVERBS),
            "noun": self.pick(NOUNS), "noun2": self.pick(NOUNS), "noun3": self.pick(NOUNS),
            "verb": verbs[0][0], "verb2": verbs[1][0], "verb3": verbs[2][0], "verbs": verbs[0][1],
            "past": verbs[1][2], "past2": verbs[2][2], "opener": self.pick(OPENERS),
            "subject": self.pick(SUBJECTS), "ident": self.ident(), "unit": self.pick(UNITS),
            "num": str(self.rng.choice((2, 3, 5, 8, 10, 12, 40, 100, 250, 1000, 4096))),
            "tech": self.pick(TECH), "verb_cap": verbs[0][0].capitalize(),
            "verb_ing": ing_form(verbs[0][0]),
        }
        slots["slugword"] = slots["noun"].replace(" ", "-")
        text = re.sub(r"\b([Aa]) (?=[aeio])", r"\1n ", template.format(**slots))
        return text[0].upper() + text[1:]

    def plain_sentence(self) -> str:
        """A sentence without Markdown, for docstrings in code."""
        return self.fill(self.pick(PLAIN_SENTENCES))

    def sentence(self) -> str:
        return self.fill(self.pick(SENTENCES))

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(3, 7)))

    def heading(self) -> str:
        return self.fill(self.pick(HEADINGS))

    def title(self) -> str:
        return self.fill(self.pick(TITLES))

    def bullet_list(self) -> str:
        numbered = self.rng.random() < 0.4
        items = [self.fill(self.pick(SENTENCES)) for _ in range(self.rng.randint(3, 6))]
        marks = [f"{n}." if numbered else "-" for n in range(1, len(items) + 1)]
        return "\n".join(f"{mark} {item}" for mark, item in zip(marks, items))

    def table(self) -> str:
        rows = [f"| `{self.ident()}` | {self.rng.randint(1, 900)} | {self.rng.randint(1, 99)}.{self.rng.randint(0, 9)} | "
                f"{self.pick(ADJECTIVES)} |" for _ in range(self.rng.randint(3, 6))]
        header = f"| {self.pick(NOUNS)} | time ({self.pick(('ms', 's', 'µs'))}) | memory (MB) | notes |"
        return "\n".join([header, "|---|---:|---:|---|", *rows])

    def python_block(self) -> str:
        return fence("python", PythonWriter(self).block(self.rng.randint(5, 40)))

    def sql_block(self) -> str:
        table, other = self.rng.sample(("users", "orders", "items", "events", "jobs", "tags", "posts"), 2)
        col = self.ident()
        options = (
            [f"CREATE TABLE {table} (", "    id INTEGER PRIMARY KEY,", f"    {col} TEXT NOT NULL,",
             f"    {other}_id INTEGER REFERENCES {other}(id),", "    created_at TEXT DEFAULT CURRENT_TIMESTAMP", ");",
             f"CREATE INDEX {table}_{col}_idx ON {table} ({col});"],
            [f"SELECT {table}.id, {table}.{col}, count(*) AS n", f"FROM {table}",
             f"JOIN {other} ON {other}.id = {table}.{other}_id", f"WHERE {table}.{col} > ?",
             f"GROUP BY {table}.id", "ORDER BY n DESC", f"LIMIT {self.rng.randint(5, 100)};"],
            [f"EXPLAIN QUERY PLAN", f"SELECT * FROM {table} WHERE {col} = ? AND {other}_id IN (",
             f"    SELECT id FROM {other} WHERE created_at >= date('now', '-7 days')", ");"],
        )
        return fence("sql", "\n".join(self.rng.choice(options)))

    def console_block(self) -> str:
        module = self.ident()
        options = (
            ["$ python -m venv .venv", "$ .venv/bin/pip install -e '.[test]'",
             f"$ .venv/bin/python -m pytest -q tests/test_{module}.py",
             f"{'.' * self.rng.randint(5, 30)}", f"{self.rng.randint(5, 300)} passed in {self.rng.randint(1, 90) / 10} s"],
            [f"$ python -X importtime -c 'import {module}' 2>&1 | tail -3",
             f"import time: {self.rng.randint(100, 9000):>9} | {self.rng.randint(100, 90000):>9} | {module}",
             f"$ time python -m {module} --check", f"real    0m{self.rng.randint(0, 9)}.{self.rng.randint(100, 999)}s"],
            [f"$ sqlite3 app.db '.schema {module}'", f"CREATE TABLE {module} (id INTEGER PRIMARY KEY, data TEXT);",
             "$ git log --oneline -3", f"a1b2c3d Speed up {self.pick(NOUNS)}", f"d4e5f6a Fix {self.pick(ADJECTIVES)} {self.pick(NOUNS)}",
             "0a1b2c3 Initial commit"],
        )
        return fence("console", "\n".join(self.rng.choice(options)))


def ing_form(verb: str) -> str:
    """'parse' → 'parsing', 'skip' → 'skipping': good enough for the verbs above."""
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    if verb in {"skip", "wrap", "commit", "split"}:
        return verb + verb[-1] + "ing"
    return verb + "ing"


def fence(language: str, code: str) -> str:
    return f"```{language}\n{code}\n```"


class PythonWriter:
    """Syntactically valid, plausible Python: functions and classes built from statement shapes."""

    def __init__(self, writer: Writer) -> None:
        self.w = writer
        self.rng = writer.rng

    def block(self, target: int) -> str:
        """About `target` lines (5-40) of Python that `ast.parse` accepts."""
        lines = self.imports()
        while len(lines) < target - 2:
            budget = max(target - len(lines) - (1 if lines else 0), 3)
            unit = self.klass(budget) if budget >= 8 and self.rng.random() < 0.3 else self.function(budget, "")
            lines.extend(([""] if lines else []) + unit)
        return "\n".join(lines)

    def imports(self) -> list[str]:
        modules = ("sqlite3", "json", "time", "asyncio", "logging", "functools", "itertools", "pathlib")
        return [f"import {name}" for name in sorted(self.rng.sample(modules, self.rng.randint(0, 2)))]

    def function(self, budget: int, indent: str) -> list[str]:
        name = f"{self.w.pick(tuple(v[0] for v in VERBS))}_{self.w.pick(IDENTIFIERS)}"
        args = sorted(set(self.rng.sample(IDENTIFIERS, self.rng.randint(1, 3))))
        signature = ", ".join(f"{a}: {self.w.pick(('int', 'str', 'list[str]', 'dict', 'float'))}" for a in args)
        lines = [f"{indent}def {name}({'self, ' if indent else ''}{signature}) -> {self.w.pick(('int', 'str', 'bool', 'list', 'None'))}:",
                 f'{indent}    """{self.w.plain_sentence()}"""']
        lines += self.body(budget - 3, indent + "    ", args)
        lines.append(f"{indent}    return {self.w.pick(tuple(args))}")
        return lines

    def klass(self, budget: int) -> list[str]:
        name = "".join(part.capitalize() for part in self.w.ident().split("_")) + self.w.pick(("Store", "Cache", "Queue", "Client", "Parser"))
        lines = [f"class {name}:", f'    """{self.w.plain_sentence()}"""', ""]
        while len(lines) < budget - 3:
            lines.extend(self.function(min(budget - len(lines), 12), "    ") + [""])
        return lines[:-1] if lines[-1] == "" else lines

    def body(self, budget: int, indent: str, names: list[str]) -> list[str]:
        lines: list[str] = []
        while len(lines) < budget:
            lines.extend(self.statement(budget - len(lines), indent, names))
        return lines

    def statement(self, budget: int, indent: str, names: list[str]) -> list[str]:
        """One statement; compound ones only when the budget leaves room for their body."""
        target, source = self.w.ident(), self.rng.choice(names)
        simple = (
            f"{target} = {source}",
            f"{target} = [x for x in {source} if x]",
            f"{target} = {{k: v for k, v in sorted({source}.items())}}" if self.rng.random() < 0.5 else f"{target} = len({source}) * {self.rng.randint(2, 64)}",
            f"logging.debug(\"{target}=%r\", {source})",
            f"{target} = {self.w.pick(tuple(v[0] for v in VERBS))}_{self.w.pick(IDENTIFIERS)}({source}, retries={self.rng.randint(1, 5)})",
            f"{source} += {self.rng.randint(1, 10)}",
            f"assert {source} is not None, \"{self.w.pick(NOUNS)} missing\"",
        )
        names.append(target)
        if budget < 3 or self.rng.random() < 0.55:
            return [indent + self.rng.choice(simple)]
        inner = min(budget - 1, self.rng.randint(1, 4))
        kind = self.rng.randrange(4)
        if kind == 0:
            return [f"{indent}for {target} in {source}:"] + self.body(inner, indent + "    ", names)
        if kind == 1:
            return [f"{indent}if {source} > {self.rng.randint(0, 100)}:"] + self.body(inner, indent + "    ", names)
        if kind == 2:
            return [f"{indent}with open({source}) as {target}:"] + self.body(inner, indent + "    ", names)
        if budget < 4:
            return [indent + self.rng.choice(simple)]
        error = self.w.pick(("ValueError", "KeyError", "TimeoutError", "sqlite3.OperationalError"))
        return ([f"{indent}try:"] + self.body(max(inner - 2, 1), indent + "    ", names)
                + [f"{indent}except {error}:", f"{indent}    {target} = None"])


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def make_post(w: Writer, date: datetime, title: str, tags: tuple[str, ...]) -> str:
    """Front matter and body of one post, 600-1,500 words of prose around code, lists and tables."""
    front = (f"---\ntitle: {json.dumps(title)}\ndate: {date:%Y-%m-%d %H:%M}\n"
             f"tags: {json.dumps(list(tags))}\n---\n")
    intro = [w.paragraph() for _ in range(w.rng.randint(1, 3))]
    extras = [w.python_block() for _ in range(w.rng.randint(1, 4))]
    if w.rng.random() < 0.25:
        extras.append(w.sql_block())
    if w.rng.random() < 0.3:
        extras.append(w.console_block())
    if w.rng.random() < 0.6:
        extras.append(w.bullet_list())
    if w.rng.random() < 0.4:
        extras.append(w.table())
    w.rng.shuffle(extras)
    sections = [[f"## {w.heading()}"] for _ in range(w.rng.randint(3, 6))]
    for i, extra in enumerate(extras):
        sections[i % len(sections)].append(extra)
    words, target = sum(word_count(p) for p in intro), w.rng.randint(600, 1500)
    i = 0
    while words < target:
        paragraph = w.paragraph()
        section = sections[i % len(sections)]
        section.insert(w.rng.randint(1, len(section)), paragraph)
        words += word_count(paragraph)
        i += 1
    blocks = intro + [MORE_MARKER] + [block for section in sections for block in section]
    return front + "\n" + "\n\n".join(blocks) + "\n"


def word_count(text: str) -> int:
    return len(text.split())


def weighted_sample(rng: random.Random, items: tuple[str, ...], weights: tuple[float, ...], k: int) -> tuple[str, ...]:
    """k distinct items, popular ones more often (sampling without replacement, in a fixed order)."""
    chosen: list[str] = []
    pool, pool_weights = list(items), list(weights)
    for _ in range(k):
        index = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(index))
        pool_weights.pop(index)
    return tuple(chosen)


def generate(posts: int, seed: int = 1) -> tuple[Post, ...]:
    """`posts` posts with unique slugs and dates spread evenly (with jitter) over fifteen years."""
    w = Writer(random.Random(seed))
    span = (LAST_DATE - FIRST_DATE) / max(posts, 1)
    used: set[str] = set()
    result = []
    for n in range(posts):
        date = FIRST_DATE + span * n + timedelta(minutes=w.rng.randrange(max(int(span.total_seconds() // 60), 1)))
        date = date.replace(second=0, microsecond=0)
        title = w.title()
        slug = unique_slug(slugify(title), used)
        tags = weighted_sample(w.rng, TAGS, zipf_weights(len(TAGS)), w.rng.randint(1, 4))
        text = make_post(w, date, title, tags)
        path = f"content/posts/{date:%Y}/{date:%Y-%m-%d}-{slug}.md"
        result.append(Post(path, title, date, tags, slug, text))
    return tuple(result)


def unique_slug(base: str, used: set[str]) -> str:
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


SITE_CONFIG = f"""title = "Benchmark blog"
base_url = "https://bench.example.org/"
author = "Bench Writer"
description = "A generated corpus of technical posts."
language = "en"
timezone = "UTC"
posts_per_page = {POSTS_PER_PAGE}
"""


def write_site(posts: tuple[Post, ...], out: Path) -> None:
    """Replace `out` with a site for `blog`: blog.toml and content/posts/YYYY/YYYY-MM-DD-slug.md."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "blog.toml").write_text(SITE_CONFIG, encoding="utf-8", newline="\n")
    for post in posts:
        target = out / post.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(post.text, encoding="utf-8", newline="\n")


def post_files(posts_dir: Path) -> list[Path]:
    """Post files sorted by name; names start with the date, so the last one is the newest post."""
    return sorted(posts_dir.rglob("*.md"), key=lambda p: (p.name, p.as_posix()))


def edit_sentence(round_: int) -> str:
    """A new sentence that differs for every round, so each edit really changes the bytes."""
    return Writer(random.Random(round_)).sentence() + f" (Edit {round_}.)"


def append_edit(path: Path, round_: int) -> None:
    """Append one sentence as a new last paragraph: a body edit after `<!-- more -->`."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\n" + edit_sentence(round_) + "\n", encoding="utf-8", newline="\n")


def edit_one_post(posts_dir: Path, round_: int = 1) -> Path:
    """The "one-post edit": append a sentence to the newest post under `posts_dir`; returns its path."""
    files = post_files(posts_dir)
    if not files:
        raise FileNotFoundError(f"no posts under {posts_dir}")
    append_edit(files[-1], round_)
    return files[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, help="number of posts to generate")
    parser.add_argument("--out", type=Path, help="site folder to (re)create")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--edit", type=Path, metavar="DIR", help="append a sentence to the newest post of the site in DIR")
    parser.add_argument("--round", type=int, default=1, help="edit number, so repeated edits differ (default 1)")
    args = parser.parse_args(argv)
    if args.edit is not None:
        print(edit_one_post(args.edit / "content" / "posts", args.round))
        return 0
    if args.posts is None or args.out is None:
        parser.error("--posts and --out are required (or --edit DIR)")
    write_site(generate(args.posts, args.seed), args.out)
    print(f"Wrote {args.posts} posts to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
