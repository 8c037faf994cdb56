"""`GET /_emulator/openapi` and `GET /_emulator/openapi/{file}`: the OpenAPI documents this emulator
implements, bundled (every `$ref` internal), as YAML and JSON, so a tool can read them from the
running emulator (Swagger UI, a generator, schemathesis).

The files are the package's `openapi/` folder (the repository's dist/, written by scripts/bundle.py),
listed in its index.json by document name: `twofactor`, `emulator-admin`, and every other document.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from importlib.resources.abc import Traversable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.family import Runtime
from .params import ControlError

MEDIA_TYPES = {"yaml": "application/yaml", "json": "application/json"}
PREFIX = "/_emulator/openapi"


def _folder() -> Traversable:
    return files("twofactor_emulator") / "openapi"


@functools.cache
def index() -> dict[str, dict[str, str]]:
    """Document name -> its title, version and file names (`yaml`, `json`)."""
    documents: dict[str, dict[str, str]] = json.loads(_folder().joinpath("index.json").read_text("utf-8"))["documents"]
    return documents


@functools.cache
def _content(file_name: str) -> bytes:
    return _folder().joinpath(file_name).read_bytes()


async def list_documents(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/openapi: every document, with the paths of its two forms."""
    return JSONResponse(
        {
            "documents": [
                {
                    "name": name,
                    "title": entry["title"],
                    "version": entry["version"],
                    "yaml": f"{PREFIX}/{name}.yaml",
                    "json": f"{PREFIX}/{name}.json",
                }
                for name, entry in sorted(index().items())
            ]
        }
    )


async def get_document(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/openapi/{file}: `<name>.yaml` or `<name>.json`."""
    file = request.path_params["file"]
    name, _, form = file.rpartition(".")
    entry = index().get(name)
    if entry is None or form not in MEDIA_TYPES:
        known = ", ".join(f"{n}.yaml" for n in sorted(index()))
        raise ControlError(f"no document {file[:80]!r}: the documents are {known} (or .json)", 404)
    return Response(_content(entry[form]), media_type=MEDIA_TYPES[form])
