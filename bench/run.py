#!/usr/bin/env python3
"""The archive-scale benchmark: our build against Hugo and Eleventy on synthetic projects of N articles.

    .venv/bin/python bench/run.py [--sizes 1000,4000,16000] [--runs 3] [--work DIR] [--skip-peers] [--skip-preview]

For each N it writes a project with bench/generate.py into the work folder, then measures, each as wall time,
CPU time (user + sys of every process the command started) and peak memory (the largest sum of the PSS of the
whole process tree, sampled from /proc every 20 ms), the median of --runs runs:

* our cold build (no site/ and no .factsite/cache/), a no-change rebuild, and a rebuild after one word of one
  claim's explanation changed, each ``build.py -C DIR build``;
* the preview: ``build.py -C DIR serve`` until it serves (start-up), then the time from saving one word of an
  explanation to the claim page serving it (median of --saves saves, from idle each time);
* the peers on matched work: one Markdown page per HTML page our build wrote, with that page's visible text,
  built by Hugo and by Eleventy through a one-template site (same page count, about the same text); and, for
  reference, both on N plain pages of 1 KB of Markdown each.

It prints Markdown tables (a summary, every measurement, the output's size, the steps' times) and writes them
to bench/results.md. Hugo is installed with apt-get and Eleventy with npm (into ~/.cache/factsite-bench) when
missing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import html.parser
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import EXPLANATION_MARK, generate  # noqa: E402 - bench/ is not a package

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ELEVENTY_HOME = Path.home() / ".cache" / "factsite-bench" / "eleventy"
ELEVENTY_SPEC = "@11ty/eleventy@3"
MIB = 2**20


class BenchError(Exception):
    """A step that failed: reported in the table and the results, and the benchmark goes on."""


# -- measuring a process tree ------------------------------------------------------------------------------


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (index 0 is field 3, the state), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(b")") + 2 :].split()


def descendants(root: int) -> set[int]:
    """``root`` and every process below it (one scan of /proc: this kernel has no /proc/PID/task/TID/children)."""
    children: dict[int, list[int]] = defaultdict(list)
    for name in os.listdir("/proc"):
        if name.isdigit() and (fields := _stat(name)):
            children[int(fields[1])].append(int(name))
    tree, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in tree:
                tree.add(child)
                stack.append(child)
    return tree


def _pss(pid: int) -> int:
    """The process's proportional set size: its private pages, plus its share of the pages it shares (a forked
    worker's copy-on-write pages count once over the tree, split between the processes sharing them); its RSS
    where the kernel has no smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def tree_cpu(root: int) -> float:
    """CPU seconds (user + sys) of ``root``, its reaped children and its live descendants."""
    ticks = 0
    for pid in descendants(root):
        fields = _stat(pid)
        if fields:
            ticks += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / CLOCK_TICKS


class PeakSampler:
    """The largest sum of PSS over a process tree, sampled every ``interval`` seconds in a thread.

    The tree is rescanned on every sample for the first second (when a process pool starts) and every fifth
    sample after that (a full /proc scan costs about 3 ms). PSS splits a page shared by processes (a forked
    pool's copy-on-write pages) between them, so the sum counts each page of memory once.
    """

    def __init__(self, pid: int, interval: float = 0.02):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> PeakSampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        tree, n = {self.pid}, 0
        while not self._stop.is_set():
            if n < 50 or n % 5 == 0:
                tree = descendants(self.pid)
            self.peak = max(self.peak, sum(_pss(p) for p in tree))
            n += 1
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass(frozen=True)
class Measure:
    wall: float  # s
    cpu: float  # s
    peak: int  # bytes


def median(measures: list[Measure]) -> Measure:
    return Measure(
        wall=statistics.median(m.wall for m in measures),
        cpu=statistics.median(m.cpu for m in measures),
        peak=int(statistics.median(m.peak for m in measures)),
    )


def measure(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None, timeout: float) -> Measure:
    """Run ``cmd`` to the end; its wall time, the CPU time of everything it started, and its tree's peak PSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        sampler = PeakSampler(proc.pid).start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what this command started
            proc.wait()
            raise BenchError(f"{_show(cmd)} did not finish within {timeout:.0f} s") from None
        finally:
            peak = sampler.stop()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if code != 0:
            output.seek(0)
            tail = output.read()[-4000:].decode("utf-8", "replace")
            raise BenchError(f"{_show(cmd)} exited with {code}:\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measure(wall=wall, cpu=cpu, peak=peak)


def _show(cmd: list[str]) -> str:
    return " ".join(str(c) for c in cmd)


# -- the benchmark's record ----------------------------------------------------------------------------------


@dataclass
class Size:
    """What one N measured; a missing entry is a step skipped, a string in ``failed`` one that failed."""

    n: int
    project: Path
    ours: dict[str, Measure] = field(default_factory=dict)  # cold, nochange, edit
    preview_start: Measure | None = None
    preview_saves: list[float] = field(default_factory=list)  # ms
    preview_cpu_per_save: float | None = None
    preview_peak: int | None = None
    output: dict = field(default_factory=dict)
    corpus: dict = field(default_factory=dict)
    peers: dict[str, Measure] = field(default_factory=dict)  # hugo-matched, eleventy-matched, hugo-plain, ...
    peer_pages: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class Log:
    """Timestamped progress on stdout, and each step's duration for the results."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.steps: list[tuple[str, float, str]] = []

    def say(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.start:8.1f} s] {text}", flush=True)

    def step(self, name: str):
        log = self

        class _Step:
            def __enter__(self):
                self.t = time.perf_counter()
                log.say(f"{name} ...")
                return self

            def __exit__(self, kind, err, tb):
                took = time.perf_counter() - self.t
                outcome = "ok" if kind is None else f"failed: {str(err).splitlines()[0] if str(err) else kind.__name__}"
                log.steps.append((name, took, outcome))
                log.say(f"{name}: {took:.1f} s ({outcome})")
                return False

        return _Step()


# -- our build ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditTarget:
    """One claim's explanation in one article: the file, the claim id, and the sentence whose word we change."""

    path: Path
    claim_id: str
    sentence: str

    def text_with(self, original: str, word: str) -> str:
        return original.replace(self.sentence, self.sentence.replace("variant", word, 1), 1)


def edit_target(project: Path, i: int) -> EditTarget:
    """The first claim of generated article ``i`` and the closing sentence generate.py put in its explanation."""
    matches = list((project / "content/annotations").glob(f"*-{i}.yaml"))
    if len(matches) != 1:
        raise BenchError(f"no single claims file for article {i} in {project}")
    text = matches[0].read_text(encoding="utf-8")
    found = re.search(r"^\s*-\s+id:\s*\"?(c\d+-(\d+))", text, re.MULTILINE)
    if not found:
        raise BenchError(f"{matches[0]}: no claim id")
    sentence = EXPLANATION_MARK.format(i=i, mm=found.group(2))
    if sentence not in text:
        raise BenchError(f"{matches[0]}: no {sentence!r} to edit (was it made by bench/generate.py?)")
    return EditTarget(path=matches[0], claim_id=found.group(1), sentence=sentence)


def save(path: Path, text: str) -> float:
    """Write ``text`` the way an editor saves (a new file renamed over the old one); the time it landed."""
    temporary = path.with_name(path.name + ".saving")
    temporary.write_text(text, encoding="utf-8")
    written = time.time()
    temporary.replace(path)
    return written


def clear_build_state(project: Path) -> None:
    """Cold: no output folder (nor the swap folders a build leaves while it runs) and no persistent cache."""
    for path in [project / "site", project / ".factsite" / "cache", *project.glob(".site.*")]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def run_ours(size: Size, build_py: Path, runs: int, timeout: float, log: Log) -> None:
    project = size.project
    build = [sys.executable, str(build_py), "-C", str(project), "build"]
    target = edit_target(project, size.n // 3)
    original = target.path.read_text(encoding="utf-8")
    cold, nochange, edited = [], [], []
    try:
        for r in range(runs):
            clear_build_state(project)
            with log.step(f"N={size.n} run {r + 1}: our cold build"):
                cold.append(measure(build, timeout=timeout))
            if r == 0:
                size.output = output_stats(project / "site")
            with log.step(f"N={size.n} run {r + 1}: our no-change rebuild"):
                nochange.append(measure(build, timeout=timeout))
            word = f"revised{r}x{time.time_ns() % 10**6}"
            save(target.path, target.text_with(original, word))
            with log.step(f"N={size.n} run {r + 1}: our rebuild after one annotation edit"):
                edited.append(measure(build, timeout=timeout))
            page = project / "site" / "claims" / f"{target.claim_id}.html"
            if word not in page.read_text(encoding="utf-8"):
                raise BenchError(f"after the edit, {page} does not show the new word {word!r}")
            save(target.path, original)
    except BenchError as err:
        size.failed["ours"] = str(err)
    finally:
        target.path.write_text(original, encoding="utf-8")
    if not size.failed.get("ours"):
        # The edit is undone: one more build (not timed), so that the preview starts from a build of what it
        # reads, the "start-up with a warm cache".
        with log.step(f"N={size.n}: build of the content as it is again (not timed)"):
            measure(build, timeout=timeout)
    for name, got in (("cold", cold), ("nochange", nochange), ("edit", edited)):
        if got:
            size.ours[name] = median(got)


def output_stats(site: Path) -> dict:
    pages, total, files, largest = 0, 0, 0, (0, "")
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        n = path.stat().st_size
        files += 1
        total += n
        if path.suffix == ".html":
            pages += 1
            largest = max(largest, (n, path.relative_to(site).as_posix()))
    return {"pages": pages, "files": files, "bytes": total, "largest_bytes": largest[0], "largest_path": largest[1]}


# -- the preview ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def wait_until(condition, timeout: float, interval: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except OSError:  # not serving yet, or a page not written yet
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(interval)


def _status(base: str) -> dict:
    return json.loads(get(base + "_preview/status.json"))


def run_preview(size: Size, build_py: Path, saves: int, timeout: float, work: Path, log: Log) -> None:
    """``serve``'s start-up, then ``saves`` one-word explanation edits, each timed from the save to the claim page serving it."""
    project = size.project
    target = edit_target(project, size.n // 2)
    original = target.path.read_text(encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    page = f"{base}claims/{target.claim_id}.html"
    cmd = [sys.executable, str(build_py), "-C", str(project), "serve", "--port", str(port)]
    with open(work / f"serve-{size.n}.log", "w", encoding="utf-8") as output:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        sampler = PeakSampler(proc.pid).start()
        try:
            with log.step(f"N={size.n}: preview start-up"):
                wait_until(lambda: _status(base)["builds"] >= 1, timeout, 0.05, "the preview's first build")
                wall = time.perf_counter() - start
                status = _status(base)
                if not status.get("ok", True):
                    raise BenchError("the preview's first build failed: " + "; ".join(status.get("problems", [])[:3]))
                size.preview_start = Measure(wall=wall, cpu=tree_cpu(proc.pid), peak=sampler.peak)

            def quiet() -> bool:
                return _status(base).get("search", "current") == "current"

            wait_until(quiet, timeout, 0.05, "the preview's search index")
            cpu_before = tree_cpu(proc.pid)
            with log.step(f"N={size.n}: preview, {saves} saves"):
                for n in range(saves):
                    word = f"saved{n}x{time.time_ns() % 10**6}"
                    written = save(target.path, target.text_with(original, word))
                    wait_until(lambda w=word: w.encode() in get(page), timeout, 0.01, f"save {n + 1} served")
                    size.preview_saves.append((time.time() - written) * 1000)
                    wait_until(quiet, timeout, 0.05, f"save {n + 1}'s search index")  # every save starts from idle
                    time.sleep(0.3)
            size.preview_cpu_per_save = (tree_cpu(proc.pid) - cpu_before) / saves
        except BenchError as err:
            size.failed["preview"] = str(err)
        finally:
            target.path.write_text(original, encoding="utf-8")
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            size.preview_peak = sampler.stop()
        if proc.returncode not in (0, -signal.SIGTERM) and "preview" not in size.failed:
            size.failed["preview"] = f"serve exited with {proc.returncode}; see {work / f'serve-{size.n}.log'}"


# -- the peers' corpora -----------------------------------------------------------------------------------------


class VisibleText(html.parser.HTMLParser):
    """A page's visible text as paragraphs (a new one at every block element), and its title."""

    SKIP = frozenset({"script", "style", "head", "template", "noscript", "svg"})
    BLOCK = frozenset(
        [
            "p",
            "div",
            "li",
            "ul",
            "ol",
            "dl",
            "dt",
            "dd",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "br",
            "hr",
            "tr",
            "td",
            "th",
            "table",
            "thead",
            "tbody",
            "section",
            "article",
            "header",
            "footer",
            "nav",
            "main",
            "aside",
            "figure",
            "figcaption",
            "blockquote",
            "pre",
            "details",
            "summary",
            "form",
            "label",
            "fieldset",
            "legend",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip, self.in_title = 0, False
        self.title: list[str] = []
        self.parts: list[list[str]] = [[]]

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append([])

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append([])

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self.parts[-1].append(data)

    def paragraphs(self) -> list[str]:
        return [text for part in self.parts if (text := " ".join("".join(part).split()))]


def _markdown_text(text: str) -> str:
    """Visible text as Markdown that shows as the same text (no raw HTML, no template or shortcode syntax)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("{", "&#123;")


def _front_matter(title: str, rel_html: str, peer: str) -> str:
    t = json.dumps(title, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    if peer == "hugo":
        return f"---\ntitle: {t}\nurl: {json.dumps('/' + rel_html)}\n---\n"
    return f"---\ntitle: {t}\npermalink: {json.dumps(rel_html)}\nlayout: page.njk\n---\n"


def _source_name(rel_html: str) -> str:
    """claims/c000-01.html → claims/c000-01.md; index.html → index-page.md (Hugo reads index.md as a page bundle)."""
    stem = rel_html.removesuffix(".html")
    if stem == "index" or stem.endswith("/index"):
        stem += "-page"
    return stem + ".md"


def _corpus_page(job: tuple[str, str, list[str]]) -> int:
    """Convert one HTML page into a Markdown page in each peer's content folder; the text's length."""
    html_path, rel, targets = job
    parser = VisibleText()
    parser.feed(Path(html_path).read_text(encoding="utf-8", errors="replace"))
    parser.close()
    title = " ".join("".join(parser.title).split()) or rel
    body = "\n\n".join(_markdown_text(p) for p in parser.paragraphs()) + "\n"
    for target in targets:
        peer, folder = target.split("=", 1)
        path = Path(folder) / _source_name(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_front_matter(title, rel, peer) + body, encoding="utf-8")
    return len(body.encode("utf-8"))


def _peer_sites(root: Path) -> dict[str, Path]:
    """A fresh one-template Hugo site and Eleventy site under ``root``; their content folders."""
    if root.exists():
        shutil.rmtree(root)
    hugo, eleventy = root / "hugo", root / "eleventy"
    (hugo / "layouts/_default").mkdir(parents=True)
    (hugo / "content").mkdir()
    (hugo / "config.toml").write_text(
        'baseURL = "https://example.org/"\nlanguageCode = "en"\ntitle = "bench"\n'
        'disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n',
        encoding="utf-8",
    )
    page = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n<body><main>\n{content}\n</main></body></html>\n'
    (hugo / "layouts/_default/single.html").write_text(page.format(title="{{ .Title }}", content="{{ .Content }}"))
    (hugo / "layouts/_default/list.html").write_text(page.format(title="{{ .Title }}", content="{{ .Content }}"))
    (eleventy / "src/_includes").mkdir(parents=True)
    (eleventy / "src/_includes/page.njk").write_text(page.format(title="{{ title }}", content="{{ content | safe }}"))
    (eleventy / "eleventy.config.cjs").write_text(
        "module.exports = function (eleventyConfig) {\n"
        "  eleventyConfig.setQuietMode(true);\n"
        '  return { dir: { input: "src", output: "out" }, templateFormats: ["md"], markdownTemplateEngine: false };\n'
        "};\n",
        encoding="utf-8",
    )
    return {"hugo": hugo / "content", "eleventy": eleventy / "src"}


def matched_corpus(site: Path, root: Path) -> dict:
    """One Markdown page per HTML page of ``site``, with its visible text, for each peer."""
    folders = _peer_sites(root)
    targets = [f"{peer}={folder}" for peer, folder in folders.items()]
    jobs = [(str(p), p.relative_to(site).as_posix(), targets) for p in sorted(site.rglob("*.html"))]
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        lengths = list(pool.map(_corpus_page, jobs, chunksize=64))
    return {"pages": len(jobs), "text_bytes": sum(lengths)}


def plain_corpus(n: int, root: Path) -> dict:
    """``n`` pages of about 1 KB of Markdown each (words of the real seeds), for each peer."""
    folders = _peer_sites(root)
    words = sorted({w for p in (ROOT / "seeds").glob("*.txt") for w in re.findall(r"\w+", p.read_text(encoding="utf-8"))})
    total = 0
    for i in range(n):
        picked, length, j = [], 0, 0
        while length < 1000:
            word = words[(i * 7919 + j * 104729) % len(words)]
            picked.append(word)
            length += len(word) + 1
            j += 1
        third = len(picked) // 3
        body = "\n\n".join(" ".join(picked[k : k + third]) + "." for k in range(0, len(picked), third)) + "\n"
        body = f"Page {i}. " + body
        rel = f"pages/p{i}.html"
        for peer, folder in folders.items():
            path = folder / _source_name(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_front_matter(f"Plain page {i}", rel, peer) + body, encoding="utf-8")
        total += len(body.encode("utf-8"))
    return {"pages": n, "text_bytes": total}


# -- the peers --------------------------------------------------------------------------------------------------


def ensure_hugo(log: Log) -> str:
    found = shutil.which("hugo")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]  # root needs no sudo (and containers often lack it)
    install = [*sudo, "apt-get", "install", "-y", "hugo"]
    with log.step(f"installing Hugo ({_show(install)})"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        try:
            if subprocess.run(install, env=env, capture_output=True).returncode != 0:
                subprocess.run([*sudo, "apt-get", "update"], env=env, capture_output=True)
                done = subprocess.run(install, env=env, capture_output=True, text=True)
                if done.returncode != 0:
                    raise BenchError(f"could not install hugo: {done.stderr.strip()[-500:]}")
        except OSError as err:
            raise BenchError(f"could not install hugo: {err}") from None
    found = shutil.which("hugo")
    if not found:
        raise BenchError("hugo is not on PATH after installing it")
    return found


def ensure_eleventy(log: Log) -> Path:
    cli = ELEVENTY_HOME / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"
    if cli.exists():
        return cli
    if not shutil.which("npm") or not shutil.which("node"):
        raise BenchError("Eleventy needs node and npm, which are not on PATH")
    with log.step(f"installing Eleventy (npm install --prefix {ELEVENTY_HOME} {ELEVENTY_SPEC})"):
        ELEVENTY_HOME.mkdir(parents=True, exist_ok=True)
        cmd = ["npm", "install", "--prefix", str(ELEVENTY_HOME), "--no-audit", "--no-fund", "--loglevel=error", ELEVENTY_SPEC]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as err:
            raise BenchError(f"could not install Eleventy: {err}") from None
        if done.returncode != 0 or not cli.exists():
            raise BenchError(f"could not install Eleventy: {done.stderr.strip()[-500:]}")
    return cli


def _version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def _node_heap_mib() -> int:
    """Most of the machine's memory for node's heap: Eleventy holds every page in memory."""
    with open("/proc/meminfo", encoding="ascii") as f:
        total_kib = int(next(line for line in f if line.startswith("MemTotal:")).split()[1])
    return max(4096, int(total_kib / 1024 * 0.7))


def run_peers(size: Size, peers_root: Path, tools: dict, runs: int, timeout: float, log: Log) -> None:
    site = size.project / "site"
    corpora = {}
    if size.output.get("pages") and site.is_dir():
        with log.step(f"N={size.n}: matched corpus from our site ({size.output['pages']} pages)"):
            size.corpus["matched"] = matched_corpus(site, peers_root / "matched")
            corpora["matched"] = peers_root / "matched"
    else:
        size.failed["peers-matched"] = "no site of ours to match (our cold build failed or was not run)"
    with log.step(f"N={size.n}: plain corpus ({size.n} pages of 1 KB)"):
        size.corpus["plain"] = plain_corpus(size.n, peers_root / "plain")
        corpora["plain"] = peers_root / "plain"
    for kind, root in corpora.items():
        for peer in ("hugo", "eleventy"):
            name = f"{peer}-{kind}"
            if peer not in tools:
                size.failed[name] = tools.get(f"{peer}-error", f"{peer} is not available")
                continue
            site_dir = root / peer
            out = site_dir / ("public" if peer == "hugo" else "out")
            if peer == "hugo":
                cache = site_dir / "cache"
                cmd = [tools["hugo"], "--source", str(site_dir), "--destination", str(out), "--cacheDir", str(cache), "--quiet"]
                env = None
            else:
                cache = site_dir / ".cache"
                cmd = ["node", str(tools["eleventy"]), "--config=eleventy.config.cjs", "--quiet"]
                env = {**os.environ, "NODE_OPTIONS": f"--max-old-space-size={_node_heap_mib()}"}
            got = []
            try:
                for r in range(runs):
                    for path in (out, cache):
                        if path.exists():
                            shutil.rmtree(path)
                    with log.step(f"N={size.n} run {r + 1}: {peer} on the {kind} corpus"):
                        got.append(measure(cmd, cwd=site_dir, env=env, timeout=timeout))
                size.peer_pages[name] = sum(1 for _ in out.rglob("*.html"))
            except BenchError as err:
                size.failed[name] = str(err)
            if got:
                size.peers[name] = median(got)


# -- the report -------------------------------------------------------------------------------------------------


def _s(m: Measure | None) -> str:
    return f"{m.wall:.1f}" if m else "–"


def _mib(n: int | None) -> str:
    return f"{n / MIB:.0f}" if n else "–"


def _ratio(a: Measure | None, b: Measure | None) -> str:
    return f"{a.wall / b.wall:.1f}×" if a and b and b.wall > 0 else "–"


def _cell(size: Size, key: str, text: str) -> str:
    return "failed" if text == "–" and any(k.startswith(key) for k in size.failed) else text


def report(sizes: list[Size], meta: dict, log: Log) -> str:
    lines = [
        "# Archive-scale benchmark results",
        "",
        "Generated by `bench/run.py` (do not edit by hand; rerun it). See bench/README.md for how to read it.",
        "",
        f"- run: {meta['date']}, command: `{meta['command']}`",
        f"- build measured: `{meta['build_py']}` ({meta['revision']})",
        f"- machine: {meta['cores']} cores, {meta['memory_gib']:.0f} GiB, {meta['platform']}, Python {meta['python']}",
        f"- load average (1, 5, 15 min): at start {meta['load_start']}, at end {meta['load_end']}"
        " (a shared machine: other work was running, so times are noisy)",
        f"- peers: {meta['hugo']}; Eleventy {meta['eleventy']} (node {meta['node']})",
        f"- work folder: {meta['work']}; runs per measurement: {meta['runs']} (medians); preview saves: {meta['saves']}",
        "",
        "## Summary",
        "",
        "Wall seconds, median of runs (preview save: median ms of the saves). Ratios are our cold build over the peer's"
        " build of the matched corpus (> 1: we are slower).",
        "",
        "| N | HTML pages | cold s | no-change s | one edit s | preview start s | preview save ms | ms/article (cold)"
        " | peak MiB (cold) | Hugo matched s | Eleventy matched s | ours ÷ Hugo | ours ÷ Eleventy | largest page |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        cold = s.ours.get("cold")
        hugo, eleventy = s.peers.get("hugo-matched"), s.peers.get("eleventy-matched")
        largest = f"{s.output['largest_path']} ({s.output['largest_bytes'] / 1024:,.0f} KiB)" if s.output else "–"
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{s.n:,}",
                    f"{s.output['pages']:,}" if s.output else "–",
                    _cell(s, "ours", _s(cold)),
                    _cell(s, "ours", _s(s.ours.get("nochange"))),
                    _cell(s, "ours", _s(s.ours.get("edit"))),
                    _cell(s, "preview", _s(s.preview_start)),
                    _cell(s, "preview", f"{statistics.median(s.preview_saves):.0f}" if s.preview_saves else "–"),
                    _cell(s, "ours", f"{cold.wall / s.n * 1000:.0f}" if cold else "–"),
                    _cell(s, "ours", _mib(cold.peak) if cold else "–"),
                    _cell(s, "hugo-matched", _s(hugo)),
                    _cell(s, "eleventy-matched", _s(eleventy)),
                    _ratio(cold, hugo),
                    _ratio(cold, eleventy),
                    largest,
                ]
            )
            + " |"
        )
    lines += [
        "",
        "## Every measurement",
        "",
        "Wall and CPU seconds (user + sys of all processes the command started), peak MiB (largest sum of the"
        " process tree's PSS, which counts a shared page once, sampled every 20 ms); medians of runs.",
        "",
        "| N | what | wall s | CPU s | peak MiB | pages written |",
        "|---|---|---|---|---|---|",
    ]
    for s in sizes:
        rows = [
            ("ours: cold build", s.ours.get("cold"), s.output.get("pages")),
            ("ours: no-change rebuild", s.ours.get("nochange"), None),
            ("ours: rebuild after one annotation edit", s.ours.get("edit"), None),
            ("ours: preview start-up (until it serves)", s.preview_start, None),
        ]
        for name, m, pages in rows:
            if m:
                lines.append(f"| {s.n:,} | {name} | {m.wall:.2f} | {m.cpu:.2f} | {_mib(m.peak)} | {pages or ''} |")
        if s.preview_saves:
            ordered = sorted(s.preview_saves)
            p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
            cpu = f"{s.preview_cpu_per_save:.2f}" if s.preview_cpu_per_save is not None else "–"
            lines.append(
                f"| {s.n:,} | ours: preview save → claim page served ({len(ordered)} saves; median, p90 {p90:.0f} ms,"
                f" max {ordered[-1]:.0f} ms; CPU per save, peak of the session) | {statistics.median(ordered) / 1000:.3f}"
                f" | {cpu} | {_mib(s.preview_peak)} | |"
            )
        for kind in ("matched", "plain"):
            for peer, label in (("hugo", "Hugo"), ("eleventy", "Eleventy")):
                m = s.peers.get(f"{peer}-{kind}")
                if m:
                    pages = s.peer_pages.get(f"{peer}-{kind}", "")
                    lines.append(f"| {s.n:,} | {label}, {kind} corpus | {m.wall:.2f} | {m.cpu:.2f} | {_mib(m.peak)} | {pages} |")
    lines += [
        "",
        "## Output",
        "",
        "| N | HTML pages | files | total MiB | largest HTML page | matched corpus: pages, MiB of text | plain corpus: pages, MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        o, m, p = s.output, s.corpus.get("matched"), s.corpus.get("plain")
        cells = [f"{s.n:,}"]
        if o:
            largest = f"{o['largest_path']} ({o['largest_bytes'] / 1024:,.0f} KiB)"
            cells += [f"{o['pages']:,}", f"{o['files']:,}", f"{o['bytes'] / MIB:,.1f}", largest]
        else:
            cells += ["–"] * 4
        for corpus in (m, p):
            cells.append(f"{corpus['pages']:,}, {corpus['text_bytes'] / MIB:,.2f}" if corpus else "–")
        lines.append("| " + " | ".join(cells) + " |")
    failures = [(s.n, k, v) for s in sizes for k, v in s.failed.items()]
    if failures:
        lines += ["", "## Failures", ""]
        for n, key, text in failures:
            lines.append(f"- N={n:,}, {key}:")
            lines += ["", "  ```text", *("  " + t for t in text.strip().splitlines()[-30:]), "  ```", ""]
    lines += ["", "## Steps", "", "| step | seconds | outcome |", "|---|---|---|"]
    lines += [f"| {name} | {took:.1f} | {outcome} |" for name, took, outcome in log.steps]
    return "\n".join(lines) + "\n"


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _revision(repo: Path) -> str:
    """The measured checkout's commit, and whether its working tree differs from it (read-only git commands)."""
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True)
    except OSError:
        return "not a git checkout"
    if head.returncode != 0:
        return "not a git checkout"
    return f"commit {head.stdout.strip()}" + (", with uncommitted changes" if dirty.stdout.strip() else "")


def default_work() -> Path:
    """/tmp/factsite-bench: on disk, since the site grows fast with N (tmpfs would hold it all in memory)."""
    return Path(tempfile.gettempdir()) / "factsite-bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,16000", help="numbers of articles, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (the median is reported)")
    parser.add_argument("--work", type=Path, default=None, help=f"work folder (default {default_work()})")
    parser.add_argument("--skip-peers", action="store_true", help="do not measure Hugo and Eleventy")
    parser.add_argument("--skip-preview", action="store_true", help="do not measure the preview")
    parser.add_argument("--saves", type=int, default=20, help="preview saves to time (default 20)")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds any one step may take")
    parser.add_argument(
        "--build-py", type=Path, default=ROOT / "build.py", help="the build.py to measure (default: this checkout's)"
    )
    parser.add_argument("--results", type=Path, default=HERE / "results.md", help="where to write the tables")
    args = parser.parse_args(argv)
    try:
        ns = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, such as 1000,4000")
    if not ns or min(ns) < 1 or args.runs < 1 or args.saves < 1:
        parser.error("sizes, --runs and --saves must be at least 1")
    build_py = args.build_py.resolve()
    source = build_py.parent  # its content and templates, which match its code
    work = (args.work or default_work()).resolve()
    work.mkdir(parents=True, exist_ok=True)
    log = Log()
    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "build_py": build_py,
        "revision": _revision(build_py.parent),
        "cores": os.cpu_count(),
        "memory_gib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_start": _load(),
        "work": work,
        "runs": args.runs,
        "saves": "skipped" if args.skip_preview else args.saves,
        "hugo": "skipped",
        "eleventy": "skipped",
        "node": _version(["node", "--version"]),
    }
    log.say(f"work folder: {work}; measuring {build_py}; {os.cpu_count()} cores, load average {meta['load_start']}")
    tools: dict = {}
    if not args.skip_peers:
        try:
            tools["hugo"] = ensure_hugo(log)
            meta["hugo"] = _version([tools["hugo"], "version"])
        except BenchError as err:
            tools["hugo-error"] = meta["hugo"] = f"Hugo unavailable: {err}"
        try:
            tools["eleventy"] = ensure_eleventy(log)
            package = tools["eleventy"].parent / "package.json"
            meta["eleventy"] = json.loads(package.read_text(encoding="utf-8"))["version"]
        except BenchError as err:
            tools["eleventy-error"] = meta["eleventy"] = f"unavailable: {err}"
    sizes: list[Size] = []
    for n in ns:
        size = Size(n=n, project=work / f"project-{n}")
        sizes.append(size)
        with log.step(f"N={n}: generate the project"):
            generate(n, size.project, source)
        run_ours(size, build_py, args.runs, args.timeout, log)
        if not args.skip_preview:
            run_preview(size, build_py, args.saves, args.timeout, work, log)
        if not args.skip_peers:
            run_peers(size, work / f"peers-{n}", tools, args.runs, args.timeout, log)
        meta["load_end"] = _load()
        args.results.write_text(report(sizes, meta, log), encoding="utf-8")  # after each N: a partial result survives
    meta["load_end"] = _load()
    text = report(sizes, meta, log)
    args.results.write_text(text, encoding="utf-8")
    print()
    print(text)
    log.say(f"wrote {args.results}")
    return 1 if any(s.failed for s in sizes) else 0


if __name__ == "__main__":
    sys.exit(main())
