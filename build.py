#!/usr/bin/env python3
"""Command line for the fact-check site generator.

    python build.py [build]   check everything, then write the site to site/
                              (-o OUT elsewhere, --drafts to include drafts)
    python build.py check     check everything, write nothing
    python build.py report    the editor's worklist
    python build.py import seeds/FILE
                              make content/articles/<slug>.md from a raw seed
    python build.py serve     live preview: rebuild on save, reload the browser

Every command takes -C DIR to work on another project root, before or after
the command; build's options work without the command too (build.py -o OUT).
Problems are printed as path:line:col: message, and the exit code is 1 when
there are any (2 for a command line it cannot read).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from factsite import BuildFailed, idschema
from factsite.importer import ImportFailed, annotations_stub, import_seed
from factsite.load import read_project, read_seed


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = Path(args.root)
    try:
        return args.command(root, args)
    except BuildFailed as failed:
        print(failed.report(), file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - a bug must still end in a message, not a traceback
        if os.environ.get("FACTSITE_DEBUG"):
            raise
        print(
            f"internal error: {type(err).__name__}: {err}\nThis is a bug in build.py, not in your content. Rerun with FACTSITE_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return 1


def cmd_build(root: Path, args) -> int:
    from factsite import engine

    out = Path(args.out) if args.out else root / "site"

    def checked(site) -> None:  # before anything is written
        idschema.write(root, site)  # the editor's completion of ids follows the content
        _warn(site)

    result = engine.build(root, out, drafts=args.drafts, strict=args.strict, on_checked=checked)
    if result.reused:  # nothing changed since the last build, which checked the same files: its warnings again
        for warning in result.warnings:
            print(warning.format(), file=sys.stderr)
        print(
            f"Built {result.html_pages} pages into {out} in {result.seconds * 1000:.0f} ms (nothing changed since the last build)"
        )
        return 0
    print(
        f"Built {result.html_pages} pages into {out} in {result.seconds * 1000:.0f} ms"
        + (" (drafts included)" if args.drafts else "")
        + (f" ({result.rendered} rendered, {result.unchanged} unchanged)" if result.unchanged else "")
    )
    return 0


def cmd_check(root: Path, args) -> int:
    from factsite import engine

    def checked(site) -> None:
        idschema.write(root, site)
        _warn(site)

    site = engine.check(root, strict=args.strict, on_checked=checked).site
    claims = [c for cs in site.claims.values() for c in cs]
    draft_articles = sum(a.draft for a in site.articles.values())
    draft_claims = sum(c.draft for c in claims)
    warnings = sum(p.severity == "warning" for p in site.warnings)
    print(
        f"OK: {len(site.articles)} articles{_drafts(draft_articles)}, {len(claims)} claims{_drafts(draft_claims)} "
        f"({len(site.anchors)} anchored), {len(site.events)} events, {len(site.sources)} sources"
        + (f"; {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
    )
    return 0


def cmd_report(root: Path, args) -> int:
    from factsite.pipeline import check_project
    from factsite.report import summary, worklist

    project = read_project(root)
    site = check_project(project)  # errors are reported as by check, and exit 1
    shown = sorted({*site.warnings, *worklist(project, site)})
    for problem in shown:
        print(problem.format())
    print(summary(shown))
    return 0  # notes and warnings never fail the worklist


def _drafts(n: int) -> str:
    return f" ({n} draft{'s' if n != 1 else ''})" if n else ""


def _warn(site) -> None:
    for warning in site.warnings:
        print(warning.format(), file=sys.stderr)


def cmd_import(root: Path, args) -> int:
    from factsite.importer import plan_ids
    from factsite.layout import MAX_FILE_BYTES

    seed_path = root / args.seed  # seeds/FILE is the project's own, whatever folder this runs in
    if Path(args.seed).is_absolute() or not seed_path.is_file():
        seed_path = Path(args.seed)
    if not seed_path.is_file():
        print(f"error: no such seed file: {args.seed}", file=sys.stderr)
        return 2
    size, limit = seed_path.stat().st_size, MAX_FILE_BYTES["seeds"]
    if size > limit:  # checked before it is read, as the build does
        print(f"error: {seed_path} is {size:,} bytes, over the limit of {limit // 2**20} MiB for a seed", file=sys.stderr)
        return 1
    seed = read_seed(seed_path)
    if "\ufffd" in seed.text:
        print(f"error: {seed_path} is not UTF-8 text; the importer would have to change its bytes", file=sys.stderr)
        return 1
    try:
        slug, text = import_seed(seed, args.slug)
    except ImportFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    article = root / "content" / "articles" / f"{slug}.md"
    if article.exists() and not args.force:
        print(f"error: {article} exists; pass --force to replace it (its front matter is lost)", file=sys.stderr)
        return 1
    said = []
    seeds = root / "seeds"
    if seed_path.resolve().parent != seeds.resolve():  # from outside seeds/: keep a copy there, byte for byte
        kept = seeds / seed.name
        data = seed_path.read_bytes()
        if kept.exists():
            if kept.read_bytes() != data:
                print(
                    f"error: seeds/{seed.name} already exists and is a different file; seeds are never replaced: "
                    f"rename {seed_path} and import it again",
                    file=sys.stderr,
                )
                return 1
            said.append(f"seeds/{seed.name} already holds this seed, byte for byte: imported from there.")
        else:
            seeds.mkdir(parents=True, exist_ok=True)
            with open(kept, "xb") as out:
                out.write(data)
            said.append(
                f"Copied {seed_path} to seeds/{seed.name} (seeds are kept byte for byte, never edited) and imported it from there."
            )
    ids = plan_ids(root, slug, seed.name)
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text(text, encoding="utf-8")
    annotations = root / "content" / "annotations" / f"{slug}.yaml"
    wrote = f"Wrote content/articles/{slug}.md (the article, a draft)"
    if annotations.exists():
        said.append(f"{wrote}; kept content/annotations/{slug}.yaml (its claims), which already existed.")
    else:
        annotations.parent.mkdir(parents=True, exist_ok=True)
        annotations.write_text(annotations_stub(slug, ids.first), encoding="utf-8")
        said.append(f"{wrote} and content/annotations/{slug}.yaml (its claims).")
    why = f" ({ids.note})" if ids.note else ""
    said.append(
        "Next: fill in the fields marked TODO (python build.py check lists them), "
        f"add claims with ids {ids.first}, {ids.second}, …{why}, then remove draft: true to publish."
    )
    print("\n".join(said))
    return 0


def cmd_serve(root: Path, args) -> int:
    from factsite.serve import serve

    return serve(root, host=args.host, port=args.port, open_browser=args.open, drafts=args.drafts, follow=args.follow)


# build's options, which may also come before the command or with no command at all: dest → as written.
_BUILD_OPTIONS = {"out": "-o/--out", "drafts": "--drafts", "strict": "--strict"}
_ACCEPTS = {"build": {"out", "drafts", "strict"}, "check": {"strict"}, "serve": {"drafts"}, "report": set(), "import": set()}
"""Which of them each command takes; the others are refused with a message that says why."""
_WHY_NOT = {
    ("out", "check"): "check writes no site",
    ("out", "report"): "report writes nothing",
    ("out", "import"): "import writes the article into DIR/content",
    ("out", "serve"): "serve builds into DIR/site, the folder it serves",
    ("drafts", "check"): "check always checks drafts (their problems are warnings)",
    ("drafts", "report"): "report always lists drafts",
}


class _CommandLine(argparse.ArgumentParser):
    """``build.py [-C DIR] [COMMAND] [options]``: -C before or after the command, and build's options (-o,
    --drafts, --strict) before it or with no command at all. Options are parsed with no default, so that a
    value typed on one side of the command is never reset by the other side's default; the defaults are
    filled in here once the command is known, and an option the command does not take is refused (exit 2)."""

    commands: dict[str, argparse.ArgumentParser]

    def parse_args(self, args=None, namespace=None):
        parsed, extra = self.parse_known_args(args, namespace)
        typed = parsed.name  # None: no command, which means build
        name = typed or "build"
        said = self.commands[typed] if typed else self  # errors come with the usage of the command typed
        if extra:
            said.error(f"unrecognized arguments: {' '.join(extra)}")
        roots = vars(parsed).pop("root", None), vars(parsed).pop("command_root", None)
        if None not in roots and roots[0] != roots[1]:
            said.error(f"-C is given twice ({roots[0]} before {name}, {roots[1]} after it); give it once")
        for dest, written in _BUILD_OPTIONS.items():
            if dest in vars(parsed) and dest not in _ACCEPTS[name]:
                why = _WHY_NOT.get((dest, name))
                takers = " and ".join(c for c, takes in _ACCEPTS.items() if dest in takes)
                message = f"{why}, so it takes no {written}" if why else f"{written} is an option of {takers}, not of {name}"
                said.error(message + ("; build.py -o OUT writes the site into OUT" if dest == "out" else ""))
        parsed.name, parsed.root = name, roots[1] or roots[0] or "."
        for dest, value in {"out": None, "drafts": name == "serve", "strict": False}.items():
            if dest not in vars(parsed):
                setattr(parsed, dest, value)
        return parsed


def _parser() -> argparse.ArgumentParser:
    parser = _CommandLine(
        prog="build.py",
        usage="%(prog)s [-C DIR] [COMMAND] [options]",
        description=__doc__.split("\n\n")[0],
        epilog="With no command, build. Every command takes -C DIR; build.py COMMAND --help lists its options.",
    )
    _root_option(parser, "root")
    _build_options(parser.add_argument_group("build's options (also without a command)"), "build")
    parser.set_defaults(command=cmd_build, name=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=argparse.ArgumentParser)
    parser.commands = {}

    def command(name: str, run, summary: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, prog=f"build.py {name}", help=summary, description=summary[0].upper() + summary[1:] + ".")
        cmd.set_defaults(command=run, name=name)
        _root_option(cmd, "command_root")
        _build_options(cmd, name)
        parser.commands[name] = cmd
        return cmd

    command("build", cmd_build, "check everything, then write the site (the default)")
    command("check", cmd_check, "check everything and write nothing")
    command("report", cmd_report, "the editor's worklist: drafts, TODOs, thin sourcing, and more")
    imp = command("import", cmd_import, "make an article file from a raw seed")
    imp.add_argument("seed", help="path of the seed, e.g. seeds/000_b6112cb2b94a5a98.txt")
    imp.add_argument("--slug", help="the article's slug (default: from its first words)")
    imp.add_argument("--force", action="store_true", help="replace an existing article file")
    serve = command("serve", cmd_serve, "live preview on http://127.0.0.1:8000/")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument(
        "--no-drafts", dest="drafts", action="store_false", default=argparse.SUPPRESS, help="hide what is marked draft: true"
    )
    serve.add_argument(
        "--no-follow", dest="follow", action="store_false", help="keep open tabs where they are when an article is saved"
    )
    return parser


def _root_option(parser: argparse.ArgumentParser, dest: str) -> None:
    parser.add_argument(
        "-C", dest=dest, metavar="DIR", default=argparse.SUPPRESS, help="project root (default: the current folder)"
    )


def _build_options(group, name: str) -> None:
    """-o, --drafts and --strict on ``group``: shown where command ``name`` takes them, hidden elsewhere (so that
    they are refused with a reason, not as unknown)."""
    helps = {
        "out": "output folder (default: DIR/site)",
        "drafts": "show drafts, marked (the default)" if name == "serve" else "include claims and articles marked draft: true",
        "strict": "warnings are errors (for CI and publication)",
    }
    shown = {dest: text if dest in _ACCEPTS[name] else argparse.SUPPRESS for dest, text in helps.items()}
    group.add_argument("-o", "--out", metavar="OUT", default=argparse.SUPPRESS, help=shown["out"])
    group.add_argument("--drafts", action="store_true", default=argparse.SUPPRESS, help=shown["drafts"])
    group.add_argument("--strict", action="store_true", default=argparse.SUPPRESS, help=shown["strict"])


if __name__ == "__main__":
    raise SystemExit(main())
