#!/usr/bin/env python3
"""Regenerate everything in generated/ from the API documents.

    python scripts/generate.py                    # write generated/
    python scripts/generate.py --check            # regenerate into a temporary folder, fail on any difference
    python scripts/generate.py --only go/twofactor  # one row of TARGETS (repeatable)

TARGETS below is the whole pipeline: one row per (document, generator), written to
generated/<output>. Adding a provider or a language is adding rows. Every generator is pinned
(PINNED; the script refuses other versions), every file gets a banner in its language's comment
syntax, and generated/PROVENANCE.json records each row's document sha256, generator version and
options, so the output is byte-identical on every machine.

Python packages are generated from the source document in openapi/ (the one the Python client,
the emulator and the contract tests read). Every other language is generated from the published
bundle in dist/ (scripts/bundle.py), the very file users of those languages download, so CI proves
that the published document generates working clients. openapi-generator runs fail on
FILEPATH_COLLISION (it silently overwrites one operation's file with another's) and on any
warning not in OPENAPI_GENERATOR_WARNINGS_ALLOWED. Its rows share one JVM
(scripts/OpenApiGeneratorRows.java), each row's log checked on its own.

It also writes the synchronous clients of overrides/ from their async sources
(scripts/unasync_clients.py); `--check` fails when one of them drifted.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import bundle
import unasync_clients
import yaml
from openapi_python_client.strings import PythonIdentifier

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
DIST = ROOT / "dist"
NODE_BIN = ROOT / "node_modules" / ".bin"
CLIENT_CONFIG = ROOT / "scripts" / "openapi-python-client.yaml"
# The templates of openapi-python-client this project changes (their README says what and why).
CLIENT_TEMPLATES = ROOT / "scripts" / "templates" / "openapi-python-client"

# The exact versions the checked-in output was made with. A different version may format or
# name things differently, so generating with one is refused rather than silently drifting.
# Python tools are pinned in pyproject.toml (`dev` extra), npm tools in package.json.
PINNED = {
    "openapi-python-client": "0.29.1",
    "datamodel-code-generator": "0.89.0",
    "ruff": "0.17.6",
    "openapi-generator-cli": "7.26.0",  # the PyPI package that ships openapi-generator's jar
    "openapi-typescript": "7.13.0",
}
NPM_TOOLS = {"openapi-typescript"}


def bundled(document: Path) -> Path:
    """The published JSON copy of a document in dist/, named as scripts/bundle.py names it."""
    version = yaml.safe_load(document.read_text())["info"]["version"]
    stem = dict(bundle.documents())[document]
    return DIST / f"{stem}-{version}.json"


TWOFACTOR = ROOT / "openapi" / "twofactor.yaml"
TATA_SMART2FA = ROOT / "openapi" / "tata-smart2fa.yaml"
DATATECHLABS = ROOT / "openapi" / "datatechlabs-sms.yaml"
# Their published bundles: every language but Python is generated from these.
TWOFACTOR_JSON = bundled(TWOFACTOR)
TATA_SMART2FA_JSON = bundled(TATA_SMART2FA)
DATATECHLABS_JSON = bundled(DATATECHLABS)


# --- options, each with the reason it is there ---------------------------------------------------

MODEL_OPTIONS = (
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--use-annotated",
    "--collapse-root-models",  # plain `str` fields with constraints, not RootModel wrappers
    "--set-default-enum-member",  # defaults as enum members, so the models type-check
    "--field-constraints",
    "--use-standard-collections",
    "--use-union-operator",
    "--snake-case-field",
    "--allow-population-by-field-name",
    "--disable-timestamp",
    "--use-title-as-name",
    "--use-operation-id-as-name",
    "--openapi-scopes", "schemas", "paths", "parameters", "webhooks",
    "--formatters", "ruff-check", "ruff-format",
)  # fmt: skip

PYTHON_CLIENT_OPTIONS = (
    "--meta", "none",  # the package folder only; pyproject.toml at the root ships it
    "--fail-on-warning",  # a dropped operation is an error, not a silent skip
)  # fmt: skip

# openapi-typescript's output defaults are what we want: one file of types (`paths`, `operations`,
# `components`, `webhooks`) for openapi-fetch, no runtime code.
OPENAPI_TYPESCRIPT_OPTIONS = (
    # Its Redocly check of the input, explicit (a path relative to the repository root, where it runs):
    # without it the rules come from whatever redocly.yaml is found from the working folder up, and
    # the recommended example check rejects every valid example of an `if`/`then` field rule (Tata's
    # send, datatechlabs' send). The file says what it keeps (well-formedness) and why.
    "--redocly", "scripts/openapi-typescript.redocly.yaml",
)  # fmt: skip

# Options every openapi-generator target shares.
OPENAPI_GENERATOR_COMMON = (
    # Only the code: the generated tests are empty skeletons that need a test framework from a
    # package registry, and the Markdown docs repeat the document.
    "--global-property", "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false",
    "--additional-properties", "hideGenerationTimestamp=true",  # no date in the output: --check stays stable
)  # fmt: skip

TS_FETCH_OPTIONS = (
    *OPENAPI_GENERATOR_COMMON,
    # ES2015+ output (Promise, Map, Object.entries) without polyfill typings: compiles under
    # `tsc --strict` with a modern lib and runs on Node 18+'s global fetch.
    "--additional-properties", "supportsES6=true",
)  # fmt: skip

GO_OPTIONS = (
    *OPENAPI_GENERATOR_COMMON,
    # The success and error replies share their shape and differ only by `Status` (a `const`,
    # which Go does not check): without the discriminator lookup every reply "matches more than
    # one schema in oneOf" and fails to decode.
    "--additional-properties", "useOneOfDiscriminatorLookup=true",
    "--additional-properties", "packageName={name}",  # `package twofactor`, not the default `openapi`
    # Enum constants carry their type's name (R1MODULE_TRANS_SMS, not TRANS_SMS): enums of one
    # package share a namespace, and two of them with a common value would not compile.
    "--additional-properties", "enumClassPrefix=true",
    # The module path mirrors the folder (twofactor-toolkit/generated/go/<package>). It has no
    # dot, so `go` never tries to download it: use it through a `replace` directive.
    "--git-host", "twofactor-toolkit",
    "--git-user-id", "generated",
    "--git-repo-id", "go",
    "--additional-properties", "isGoSubmodule=true",  # module path ends with the package name
    # The generated go.mod then needs nothing outside the standard library (no validator or
    # x/oauth2 import is produced for this document); the round trip builds with GOPROXY=off.
)  # fmt: skip

JAVA_OPTIONS = (
    *OPENAPI_GENERATOR_COMMON,
    # java.net.http (JDK 11+) instead of OkHttp/Jersey/etc., none of which Debian packages in a
    # matching version; Jackson 2.14 annotations/core/databind come from Debian.
    "--library", "native",
    # No org.openapitools:jackson-databind-nullable (not in Debian): the document has no nullable field.
    "--additional-properties", "openApiNullable=false",
    # jakarta.annotation (Debian's libjakarta-annotation-api-java) rather than javax.annotation-api.
    "--additional-properties", "useJakartaEe=true",
    # java.util.Date for `format: date`/`date-time` fields, which plain jackson-databind reads:
    # the default java.time types need jackson-datatype-jsr310, which Debian does not package.
    # JAVA_TEMPLATE_EDITS removes the module's registration that the templates keep regardless.
    "--additional-properties", "dateLibrary=legacy",
    # Java packages cannot contain `-`, and `in.twofactor` would start with the keyword `in`.
    "--additional-properties", "invokerPackage={java_package}",
    "--additional-properties", "apiPackage={java_package}.api,modelPackage={java_package}.model",
    "--additional-properties", "groupId=twofactor-toolkit,artifactId={name}-client,artifactVersion={version}",
)  # fmt: skip

JAVA_WEBHOOK_FORM_OPTIONS = (
    *JAVA_OPTIONS,
    # For a document whose only form body is a webhook's (datatechlabs' delivery receipt, POSTed
    # as a form): the generator decides whether the API files import Apache HttpComponents (its
    # form-body builder) from the operations under `paths` alone, so the webhook's generated call
    # uses classes it never imports and does not compile. This flag turns those imports on.
    "--additional-properties", "hasFormParamsInSpec=true",
)  # fmt: skip

# The Java `native` templates register jackson-datatype-jsr310's JavaTimeModule even when no
# java.time type is generated (dateLibrary=legacy). These lines are removed from the pinned jar's
# templates before generation (a line missing from the template is an error, so a new generator
# version cannot silently keep them), and the two supporting files built on that module are not
# kept (JAVA_DROPPED). Everything else is the generator's own template.
JAVA_TEMPLATE_EDITS = {
    "Java/libraries/native/ApiClient.mustache": (
        "import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;",
        "    mapper.registerModule(new JavaTimeModule());",
        "    mapper.registerModule(new RFC3339JavaTimeModule());",
    ),
    "Java/libraries/native/JSON.mustache": (
        "import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;",
        "        .addModule(new JavaTimeModule())",
    ),
}
JAVA_DROPPED = ("**/RFC3339InstantDeserializer.java", "**/RFC3339JavaTimeModule.java")

# Warnings openapi-generator may print that do not mean lost or wrong output. Any other warning
# (and FILEPATH_COLLISION in particular: one operation's file overwritten by another's) fails
# the run. Each entry is a substring of the log line.
OPENAPI_GENERATOR_WARNINGS_ALLOWED = (
    # Printed for every OpenAPI 3.1 document, whatever its content.
    "OpenAPI 3.1 support is still in beta",
    # Printed when a response body is a oneOf (the success/error unions): it names the inline union
    # it cannot give a name to, and generates it under the schema's own name.
    # tests/languages/test_generated_targets.py checks every operation is still there.
    "Failed to get the schema name: null",
    # Java only: the bulk request's example is an object, which it leaves out of a Javadoc comment.
    "Ignoring complex example on request body",
)


# What each openapi-generator target keeps of its output (Target.keep).
TS_FETCH_FILES = ("**.ts",)
GO_FILES = ("*.go", "go.mod")
JAVA_FILES = ("src/main/**.java", "pom.xml")


# --- the table ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """One row: `generator` run on `document`, written to generated/<output>."""

    document: Path
    generator: str  # a key of RUNNERS
    output: str  # a folder (or, for openapi-typescript, a file) under generated/
    options: tuple[str, ...] = ()
    # openapi-generator rows: fnmatch patterns (`*` crosses `/`) of the paths, relative to the output
    # folder, of the files to keep, then to drop; the rest is build scaffolding (git_push.sh, gradle
    # wrappers, CI files, README) that a package here does not use.
    keep: tuple[str, ...] = ("**",)
    drop: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The output's last path part: the Python/Go package name, the Java package root."""
        return Path(self.output).name.split(".")[0]


TARGETS = [
    Target(TWOFACTOR, "openapi-python-client", "twofactor_client", PYTHON_CLIENT_OPTIONS),
    Target(TWOFACTOR, "datamodel-codegen", "twofactor_models", MODEL_OPTIONS),
    Target(TATA_SMART2FA, "openapi-python-client", "tata_smart2fa_client", PYTHON_CLIENT_OPTIONS),
    Target(TATA_SMART2FA, "datamodel-codegen", "tata_smart2fa_models", MODEL_OPTIONS),
    Target(DATATECHLABS, "openapi-python-client", "datatechlabs_client", PYTHON_CLIENT_OPTIONS),
    Target(DATATECHLABS, "datamodel-codegen", "datatechlabs_models", MODEL_OPTIONS),
    Target(TWOFACTOR_JSON, "openapi-typescript", "openapi-typescript/twofactor.d.ts", OPENAPI_TYPESCRIPT_OPTIONS),
    Target(TWOFACTOR_JSON, "typescript-fetch", "typescript-fetch/twofactor", TS_FETCH_OPTIONS, TS_FETCH_FILES),
    Target(TWOFACTOR_JSON, "go", "go/twofactor", GO_OPTIONS, GO_FILES),
    Target(TWOFACTOR_JSON, "java", "java/twofactor", JAVA_OPTIONS, JAVA_FILES, JAVA_DROPPED),
    Target(
        TATA_SMART2FA_JSON, "openapi-typescript", "openapi-typescript/tata_smart2fa.d.ts", OPENAPI_TYPESCRIPT_OPTIONS
    ),
    Target(TATA_SMART2FA_JSON, "typescript-fetch", "typescript-fetch/tata_smart2fa", TS_FETCH_OPTIONS, TS_FETCH_FILES),
    Target(TATA_SMART2FA_JSON, "go", "go/tata_smart2fa", GO_OPTIONS, GO_FILES),
    Target(TATA_SMART2FA_JSON, "java", "java/tata_smart2fa", JAVA_OPTIONS, JAVA_FILES, JAVA_DROPPED),
    Target(DATATECHLABS_JSON, "openapi-typescript", "openapi-typescript/datatechlabs.d.ts", OPENAPI_TYPESCRIPT_OPTIONS),
    Target(DATATECHLABS_JSON, "typescript-fetch", "typescript-fetch/datatechlabs", TS_FETCH_OPTIONS, TS_FETCH_FILES),
    Target(DATATECHLABS_JSON, "go", "go/datatechlabs", GO_OPTIONS, GO_FILES),
    Target(DATATECHLABS_JSON, "java", "java/datatechlabs", JAVA_WEBHOOK_FORM_OPTIONS, JAVA_FILES, JAVA_DROPPED),
]


class GenerationError(RuntimeError):
    """A generator failed, warned, or is not the pinned version."""


# --- running the generators -------------------------------------------------------------------------


def npm_version(package: str) -> str:
    manifest = ROOT / "node_modules" / package / "package.json"
    if not manifest.exists():
        raise GenerationError(f"{package} is not installed in node_modules; run ./dev setup")
    version: str = json.loads(manifest.read_text())["version"]
    return version


def check_versions(generators: set[str]) -> dict[str, str]:
    tools = {TOOL_OF[g] for g in generators} | ({"ruff"} if generators & PYTHON_GENERATORS else set())
    found = {name: npm_version(name) if name in NPM_TOOLS else metadata.version(name) for name in sorted(tools)}
    wrong = {n: v for n, v in found.items() if v != PINNED[n]}
    if wrong:
        detail = ", ".join(f"{n} {v} (pinned {PINNED[n]})" for n, v in wrong.items())
        raise GenerationError(f"generator versions differ from the pins: {detail}. Run ./dev setup.")
    return found


def run(cmd: list[str], cwd: Path | None = None) -> str:
    env = dict(os.environ)
    # The pinned ruff lives next to this interpreter; post hooks must find it before any other.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["RUFF_NO_CACHE"] = "true"  # a .ruff_cache would land inside generated/
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise GenerationError(f"{' '.join(cmd[:3])} failed:\n{output}")
    return output


def python_client_view(document: dict[str, Any]) -> dict[str, Any]:
    """The document as openapi-python-client reads it, with one difference it cannot handle.

    A request body that is plain text in every media type (the encrypted route's base64 envelope,
    as `text/plain` and as the form content type the docs' cURL sends) defeats it twice: it picks
    the body to send by its Python type, so two `str` bodies give two identical `isinstance`
    branches, and it sends a body that is neither JSON nor a form only as a `File`. Such a body
    keeps only its first media type here, as the raw body the generator knows (`format: binary`).
    The wire does not change: the client sends the same base64 text with that content type.
    """
    view: dict[str, Any] = json.loads(json.dumps(document))
    for item in view.get("paths", {}).values():
        for operation in item.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not isinstance(body, dict) or not body.get("content"):
                continue
            content = body["content"]
            if all(media.get("schema", {}).get("type") == "string" for media in content.values()):
                first, media = next(iter(content.items()))
                body["content"] = {first: {**media, "schema": {**media["schema"], "format": "binary"}}}
    return view


def operation_ids(spec: Path) -> dict[str, str]:
    """operationId of every operation of the document's paths, by the module name openapi-python-client
    gives it (its own `PythonIdentifier`, with the config's field prefix)."""
    document = yaml.safe_load(spec.read_text())
    config = yaml.safe_load(CLIENT_CONFIG.read_text())
    prefix = config.get("field_prefix", "field_")
    by_name: dict[str, str] = {}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                by_name[str(PythonIdentifier(operation["operationId"], prefix=prefix))] = operation["operationId"]
    return by_name


def client_templates(into: Path, spec: Path) -> Path:
    """This project's templates plus `operation_ids.jinja` for this document, in a scratch folder."""
    templates = into / "templates"
    shutil.copytree(CLIENT_TEMPLATES, templates, ignore=shutil.ignore_patterns("*.md"))
    table = json.dumps(operation_ids(spec), indent=1, sort_keys=True)
    (templates / "operation_ids.jinja").write_text(f"{{% set BY_NAME = {table} %}}\n")
    return templates


def check_operation_ids(package: Path, spec: Path) -> None:
    """Every endpoint module names an operationId of the document, and every operation has a module."""
    found: dict[str, str] = {}
    for module in sorted((package / "api").rglob("*.py")):
        for line in module.read_text().splitlines():
            if line.startswith("OPERATION_ID = "):
                found[str(module.relative_to(package))] = json.loads(line.removeprefix("OPERATION_ID = "))
    missing = sorted(set(operation_ids(spec).values()) - set(found.values()))
    unnamed = sorted(name for name, operation in found.items() if not operation)
    if missing or unnamed:
        raise GenerationError(f"endpoint modules without an operationId: {unnamed}; operations without one: {missing}")


def generate_python_client(target: Target, dest: Path, scratch: Path) -> None:
    view = scratch / f"{target.name}.view.json"
    view.write_text(json.dumps(python_client_view(yaml.safe_load(target.document.read_text()))))
    # The shared config, with this document's package name (a title starting with a digit,
    # "2Factor ...", would otherwise give a package name Python cannot import).
    config = yaml.safe_load(CLIENT_CONFIG.read_text())
    config["package_name_override"] = target.name
    config["project_name_override"] = target.name.replace("_", "-")
    config_path = scratch / f"{target.name}.config.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    command = [str(Path(sys.executable).parent / "openapi-python-client"), "generate", "--path", str(view)]
    templates = client_templates(scratch / target.name, target.document)
    command += ["--config", str(config_path), "--custom-template-path", str(templates)]
    output = run([*command, "--output-path", str(dest), "--overwrite", *target.options])
    if "ruff is not in PATH" in output:
        raise GenerationError("openapi-python-client could not find ruff; output would be unformatted")
    check_operation_ids(dest, target.document)
    (dest / "py.typed").write_text("")  # PEP 561: type checkers read the generated annotations


def generate_python_models(target: Target, dest: Path, scratch: Path) -> None:
    dest.mkdir(parents=True)
    datamodel_codegen = str(Path(sys.executable).parent / "datamodel-codegen")
    run([datamodel_codegen, "--input", str(target.document), "--output", str(dest / "__init__.py"), *target.options])
    (dest / "py.typed").write_text("")


def generate_openapi_typescript(target: Target, dest: Path, scratch: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    command = [str(NODE_BIN / "openapi-typescript"), str(target.document), "-o", str(dest), *target.options]
    output = run(command, cwd=ROOT)  # the options name files relative to the root
    noise = [line for line in output.splitlines() if line.strip() and not line.lstrip().startswith(("✨", "🚀"))]
    if noise:
        raise GenerationError("openapi-typescript printed more than its banner:\n" + "\n".join(noise))


def openapi_generator_jar() -> Path:
    jar = Path(str(metadata.distribution("openapi-generator-cli").locate_file("openapi_generator_cli")))
    return jar / "openapi-generator.jar"


def java_templates(scratch: Path) -> Path:
    """The pinned jar's templates named in JAVA_TEMPLATE_EDITS, with the listed lines removed."""
    folder = scratch / "java-templates"
    with zipfile.ZipFile(openapi_generator_jar()) as jar:
        for name, removed in JAVA_TEMPLATE_EDITS.items():
            lines = jar.read(name).decode().split("\n")
            for line in removed:
                if lines.count(line) != 1:
                    raise GenerationError(f"{name} no longer has exactly one line {line!r}; review JAVA_TEMPLATE_EDITS")
                lines.remove(line)
            # The template folder is searched like the jar's own: Java/<file> or libraries/<library>/<file>.
            path = folder / name.removeprefix("Java/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines))
    return folder


def check_generator_log(target: Target, output: str) -> None:
    if "FILEPATH_COLLISION" in output or "Duplicate file path" in output:
        collisions = [line for line in output.splitlines() if "Duplicate file path" in line or "COLLISION" in line]
        raise GenerationError(
            f"openapi-generator {target.generator} ({target.output}): files overwrite each other "
            "(an operation is lost):\n" + "\n".join(collisions)
        )
    unexpected = [
        line
        for line in output.splitlines()
        if (" WARN " in line or " ERROR " in line) and not any(a in line for a in OPENAPI_GENERATOR_WARNINGS_ALLOWED)
    ]
    if unexpected:
        raise GenerationError(
            f"openapi-generator {target.generator} ({target.output}) warned (add to "
            "OPENAPI_GENERATOR_WARNINGS_ALLOWED only with a comment saying why it is harmless):\n"
            + "\n".join(unexpected)
        )


def resolved_options(target: Target) -> list[str]:
    """The row's options with {name}, {java_package} and {version} filled in for its document."""
    if target.generator in PYTHON_GENERATORS:
        return list(target.options)  # the Python rows name their packages by their output folder instead
    version = yaml.safe_load(target.document.read_text())["info"]["version"]
    fields = {"name": target.name, "java_package": target.name.replace("-", "_") + ".client", "version": version}
    return [option.format(**fields) for option in target.options]


# One JVM runs every openapi-generator row of a run (a JVM's start and warm-up cost more than one
# generation): this program calls the generator's own entry point once per row.
OPENAPI_GENERATOR_ROWS_PROGRAM = ROOT / "scripts" / "OpenApiGeneratorRows.java"
OPENAPI_GENERATOR_ROW_MARKER = "@@openapi-generator-row "


def generate_openapi_generator(target: Target, dest: Path, scratch: Path) -> None:
    generate_openapi_generator_rows([(target, dest)], scratch)


def generate_openapi_generator_rows(rows: list[tuple[Target, Path]], scratch: Path) -> None:
    """Every (openapi-generator row, destination) of `rows`, in one JVM; each row's log is checked on its own."""
    if not rows:
        return
    java = shutil.which("java")
    if java is None:
        raise GenerationError("openapi-generator needs Java (Debian: default-jdk-headless); run ./dev setup")
    row_files: dict[str, tuple[Target, Path, Path]] = {}
    for index, (target, dest) in enumerate(rows):
        options = resolved_options(target)
        if target.generator == "java":
            options += ["--template-dir", str(java_templates(scratch))]
        raw = scratch / f"{target.generator}-{target.name}-{index}"
        row_file = scratch / f"openapi-generator-row-{index}.args"
        row_file.write_text(
            "\n".join(["generate", "-g", target.generator, "-i", str(target.document), "-o", str(raw), *options])
        )
        row_files[str(row_file)] = (target, dest, raw)
    command = [java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", str(openapi_generator_jar())]
    # The generator logs some warnings only once per JVM (its OnceLogger): off, so that every row's
    # log has every warning of its own generation, as in a JVM of its own.
    command.insert(1, "-Dorg.openapitools.codegen.utils.oncelogger.enabled=false")
    command += [str(OPENAPI_GENERATOR_ROWS_PROGRAM), *row_files]
    proc = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    logs: dict[str, list[str]] = {}
    current: list[str] = []  # the lines before the first row's marker: the JVM's own, if any
    for line in (proc.stdout + proc.stderr).splitlines():
        if line.startswith(OPENAPI_GENERATOR_ROW_MARKER):
            current = logs.setdefault(line.removeprefix(OPENAPI_GENERATOR_ROW_MARKER), [])
        else:
            current.append(line)
    if proc.returncode != 0:
        failed = [row_files[name][0] for name in logs][-1:] or [rows[0][0]]
        raise GenerationError(
            f"openapi-generator {failed[0].generator} on {failed[0].document.name} failed:\n"
            + proc.stdout[-6000:]
            + proc.stderr[-6000:]
        )
    for name, (target, dest, raw) in row_files.items():
        check_generator_log(target, "\n".join(logs.get(name, [])))
        for path in sorted(raw.rglob("*")):
            relative = path.relative_to(raw).as_posix()
            kept = any(fnmatch.fnmatch(relative, p) for p in target.keep)
            if path.is_file() and kept and not any(fnmatch.fnmatch(relative, p) for p in target.drop):
                (dest / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest / relative)


Runner = Callable[[Target, Path, Path], None]
RUNNERS: dict[str, Runner] = {
    "openapi-python-client": generate_python_client,
    "datamodel-codegen": generate_python_models,
    "openapi-typescript": generate_openapi_typescript,
    "typescript-fetch": generate_openapi_generator,
    "go": generate_openapi_generator,
    "java": generate_openapi_generator,
}
TOOL_OF = {
    "openapi-python-client": "openapi-python-client",
    "datamodel-codegen": "datamodel-code-generator",
    "openapi-typescript": "openapi-typescript",
    "typescript-fetch": "openapi-generator-cli",
    "go": "openapi-generator-cli",
    "java": "openapi-generator-cli",
}
PYTHON_GENERATORS = {"openapi-python-client", "datamodel-codegen"}


# --- banners and provenance -------------------------------------------------------------------------


def banner_lines(target: Target) -> list[str]:
    source = target.document.relative_to(ROOT).as_posix()
    change = (
        "the document, the generator config or overrides/"
        if target.generator in PYTHON_GENERATORS
        else "the document or the options in scripts/generate.py"
    )
    return [
        f"Generated by scripts/generate.py from {source}. Do not edit by hand:",
        f"change {change}, then regenerate.",
    ]


# How each kind of generated file takes a comment (a kept file of another kind is an error).
COMMENT_STYLES: dict[str, Callable[[list[str]], str]] = {
    ".py": lambda lines: "".join(f"# {line}\n" for line in lines),
    ".ts": lambda lines: "".join(f"// {line}\n" for line in lines),
    ".go": lambda lines: "".join(f"// {line}\n" for line in lines),
    ".mod": lambda lines: "".join(f"// {line}\n" for line in lines),  # go.mod
    ".java": lambda lines: "".join(f"// {line}\n" for line in lines),
    ".xml": lambda lines: "<!--\n" + "".join(f"  {line}\n" for line in lines) + "-->\n",  # pom.xml
}


def add_banners(target: Target, dest: Path) -> None:
    files = [dest] if dest.is_file() else sorted(p for p in dest.rglob("*") if p.is_file() and p.name != "py.typed")
    for path in files:
        style = COMMENT_STYLES.get(path.suffix)
        if style is None:
            raise GenerationError(f"{path.name}: no banner style for {path.suffix!r} files; keep it out or add one")
        # Generators write their own headers; ours goes first either way.
        path.write_text(style(banner_lines(target)) + path.read_text())


def client_template_hashes() -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(CLIENT_TEMPLATES.glob("*.jinja"))
    }


def write_provenance(out: Path, targets: list[Target], versions: dict[str, str]) -> None:
    documents = sorted({t.document for t in targets})
    provenance = {
        "note": "Written by scripts/generate.py. CI regenerates and compares (scripts/generate.py --check).",
        "documents": {
            d.relative_to(ROOT).as_posix(): {"sha256": hashlib.sha256(d.read_bytes()).hexdigest()} for d in documents
        },
        "generators": versions,
        "targets": [
            {
                "output": f"generated/{t.output}",
                "generator": t.generator,
                "tool": f"{TOOL_OF[t.generator]} {versions[TOOL_OF[t.generator]]}",
                "document": t.document.relative_to(ROOT).as_posix(),
                "options": resolved_options(t),
                **({"template_lines_removed": JAVA_TEMPLATE_EDITS} if t.generator == "java" else {}),
                **({"custom_templates": client_template_hashes()} if t.generator == "openapi-python-client" else {}),
            }
            for t in targets
        ],
    }
    (out / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")


def generate_into(out: Path, targets: list[Target]) -> dict[str, float]:
    """Generate the rows into `out`; the seconds the Python rows and the other-language rows took
    (the multi-target stage `./dev test` reports on its own)."""
    versions = check_versions({t.generator for t in targets})
    missing = sorted({t.document.relative_to(ROOT).as_posix() for t in targets if not t.document.exists()})
    if missing:
        raise GenerationError(f"{', '.join(missing)} missing: run scripts/bundle.py (./dev bundle) first")
    out.mkdir(parents=True, exist_ok=True)
    seconds = {"Python": 0.0, "other-language": 0.0}
    with tempfile.TemporaryDirectory(prefix="twofactor-gen-scratch-") as tmp:
        scratch = Path(tmp)
        start = time.monotonic()
        shared_jvm = [t for t in targets if RUNNERS[t.generator] is generate_openapi_generator]
        generate_openapi_generator_rows([(t, out / t.output) for t in shared_jvm], scratch)
        seconds["other-language"] += time.monotonic() - start
        for target in targets:
            start = time.monotonic()
            dest = out / target.output
            if target not in shared_jvm:
                RUNNERS[target.generator](target, dest, scratch)
            add_banners(target, dest)
            group = "Python" if target.generator in PYTHON_GENERATORS else "other-language"
            seconds[group] += time.monotonic() - start
    write_provenance(out, targets, versions)
    return seconds


# --- check mode ---------------------------------------------------------------------------------------


def tree(folder: Path, outputs: list[str]) -> dict[str, bytes]:
    files = {}
    for output in outputs:
        root = folder / output
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def compare(expected: Path, actual: Path, targets: list[Target]) -> list[str]:
    """Differences between a fresh generation (expected) and generated/ (actual)."""
    outputs = [t.output for t in targets]
    if targets == TARGETS:
        # The whole folder: a folder no row writes is stale too.
        outputs = sorted({p.name for p in (*expected.iterdir(), *actual.iterdir())} - {"__pycache__"})
    want, have = tree(expected, outputs), tree(actual, outputs)
    problems = [f"missing from generated/: {name}" for name in sorted(want.keys() - have.keys())]
    problems += [f"not produced by the generator: generated/{name}" for name in sorted(have.keys() - want.keys())]
    for name in sorted(want.keys() & have.keys()):
        if want[name] != have[name]:
            diff = difflib.unified_diff(
                have[name].decode(errors="replace").splitlines(),
                want[name].decode(errors="replace").splitlines(),
                f"generated/{name}",
                f"regenerated/{name}",
                lineterm="",
                n=1,
            )
            problems.append("\n".join(list(diff)[:40]))
    return problems


def select(only: list[str]) -> list[Target]:
    if not only:
        return TARGETS
    unknown = set(only) - {t.output for t in TARGETS}
    if unknown:
        raise GenerationError(f"no such output: {', '.join(sorted(unknown))}; known: {[t.output for t in TARGETS]}")
    return [t for t in TARGETS if t.output in only]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if generated/ differs from a fresh generation")
    parser.add_argument(
        "--output", type=Path, default=GENERATED, help="folder to write (default: generated/); with --check, to compare"
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="OUTPUT", help="only this row (its output, e.g. go/twofactor)"
    )
    args = parser.parse_args(argv)
    try:
        targets = select(args.only)
        with tempfile.TemporaryDirectory(prefix="twofactor-gen-") as tmp:
            fresh = Path(tmp) / "generated"
            seconds = generate_into(fresh, targets)
            if args.check:
                problems = compare(fresh, args.output, targets) + unasync_clients.stale()
                if problems:
                    stale = "generated/ or a sync client is stale or was edited by hand; run scripts/generate.py:"
                    print(stale, file=sys.stderr)
                    print("\n".join(problems), file=sys.stderr)
                    return 1
                timing = ", ".join(f"{group} rows {s:.1f} s" for group, s in seconds.items() if s)
                print(
                    f"generated/ matches the documents ({len(targets)} targets; {timing}); "
                    "the sync clients match their sources"
                )
                return 0
            if targets != TARGETS:
                raise GenerationError("--only is for --check: PROVENANCE.json must list every row")
            if args.output.exists():
                shutil.rmtree(args.output)
            shutil.copytree(fresh, args.output)
            unasync_clients.write()
            print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
            return 0
    except (GenerationError, unasync_clients.TwinError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
