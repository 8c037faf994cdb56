#!/usr/bin/env python3
"""Write the published copies of the documents into dist/, one YAML and one JSON file each.

    python scripts/bundle.py           # write dist/
    python scripts/bundle.py --check   # fail if dist/ is not what the documents produce

Other languages generate their clients from these files, so each is self-contained (every
`$ref` is internal) and named with the document's `info.version`, e.g.
dist/twofactor-openapi-1.0.0.json. The YAML copy keeps the key order of the source.

dist/index.json lists them by document name (the source's file name without `.yaml`: `twofactor`,
`emulator-admin`, ...). Both distributions ship dist/ as package data (`twofactor/openapi` and
`twofactor_emulator/openapi` are links to it): `twofactor.documents` and the emulator's
`/_emulator/openapi/` find each file through that index.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
# (source document, published name stem) where the stem is not the default `<file name>-openapi`;
# every other openapi/*.yaml is published under the default, so a new document needs no line here.
DOCUMENTS = [
    (ROOT / "openapi" / "twofactor.yaml", "twofactor-openapi"),
    (ROOT / "openapi" / "emulator-admin.yaml", "twofactor-emulator-admin-openapi"),
    (ROOT / "openapi" / "tata-smart2fa.yaml", "tata-smart2fa-openapi"),
    (ROOT / "openapi" / "datatechlabs-sms.yaml", "datatechlabs-sms-openapi"),
]


class BundleError(RuntimeError):
    """A document cannot be published as one self-contained file."""


def external_refs(node: Any, where: str = "#") -> list[str]:
    """Every `$ref` that points outside the document (a bundle must have none)."""
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            found.append(f"{where}: {ref}")
        for key, value in node.items():
            found += external_refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += external_refs(value, f"{where}/{index}")
    return found


INDEX = "index.json"


def documents() -> list[tuple[Path, str]]:
    """Every document of openapi/ with its published stem."""
    stems = {source: stem for source, stem in DOCUMENTS}
    return [
        (source, stems.get(source, f"{source.stem}-openapi")) for source in sorted((ROOT / "openapi").glob("*.yaml"))
    ]


def render(source: Path, stem: str) -> tuple[dict[str, str], dict[str, str]]:
    """The published files of one document (name -> text) and its entry in the index."""
    document = yaml.safe_load(source.read_text())
    refs = external_refs(document)
    if refs:
        raise BundleError(f"{source.name} has external $refs; inline them first: {refs[:3]}")
    version = document["info"]["version"]
    name = f"{stem}-{version}"
    header = f"# Published copy of openapi/{source.name}, written by scripts/bundle.py. Do not edit.\n"
    files = {
        f"{name}.yaml": header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100),
        f"{name}.json": json.dumps(document, indent=2, ensure_ascii=False) + "\n",
    }
    entry = {"title": document["info"]["title"], "version": version, "yaml": f"{name}.yaml", "json": f"{name}.json"}
    return files, entry


def render_all() -> dict[str, str]:
    files: dict[str, str] = {}
    index: dict[str, dict[str, str]] = {}
    for source, stem in documents():
        published, entry = render(source, stem)
        files.update(published)
        index[source.stem] = entry
    files[INDEX] = json.dumps({"documents": dict(sorted(index.items()))}, indent=2, ensure_ascii=False) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if dist/ differs from a fresh bundle")
    args = parser.parse_args(argv)
    try:
        files = render_all()
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    present = {p.name for p in DIST.glob("*")} if DIST.exists() else set()
    if args.check:
        stale = sorted(n for n, text in files.items() if not (DIST / n).exists() or (DIST / n).read_text() != text)
        extra = sorted(present - files.keys())
        if stale or extra:
            print(f"dist/ is stale; run scripts/bundle.py (stale: {stale}, unexpected: {extra})", file=sys.stderr)
            return 1
        print("dist/ matches the documents")
        return 0
    DIST.mkdir(exist_ok=True)
    for name in present - files.keys():
        (DIST / name).unlink()  # an old version's files
    for name, text in files.items():
        (DIST / name).write_text(text)
    print("wrote " + ", ".join(f"dist/{n}" for n in sorted(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
