"""Subcommands for every provider's command line: listed by --help, and a missing one named in words.

argparse's own `required=True` subparsers say "the following arguments are required: action", its
internal name; `require_command` says "choose a command: send, verify" and exits 2 the same way.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["commands", "require_command"]

_DESTINATIONS: list[str] = []  # every `dest` given to `commands`, in the order they nest


def commands(parser: argparse.ArgumentParser, dest: str) -> Any:
    """The subcommands of `parser`, stored in `dest`; check them with `require_command` after parsing."""
    subcommands = parser.add_subparsers(dest=dest, title="commands", metavar="COMMAND")
    parser.set_defaults(**{dest: None, f"_{dest}_parser": parser, f"_{dest}_choices": subcommands.choices})
    if dest not in _DESTINATIONS:
        _DESTINATIONS.append(dest)
    return subcommands


def require_command(options: argparse.Namespace) -> None:
    """Exit 2 with a usage line when a command or subcommand was left out."""
    for dest in _DESTINATIONS:
        parser = getattr(options, f"_{dest}_parser", None)
        if parser is not None and getattr(options, dest, None) is None:
            choices = ", ".join(getattr(options, f"_{dest}_choices"))
            parser.error(f"choose a command: {choices}")
