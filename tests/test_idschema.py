"""The editor files of factsite/idschema.py: the ids the content defines, and the real YAML language server using them."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, edit, need
from sample import FILES

from factsite import check_site, idschema, layout

SERVER = ROOT / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
ANNOTATIONS = "content/annotations/moon.yaml"
MODELINE = "# yaml-language-server: $schema=../../.factsite/schemas/annotations.schema.json\n"


def _written(project, changes=None) -> tuple[Path, Path]:
    root = project(changes)
    path = idschema.write(root, check_site(root))
    return root, path


# -- the generated files -----------------------------------------------------------------------


def test_the_ids_file_lists_every_id_with_its_title(project):
    root, path = _written(project)
    assert path == root / ".factsite" / "ids.schema.json"
    defs = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    assert defs["sourceId"]["enum"] == ["daily-mirror-copy", "space-agency"]
    assert defs["sourceId"]["enumDescriptions"] == [
        "Agency says moon is rock — Mirror Site, date unknown",
        "Moon composition report — Space Agency, May 2025",
    ]
    assert defs["eventId"]["enum"] == ["ev-mission", "ev-report", "ev-later"]
    assert defs["eventId"]["enumDescriptions"] == [
        "May 2025 – June 2025: Mission planned",
        "2 May 2025: Agency publishes its report",
        "about September 2025: Mission delayed",
    ]
    assert defs["eventId"]["errorMessage"] == "not an event id in content/timeline.yaml (as of the last build, check or serve)"
    assert defs["verdictId"]["enum"] == ["accurate", "misleading", "inaccurate"]
    assert defs["verdictId"]["enumDescriptions"][0] == "Accurate: Matches the sources."
    assert defs["factId"] == {
        "type": "string",
        "description": "The id of a fact in content/facts.yaml.",
        "enum": ["moon-made-of"],
        "enumDescriptions": ["What is the Moon made of?"],
        "markdownEnumDescriptions": ["What is the Moon made of?"],
        "errorMessage": "not a fact id in content/facts.yaml (as of the last build, check or serve)",
    }
    assert defs["sourceId"]["errorMessage"] == "not a source id in content/sources.yaml (as of the last build, check or serve)"


def test_an_added_source_appears_and_markdown_in_a_title_is_escaped(project):
    added = FILES["content/sources.yaml"] + (
        "  - id: new-source\n"
        "    title: The *real* [report]\n"
        "    publisher: Agency\n"
        "    url: https://agency.example/real\n"
        "    published: 2025-06-03\n"
        "    lang: en\n"
        "    kind: primary\n"
    )
    _, path = _written(project, {"content/sources.yaml": added})
    source = json.loads(path.read_text(encoding="utf-8"))["$defs"]["sourceId"]
    assert source["enum"] == ["daily-mirror-copy", "new-source", "space-agency"]
    assert source["enumDescriptions"][1] == "The *real* [report] — Agency, 3 June 2025"
    assert source["markdownEnumDescriptions"][1] == r"The \*real\* \[report\] — Agency, 3 June 2025"


def test_the_editor_schemas_are_the_packages_plus_the_ids(project):
    root, _ = _written(project)
    package = ROOT / "factsite" / "schemas"
    copies = root / ".factsite" / "schemas"
    assert sorted(p.name for p in copies.iterdir()) == sorted(p.name for p in package.iterdir())
    for copy in copies.iterdir():
        if copy.name != "common.schema.json":
            assert copy.read_bytes() == (package / copy.name).read_bytes()
    common = json.loads((copies / "common.schema.json").read_text(encoding="utf-8"))
    assert common["$defs"]["sourceId"] == {
        **json.loads((package / "common.schema.json").read_text(encoding="utf-8"))["$defs"]["sourceId"],
        "allOf": [{"$ref": "../ids.schema.json#/$defs/sourceId"}],
    }


def test_unchanged_files_are_not_rewritten_and_content_is_never_touched(project):
    root, path = _written(project)
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (root / ".factsite").rglob("*") if p.is_file()}
    content = {p: p.read_bytes() for p in (root / "content").rglob("*") if p.is_file()}
    past = time.time_ns() - 10**10  # ten seconds ago, so a rewrite would show whatever the clock's grain
    for p in before:
        os.utime(p, ns=(past, past))
    assert idschema.write(root, check_site(root)) == path
    assert all(p.stat().st_mtime_ns == past for p in before)
    # a changed title rewrites the ids file (atomically: a new inode), and only it
    change = edit("content/sources.yaml", "title: Moon composition report", "title: Moon composition study")
    (root / "content/sources.yaml").write_text(change["content/sources.yaml"], encoding="utf-8")
    idschema.write(root, check_site(root))
    assert "Moon composition study — Space Agency, May 2025" in path.read_text(encoding="utf-8")
    assert path.stat().st_ino != before[path][1]
    assert [p.name for p in before if p.stat().st_mtime_ns != past] == ["ids.schema.json"]
    assert sorted(p.name for p in (root / ".factsite").rglob("*.tmp")) == []
    assert {p: p.read_bytes() for p in (root / "content").rglob("*") if p.is_file()} == {
        p: content[p] for p in content if p.name != "sources.yaml"
    } | {root / "content/sources.yaml": change["content/sources.yaml"].encode()}


def test_a_folder_that_cannot_be_written_or_leads_elsewhere_gives_none(project, tmp_path):
    root = project()
    site = check_site(root)
    (root / ".factsite").write_text("a file where the folder would be", encoding="utf-8")
    assert idschema.write(root, site) is None
    (root / ".factsite").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".factsite").symlink_to(elsewhere)
    assert idschema.write(root, site) is None
    assert list(elsewhere.iterdir()) == []


def test_a_linked_file_is_replaced_not_followed_and_a_stale_schema_removed(project, tmp_path):
    root, path = _written(project)
    outside = tmp_path / "outside.json"
    outside.write_text("keep", encoding="utf-8")
    path.unlink()
    path.symlink_to(outside)
    (root / ".factsite/schemas/gone.schema.json").write_text("{}", encoding="utf-8")
    assert idschema.write(root, check_site(root)) == path
    assert not path.is_symlink() and outside.read_text(encoding="utf-8") == "keep"
    assert not (root / ".factsite/schemas/gone.schema.json").exists()


def test_a_site_without_facts_gives_an_empty_list_that_is_still_a_schema(project):
    site = dataclasses.replace(check_site(project()), facts={})
    schema = idschema.ids_schema(site)
    assert schema["$defs"]["factId"]["enum"] == []
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_content_file_points_its_editor_at_the_written_schema_of_its_kind(project):
    root, _ = _written(project)
    files = sorted((ROOT / "content").rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        kind = {**layout.SINGLE_FILES, **layout.OPTIONAL_FILES}.get(rel) or (
            "annotations" if rel.startswith(layout.ANNOTATIONS_DIR + "/") else None
        )
        first = path.read_text(encoding="utf-8").splitlines()[0]
        up = "../" * (rel.count("/"))
        assert first == f"# yaml-language-server: $schema={up}{idschema.editor_schema_path(kind)}", rel
        assert (root / idschema.editor_schema_path(kind)).is_file()


def test_the_written_files_are_valid_json_schemas(project):
    root, path = _written(project)
    for schema in [path, *sorted((root / ".factsite" / "schemas").iterdir())]:
        jsonschema.Draft202012Validator.check_schema(json.loads(schema.read_text(encoding="utf-8")))


# -- the real YAML language server ------------------------------------------------------------------


class Lsp:
    """A YAML language server over stdio: JSON-RPC with Content-Length headers."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen(
            ["node", str(SERVER), "--stdio"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while (line := out.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not line:
                return
            self.messages.put(json.loads(out.read(int(headers["content-length"]))))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def wait(self, accept, timeout: float = 10.0):
        """The first message ``accept`` takes (answering the server's own requests meanwhile)."""
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                break
            if "method" in message and "id" in message:  # the server asks: configuration, registrations
                result = (
                    [SETTINGS["yaml"]] * len(message["params"].get("items", []))
                    if message["method"] == "workspace/configuration"
                    else None
                )
                self.send({"id": message["id"], "result": result})
            if accept(message):
                return message
        raise AssertionError("the language server did not answer in time")

    def request(self, method: str, params: dict):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)["result"]

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()


SETTINGS = {
    "yaml": {
        "validate": True,
        "completion": True,
        "hover": True,
        "schemaStore": {"enable": False},  # no catalogue from the network: only the modeline's schema
        "format": {"enable": False},
    }
}


CAPABILITIES = {
    "textDocument": {
        "completion": {"completionItem": {"documentationFormat": ["markdown", "plaintext"], "snippetSupport": True}},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "publishDiagnostics": {},
    },
    "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": False}},
}


@pytest.fixture
def lsp(project):
    """``lsp(text)`` → (server, uri): the sample project with ``text`` open (unsaved) in its annotation file.

    ``lsp(root=DIR)`` → a server started in the project at DIR, with nothing open.
    """
    need(shutil.which("node") is not None, "node is not installed")
    need(SERVER.is_file(), "yaml-language-server is not installed (npm ci)")
    servers: list[Lsp] = []

    def start(text: str | None = None, *, root: Path | None = None):
        if root is None:
            root = project({ANNOTATIONS: MODELINE + FILES[ANNOTATIONS]})
            idschema.write(root, check_site(root))
        server = Lsp(root)
        servers.append(server)
        server.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": CAPABILITIES})
        server.notify("initialized", {})
        server.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        if text is None:
            return server
        uri = (root / ANNOTATIONS).as_uri()
        server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        return server, uri

    yield start
    for server in servers:
        server.close()


def _diagnostics(server: Lsp, uri: str) -> list[dict]:
    """The diagnostics the server publishes for ``uri`` once it has read the schema (it may first publish none)."""
    found: list[dict] = []
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            message = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", timeout=end - time.monotonic())
        except AssertionError:
            break
        if message["params"]["uri"] == uri:
            found = message["params"]["diagnostics"]
            if found:
                return found
    return found


def _at(text: str, marker: str, offset: int = 0) -> dict:
    """The LSP position of ``marker`` (plus ``offset`` characters) in ``text``."""
    index = text.index(marker) + offset
    line = text.count("\n", 0, index)
    return {"line": line, "character": index - (text.rfind("\n", 0, index) + 1)}


def _values(result) -> dict[str, str]:
    """The values a completion offers → their documentation.

    Inside a list the server also offers its block-list snippets ("- (array item) id"); they are left out.
    """
    items = result["items"] if isinstance(result, dict) else result
    return {i["label"]: _docs(i) for i in items if not i["label"].startswith("- (array item) ")}


def _docs(item: dict) -> str:
    doc = item.get("documentation", "")
    return doc["value"] if isinstance(doc, dict) else doc


def test_the_language_server_completes_source_ids_with_their_titles_and_flags_a_misspelt_verdict(lsp):
    text = MODELINE + FILES[ANNOTATIONS].replace("verdict: misleading", "verdict: misleadng").replace(
        "sources: [daily-mirror-copy]", "sources: []"
    )
    server, uri = lsp(text)

    diagnostics = _diagnostics(server, uri)
    where = _at(text, "misleadng")
    assert [(d["range"]["start"], d["message"]) for d in diagnostics] == [
        (where, "not a verdict id in content/verdicts.yaml (as of the last build, check or serve)"),
        (_at(text, "[]"), "Array has too few items. Expected 1 or more."),  # the server's own words for minItems
    ]

    result = server.request(
        "textDocument/completion", {"textDocument": {"uri": uri}, "position": _at(text, "sources: []", len("sources: ["))}
    )
    assert _values(result) == {
        "space-agency": "Moon composition report — Space Agency, May 2025",
        "daily-mirror-copy": "Agency says moon is rock — Mirror Site, date unknown",
    }

    hover = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": _at(text, "[space-agency]", 3)})
    # the server lists the allowed values with their descriptions, the hovered one first
    values = [line for line in hover["contents"]["value"].splitlines() if line.startswith("* `")]
    assert values == [
        "* `space-agency`: Moon composition report — Space Agency, May 2025",
        "* `daily-mirror-copy`: Agency says moon is rock — Mirror Site, date unknown",
    ]


def test_the_language_server_flags_an_unknown_source_and_completes_events_and_facts(lsp):
    text = MODELINE + FILES[ANNOTATIONS].replace("sources: [daily-mirror-copy]", "sources: [daily-mirror]")
    server, uri = lsp(text)
    diagnostics = _diagnostics(server, uri)
    assert [(d["range"]["start"], d["message"]) for d in diagnostics] == [
        (_at(text, "daily-mirror]"), "not a source id in content/sources.yaml (as of the last build, check or serve)")
    ]

    def complete(marker: str, offset: int) -> dict[str, str]:
        return _values(
            server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": _at(text, marker, offset)})
        )

    assert complete("events: [ev-mission]", len("events: [")) == {
        "ev-mission": "May 2025 – June 2025: Mission planned",
        "ev-report": "2 May 2025: Agency publishes its report",
        "ev-later": "about September 2025: Mission delayed",
    }
    assert complete("fact: moon-made-of", len("fact: ")) == {"moon-made-of": "What is the Moon made of?"}


def test_the_real_content_gets_no_warning_from_the_language_server(lsp, tmp_path):
    root = tmp_path / "real"
    for part in ("content", "seeds", "templates"):
        shutil.copytree(ROOT / part, root / part)
    idschema.write(root, check_site(root))
    files = sorted((root / "content").rglob("*.yaml"))
    misspelt = root / "content/annotations/control.yaml"  # a copy with one slip: the server did read the schemas
    text = (root / "content/annotations/tecnoandroid-r2-ritardo.yaml").read_text(encoding="utf-8")
    control = text.replace("verdict: accurate\n", "verdict: acurate\n", 1)
    assert control != text
    server = lsp(root=root)
    found = {}
    for path, body in [*((p, p.read_text(encoding="utf-8")) for p in files), (misspelt, control)]:
        server.notify(
            "textDocument/didOpen", {"textDocument": {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": body}}
        )
    while len(found) < len(files) + 1:
        message = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        found[message["params"]["uri"]] = [(d["range"]["start"], d["message"]) for d in message["params"]["diagnostics"]]
    assert found.pop(misspelt.as_uri()) == [
        (_at(control, "acurate"), "not a verdict id in content/verdicts.yaml (as of the last build, check or serve)")
    ]
    assert found == {p.as_uri(): [] for p in files}
