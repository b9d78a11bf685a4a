"""Time from saving a post to a real browser showing it, through `blog serve` and its live reload.

    .venv/bin/python bench/serve_latency.py                  # the sample blog of this repository
    .venv/bin/python bench/serve_latency.py --posts 1000     # a corpus made by bench/corpus.py

The site is copied (or generated) into a temporary folder, `blog serve --port 0` runs on it, and
headless Chromium (Debian's, driven by Playwright) opens the newest post. Each round appends a
new sentence to that post's Markdown, waits until the page shows it (no action in the browser)
and takes the time of the reloaded page's first paint from the browser's Performance API, so the
number spans the watcher, the debounce, the build, the reload event and the page load. Needs
/usr/bin/chromium and `playwright` (test extra).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


# When the reloaded page was first painted, in epoch milliseconds (same clock as time.time()).
# Playwright's own wait returns a few hundred milliseconds later: it polls with back-off.
PAINTED = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return performance.timeOrigin + (paint ? paint.startTime : nav.domContentLoadedEventEnd);
}"""


def sample_site(into: Path) -> Path:
    """A copy of the repository's sample blog: its configuration and content."""
    shutil.copy(REPO / "pyproject.toml", into / "pyproject.toml")
    shutil.copytree(REPO / "content", into / "content")
    return into


def corpus_site(into: Path, posts: int) -> Path:
    subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), "--posts", str(posts), "--out", str(into)], check=True)
    return into


def newest_post(root: Path) -> tuple[Path, str]:
    """The newest dated post file and its slug (file name without the date prefix)."""
    files = sorted(p for p in (root / "content" / "posts").rglob("*.md") if re.match(r"\d{4}-\d{2}-\d{2}-", p.name))
    path = files[-1]
    return path, path.stem[11:]


class Serve:
    """`blog serve --port 0` on `root`, with its output kept for the rebuild times it reports."""

    def __init__(self, root: Path) -> None:
        command = [sys.executable, "-m", "blog", "-C", str(root), "serve", "--port", "0"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env={"PYTHONUNBUFFERED": "1", "PATH": "/usr/bin:/bin"})
        self.lines: list[str] = []
        self.url = ""
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                if match := re.search(r"^Serving .* at (http://\S+) ", line):
                    self.url = match.group(1)
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout=900):
            self.process.kill()
            raise SystemExit(f"blog serve did not start: {self.lines}")

    def rebuild_times(self) -> list[float]:
        return [float(m.group(1)) for line in self.lines if (m := re.match(r"Rebuilt \d+ files in ([\d.]+) s", line))]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def measure(root: Path, rounds: int) -> tuple[list[float], list[float]]:
    source, slug = newest_post(root)
    serve = Serve(root)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            page = browser.new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{serve.url}blog/{slug}/")
            latencies = []
            for n in range(rounds):
                time.sleep(1.0)  # a person does not save twice within a second
                marker = f"Latency probe number {n} was saved here."
                text = source.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{marker}\n"
                saved = time.time()
                source.write_text(text, encoding="utf-8")
                page.get_by_text(marker).wait_for()
                latencies.append(page.evaluate(PAINTED) / 1000 - saved)
            browser.close()
    finally:
        serve.stop()
    return latencies, serve.rebuild_times()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=0, help="measure on a bench/corpus.py site of this size (0: the sample blog)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="blog-latency-") as temp:
        root = corpus_site(Path(temp) / "site", args.posts) if args.posts else sample_site(Path(temp))
        latencies, rebuilds = measure(root, args.rounds)
    site = f"{args.posts}-post corpus" if args.posts else "sample blog"
    shown = ", ".join(f"{s * 1000:.0f}" for s in latencies)
    print(f"{site}: save → shown in the browser, median {statistics.median(latencies) * 1000:.0f} ms (rounds: {shown} ms); "
          f"rebuild as reported by blog serve, median {statistics.median(rebuilds) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
