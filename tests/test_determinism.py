"""Issue #12: the same content gives byte-identical output, whatever the machine, and no output carries the
build time.

The real project (content/, seeds/, templates/) is copied into temporary folders and built with
``build.py -C ROOT build -o OUT`` as a subprocess, once as the reference (PYTHONHASHSEED=0, TZ=UTC,
LANG=LC_ALL=C), and then once for each thing that must not matter, each changing one thing:

* a second run on the same root (its ``.factsite/`` left by the first run);
* PYTHONHASHSEED=12345 (set and dict order of strings);
* TZ=Pacific/Kiritimati (UTC+14: another day than UTC for 14 hours of every day);
* LANG/LC_ALL=de_DE.UTF-8 (month names, decimal commas; when the machine lacks that locale, the variables
  must still change nothing);
* file-system order: a copy whose files are created in reverse order, built with every directory listing
  (``os.scandir``, ``os.listdir``) returned in reverse order;
* modification times: a copy whose files and folders carry mtimes from 1980 and from 2100;
* SOURCE_DATE_EPOCH set (reproducible-builds' variable: the build reads no clock, so it must change nothing).

Then the reference output is searched for the build's date (today, in UTC and in every time zone used, in
ISO and in the forms pages print), and every date any output shows is traced to the content.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT

BUILD = ROOT / "build.py"
PROJECT_PARTS = ("content", "seeds", "templates")
BASE_ENV = {"PYTHONHASHSEED": "0", "TZ": "UTC", "LANG": "C", "LC_ALL": "C"}
TIME_ZONES = ("UTC", "Pacific/Kiritimati")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

REVERSED_LISTINGS = """\
import os, runpy, sys

_scandir, _listdir = os.scandir, os.listdir


class _Reversed:
    def __init__(self, path):
        with _scandir(path) as it:
            self.entries = sorted(it, key=lambda e: e.name, reverse=True)

    def __iter__(self):
        return iter(self.entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass


os.scandir = lambda path=".": _Reversed(path)
os.listdir = lambda path=".": sorted(_listdir(path), reverse=True)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
"""Runs build.py (argv[1]) with every directory listing in reverse order of names."""


def project_files() -> list[Path]:
    """The project's input files, relative to the repository root, in sorted order."""
    return sorted(p.relative_to(ROOT) for part in PROJECT_PARTS for p in (ROOT / part).rglob("*") if p.is_file())


def copy_project(dest: Path, *, reverse: bool = False) -> Path:
    """A copy of the project's inputs, its files created in sorted order (or reversed), folders as needed."""
    files = project_files()
    for rel in reversed(files) if reverse else files:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, dest / rel)
    return dest


def env(**changes: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE", "TZ")}
    for k in ("PYTHONHASHSEED", "SOURCE_DATE_EPOCH", "FACTSITE_DEBUG"):
        out.pop(k, None)
    return {**out, **BASE_ENV, **changes}


def start(root: Path, out: Path, environment: dict[str, str], *, wrapper: Path | None = None) -> subprocess.Popen:
    command = [sys.executable, *([str(wrapper)] if wrapper else []), str(BUILD), "-C", str(root), "build", "-o", str(out)]
    return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> None:
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, f"{process.args}\n{stdout}\n{stderr}"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    only = sorted(set(a) ^ set(b))
    changed = sorted(p for p in set(a) & set(b) if a[p] != b[p])
    lines = [f"only in one: {only[:10]}"] if only else []
    for path in changed[:5]:
        x, y = a[path], b[path]
        i = next((n for n in range(min(len(x), len(y))) if x[n] != y[n]), min(len(x), len(y)))
        lines.append(f"{path} differs at byte {i}: {x[max(0, i - 60) : i + 60]!r} vs {y[max(0, i - 60) : i + 60]!r}")
    return "\n".join(lines + ([f"... {len(changed)} files differ"] if changed else []))


def locale_missing(name: str) -> bool:
    run = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    return name.lower().replace("-", "") not in {line.lower().replace("-", "") for line in run.stdout.split()}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """The reference build and one build per variation, each {path: bytes} of its whole output folder."""
    tmp = tmp_path_factory.mktemp("determinism")
    reference_root = copy_project(tmp / "reference")
    finish(start(reference_root, tmp / "out-reference", env()))

    reversed_root = copy_project(tmp / "reversed", reverse=True)
    wrapper = tmp / "reversed_listings.py"
    wrapper.write_text(REVERSED_LISTINGS)
    mtimes_root = copy_project(tmp / "mtimes")
    old, new = dt.datetime(1980, 1, 2, tzinfo=dt.UTC).timestamp(), dt.datetime(2100, 6, 1, tzinfo=dt.UTC).timestamp()
    for n, path in enumerate(sorted(mtimes_root.rglob("*"), reverse=True)):  # files before their folders
        stamp = old if n % 2 else new
        os.utime(path, (stamp, stamp))
    os.utime(mtimes_root, (old, old))

    variations = {
        "a second run": (reference_root, env(), None),
        "PYTHONHASHSEED=12345": (copy_project(tmp / "hashseed"), env(PYTHONHASHSEED="12345"), None),
        "TZ=Pacific/Kiritimati": (copy_project(tmp / "tz"), env(TZ="Pacific/Kiritimati"), None),
        "LANG=LC_ALL=de_DE.UTF-8": (copy_project(tmp / "locale"), env(LANG="de_DE.UTF-8", LC_ALL="de_DE.UTF-8"), None),
        "files created and listed in reverse order": (reversed_root, env(), wrapper),
        "old and new modification times": (mtimes_root, env(), None),
        "SOURCE_DATE_EPOCH=1": (copy_project(tmp / "sde"), env(SOURCE_DATE_EPOCH="1"), None),
    }
    # The builds run side by side (each in its own copy and output folder; the second run alone in the reference's).
    running = {name: start(root, tmp / f"out-{n}", e, wrapper=w) for n, (name, (root, e, w)) in enumerate(variations.items())}
    for process in running.values():
        finish(process)
    out = {"reference": tree(tmp / "out-reference")}
    out.update({name: tree(tmp / f"out-{n}") for n, name in enumerate(variations)})
    return out


@pytest.mark.parametrize(
    "variation",
    [
        "a second run",
        "PYTHONHASHSEED=12345",
        "TZ=Pacific/Kiritimati",
        "LANG=LC_ALL=de_DE.UTF-8",
        "files created and listed in reverse order",
        "old and new modification times",
        "SOURCE_DATE_EPOCH=1",
    ],
)
def test_output_is_byte_identical(builds, variation):
    reference, other = builds["reference"], builds[variation]
    assert len(reference) > 100  # the whole site, not an empty folder
    assert other == reference, f"{variation} changed the output:\n{differences(reference, other)}"


def test_the_locale_variation_is_meaningful_or_noted():
    """Where de_DE.UTF-8 is installed the variation changes the C library's locale; where it is not, the variables
    are still set (and must change nothing, which test_output_is_byte_identical checks either way)."""
    if locale_missing("de_DE.UTF-8"):
        pytest.skip("de_DE.UTF-8 is not installed here: the LANG/LC_ALL variation only sets the variables")


# -- no output carries the build time; every date shown comes from the content ----------------------------


def day_forms(day: dt.date) -> list[str]:
    """The ways a page could print ``day``: ISO, the site's own '1 December 2026', US, European numeric."""
    month = MONTHS[day.month - 1]
    return [
        day.isoformat(),
        f"{day.day} {month} {day.year}",
        f"{day.day:02d} {month} {day.year}",
        f"{month} {day.day}, {day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        f"{day.day}. {['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'][day.month - 1]} {day.year}",
    ]


def project_text() -> str:
    return "\n".join((ROOT / rel).read_text(encoding="utf-8", errors="replace") for rel in project_files())


def test_no_output_carries_the_build_date(builds):
    now = dt.datetime.now(dt.UTC)
    days = {now.astimezone(ZoneInfo(zone)).date() for zone in TIME_ZONES} | {dt.date.today()}
    inputs = project_text()
    forms = [form for day in sorted(days) for form in day_forms(day)]
    checked = [form for form in forms if form not in inputs]  # a date the content itself states may be shown
    if not checked:
        pytest.skip(f"every form of today's date ({sorted(days)}) is in the content itself")
    for variation in ("reference", "TZ=Pacific/Kiritimati"):
        for path, data in builds[variation].items():
            for form in checked:
                assert form.encode() not in data, f"{path} ({variation}) shows the build's date: {form}"


def content_days(text: str) -> set[str]:
    """Every full date the content writes, as ISO: written ISO, or as '24 January 2025' in prose."""
    days = set(re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text))
    for day, month, year in re.findall(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b", text):
        days.add(f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}")
    return days


def test_every_date_an_output_shows_comes_from_the_content(builds):
    """Feeds' updated, sitemap lastmod, annotations' created: each a date the content states, at midnight UTC (or
    the Atom fallback of 1970-01-01 when nothing is dated), never a time of day the build ran at."""
    known = content_days(project_text()) | {"1970-01-01"}
    for path, data in builds["reference"].items():
        if path.startswith("pagefind/") and not path.endswith(".json"):
            continue  # compressed index files
        text = data.decode("utf-8", errors="replace")
        shown = content_days(text)
        assert shown <= known, f"{path} shows dates the content does not state: {sorted(shown - known)[:5]}"
        times = set(re.findall(r"\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)", text))
        assert times <= {"00:00:00", "00:00"}, f"{path} shows a time of day: {times}"
