"""Every client target in generated/ carries every operation of the document, and the generator
run refuses what would silently lose one (FILEPATH_COLLISION, warnings nobody reviewed)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import BUNDLE, GENERATED, ROOT, SOURCE, operation_ids


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


# How each client target spells an operation, and where: (files, pattern for an operationId).
SPELLINGS = {
    "twofactor_client": ("api/*/*.py", lambda op: r"^def sync_detailed\(", lambda op: f"{snake(op)}.py"),
    "openapi-typescript/twofactor.d.ts": ("", lambda op: rf"^\s+{op}: \{{$", None),
    "typescript-fetch/twofactor": ("apis/*.ts", lambda op: rf"^\s+async {op}\(", None),
    "go/twofactor": ("api_*.go", lambda op: rf"^func \(a \*\w+APIService\) {op[0].upper() + op[1:]}\(ctx", None),
    "java/twofactor": ("src/main/java/**/api/*.java", lambda op: rf"^\s+public \S+ {op}\(", None),
}


def test_the_document_has_25_operations() -> None:
    assert len(operation_ids()) == 25


@pytest.mark.parametrize("output", sorted(SPELLINGS))
def test_every_operation_is_in_the_target(output: str) -> None:
    pattern_of = SPELLINGS[output][1]
    root = GENERATED / output
    files = [root] if root.is_file() else sorted(root.glob(SPELLINGS[output][0]))
    assert files, f"nothing generated in {root}"
    missing = []
    for op in operation_ids():
        module = SPELLINGS[output][2]
        if module is not None:  # the Python client: one module per operation
            matches = [f for f in files if f.name == module(op) and re.search(pattern_of(op), f.read_text(), re.M)]
        else:
            matches = [f for f in files if re.search(pattern_of(op), f.read_text(), re.M)]
        if not matches:
            missing.append(op)
    assert not missing, f"{output} lacks {missing}"


def test_every_client_target_is_checked() -> None:
    """Of 2Factor's document; the Python clients of the other providers' documents are checked by
    tests/spec/test_provider_documents.py."""
    clients = {
        t.output for t in generate.TARGETS if t.generator != "datamodel-codegen" and t.document in (SOURCE, BUNDLE)
    }
    assert clients == set(SPELLINGS)


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


def test_an_unreviewed_warning_fails_the_run() -> None:
    target = generate.TARGETS[-1]
    allowed = "[main] WARN  o.o.codegen.DefaultCodegen - OpenAPI 3.1 support is still in beta. To report..."
    generate.check_generator_log(target, allowed)
    with pytest.raises(generate.GenerationError, match="warned"):
        generate.check_generator_log(target, allowed + "\n[main] WARN  o.o.c.X - Unknown type found in schema")
