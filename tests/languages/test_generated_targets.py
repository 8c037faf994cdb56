"""Every client target in generated/ carries every operation of its document, every published
document is generated for every other language, and the generator run refuses what would silently
lose an operation (FILEPATH_COLLISION, warnings nobody reviewed)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import BUNDLE, GENERATED, ROOT, operation_ids


def load_generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "scripts" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module  # dataclasses resolve annotations through sys.modules
    sys.path.insert(0, str(ROOT / "scripts"))  # it imports its sibling unasync_clients, as when run as a script
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return module


generate = load_generate()


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z0-9])|(?<=[0-9])(?=[A-Za-z])", "_", name).lower()


# How each client generator spells an operation, and where: (files under the output, pattern for an
# operationId, the one file it must be in or None).
Spelling = tuple[str, Callable[[str], str], Callable[[str], str] | None]
SPELLINGS: dict[str, Spelling] = {
    "openapi-python-client": ("api/*/*.py", lambda op: r"^def sync_detailed\(", lambda op: f"{snake(op)}.py"),
    "openapi-typescript": ("", lambda op: rf"^\s+{op}: \{{$", None),
    "typescript-fetch": ("apis/*.ts", lambda op: rf"^\s+async {op}\(", None),
    "go": ("api_*.go", lambda op: rf"^func \(a \*\w+APIService\) {op[0].upper() + op[1:]}\(ctx", None),
    "java": ("src/main/java/**/api/*.java", lambda op: rf"^\s+public \S+ {op}\(", None),
}
# The documents users download from dist/, and the generators every one of them is proven with.
PUBLISHED = [generate.TWOFACTOR, generate.TATA_SMART2FA, generate.DATATECHLABS]
OTHER_LANGUAGES = {"openapi-typescript", "typescript-fetch", "go", "java"}
CLIENT_TARGETS = [t for t in generate.TARGETS if t.generator != "datamodel-codegen"]


def operations_of(document: Path) -> list[str]:
    """operationIds of the document's paths (webhooks are calls made to you, not client calls)."""
    return operation_ids(document if document.suffix == ".json" else generate.bundled(document))


def test_the_document_has_25_operations() -> None:
    assert len(operation_ids()) == 25


@pytest.mark.parametrize("target", CLIENT_TARGETS, ids=lambda t: t.output)
def test_every_operation_is_in_the_target(target: Any) -> None:  # a generate.Target
    files_glob, pattern_of, module = SPELLINGS[target.generator]
    root = GENERATED / target.output
    files = [root] if root.is_file() else sorted(root.glob(files_glob))
    assert files, f"nothing generated in {root}"
    missing = []
    operations = operations_of(target.document)
    assert operations, f"{target.document.name} has no operations"
    for op in operations:
        if module is not None:  # the Python client: one module per operation
            matches = [f for f in files if f.name == module(op) and re.search(pattern_of(op), f.read_text(), re.M)]
        else:
            matches = [f for f in files if re.search(pattern_of(op), f.read_text(), re.M)]
        if not matches:
            missing.append(op)
    assert not missing, f"{target.output} lacks {missing}"


def test_every_client_target_is_checked() -> None:
    assert {t.generator for t in CLIENT_TARGETS} <= set(SPELLINGS)


@pytest.mark.parametrize("document", PUBLISHED, ids=lambda d: d.name)
def test_every_published_document_generates_every_language(document: Path) -> None:
    generators = {t.generator for t in generate.TARGETS if t.document == generate.bundled(document)}
    assert generators == OTHER_LANGUAGES


def test_a_filepath_collision_fails_the_run(tmp_path: Path) -> None:
    """The document as it was before webhooks had a tag of their own: the bulk delivery report webhook
    shared "Bulk SMS" with sendBulkSms, and its generated file replaced the real operation's."""
    document = json.loads(BUNDLE.read_text())
    for item in document["webhooks"].values():
        item["post"]["tags"] = ["Bulk SMS"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    target = generate.Target(broken, "go", "go/broken", generate.GO_OPTIONS, ("*.go", "go.mod"))
    with pytest.raises(generate.GenerationError, match="files overwrite each other"):
        generate.generate_openapi_generator(target, tmp_path / "out", tmp_path)


def test_in_a_shared_jvm_the_collision_is_blamed_on_its_own_row(tmp_path: Path) -> None:
    """Every openapi-generator row of a run shares one JVM: each row's log must still be its own, so
    a clean row before the broken one passes and the broken one fails the run, named."""
    document = json.loads(BUNDLE.read_text())
    for item in document["webhooks"].values():
        item["post"]["tags"] = ["Bulk SMS"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    clean = next(t for t in generate.TARGETS if t.output == "go/twofactor")
    target = generate.Target(broken, "go", "go/broken", generate.GO_OPTIONS, ("*.go", "go.mod"))
    rows = [(clean, tmp_path / "clean"), (target, tmp_path / "broken")]
    with pytest.raises(generate.GenerationError, match=r"go \(go/broken\): files overwrite each other"):
        generate.generate_openapi_generator_rows(rows, tmp_path)


def test_a_row_the_generator_cannot_run_fails_the_run_and_is_named(tmp_path: Path) -> None:
    not_openapi = tmp_path / "not-openapi.json"
    not_openapi.write_text(json.dumps({"info": {"version": "1.0.0"}}))
    clean = next(t for t in generate.TARGETS if t.output == "java/twofactor")
    broken = generate.Target(not_openapi, "go", "go/not_openapi", generate.GO_OPTIONS, ("*.go",))
    rows = [(clean, tmp_path / "clean"), (broken, tmp_path / "broken")]
    with pytest.raises(generate.GenerationError, match=r"openapi-generator go on not-openapi\.json failed"):
        generate.generate_openapi_generator_rows(rows, tmp_path)


def test_an_unreviewed_warning_fails_the_run() -> None:
    target = generate.TARGETS[-1]
    allowed = "[main] WARN  o.o.codegen.DefaultCodegen - OpenAPI 3.1 support is still in beta. To report..."
    generate.check_generator_log(target, allowed)
    with pytest.raises(generate.GenerationError, match="warned"):
        generate.check_generator_log(target, allowed + "\n[main] WARN  o.o.c.X - Unknown type found in schema")


def test_openapi_typescript_still_refuses_a_malformed_document(tmp_path: Path) -> None:
    """Its Redocly config (scripts/openapi-typescript.redocly.yaml) leaves linting to ./dev lint but keeps
    the well-formedness check: a document whose responses are not an object is not turned into types."""
    document = json.loads(generate.bundled(generate.TATA_SMART2FA).read_text())
    document["paths"]["/2fa/send"]["post"]["responses"] = "200"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    target = generate.Target(broken, "openapi-typescript", "broken.d.ts", generate.OPENAPI_TYPESCRIPT_OPTIONS)
    with pytest.raises(generate.GenerationError, match="Expected type `Responses`"):
        generate.generate_openapi_typescript(target, tmp_path / "broken.d.ts", tmp_path)
