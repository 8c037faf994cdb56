"""`overrides/` uses only public names of `generated/`: no `_get_kwargs`, no `_parse_response`, no
private module. The generated code may rename its private parts at any version; the custom template
(scripts/templates/openapi-python-client/) makes public what the client needs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = ROOT / "overrides"
GENERATED_PACKAGES = {path.name for path in (ROOT / "generated").iterdir() if (path / "__init__.py").exists()}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _generated_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every private name the module takes from a generated package."""
    found: list[tuple[int, str]] = []
    generated_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in GENERATED_PACKAGES:
            for part in node.module.split("."):
                if _private(part):
                    found.append((node.lineno, node.module))
            for alias in node.names:
                if _private(alias.name):
                    found.append((node.lineno, f"{node.module}.{alias.name}"))
                generated_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in GENERATED_PACKAGES:
                    found += [(node.lineno, alias.name) for part in alias.name.split(".") if _private(part)]
                    generated_aliases.add((alias.asname or alias.name).split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in generated_aliases:
                found.append((node.lineno, f"{base.id}.{node.attr}"))
    return found


def test_overrides_use_no_private_name_of_the_generated_packages() -> None:
    files = sorted(OVERRIDES.rglob("*.py"))
    assert len(files) > 10
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in files
        for line, name in _generated_uses(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offences == []


def test_the_check_finds_a_private_use() -> None:
    """The check itself can fail: it sees an attribute and an imported private name."""
    source = (
        "from twofactor_client.api.otp import send_otp_autogen\n"
        "from twofactor_client.types import _hidden\n"
        "send_otp_autogen._get_kwargs(api_key='k', phone_number='p')\n"
    )
    found = [name for _, name in _generated_uses(ast.parse(source))]
    assert found == ["twofactor_client.types._hidden", "send_otp_autogen._get_kwargs"]


def test_the_private_builder_is_gone_from_the_generated_endpoints() -> None:
    """The template replaced the stock `_get_kwargs`; the public `request_kwargs` is in every endpoint."""
    endpoints = [p for p in (ROOT / "generated" / "twofactor_client" / "api").rglob("*.py") if p.name != "__init__.py"]
    assert endpoints
    for path in endpoints:
        text = path.read_text(encoding="utf-8")
        assert "def request_kwargs(" in text and "OPERATION_ID = " in text and "_get_kwargs" not in text, path
