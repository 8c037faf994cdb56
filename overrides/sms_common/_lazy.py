"""Lazy package attributes: a package's public names whose modules are heavy (httpx, asyncio, the
generated client, cryptography) are imported on first use, so importing the package stays cheap."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

from ._version import distribution_version

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """The module `__getattr__` of `package`: `name` is imported from `modules[name]` (absolute, or
    relative to `package`) on first use and kept in the package; `__version__` is the distribution's."""

    def __getattr__(name: str) -> Any:
        if name == "__version__":
            return distribution_version()
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # the next access is a plain lookup
        return value

    return __getattr__
