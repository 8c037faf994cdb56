"""The provider families the emulator serves, in routing order. Adding a provider: a folder
`providers/<name>/` whose `__init__.py` defines `FAMILY` (a `core.family.ProviderFamily`), and one
line here. The first family also shapes errors on paths no family owns.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.config import SectionReader
from ..core.family import ProviderFamily
from . import datatechlabs, tata, twofactor

FAMILIES: tuple[ProviderFamily, ...] = (twofactor.FAMILY, tata.FAMILY, datatechlabs.FAMILY)


def config_sections() -> Mapping[str, SectionReader]:
    """Each family's own top-level config table and its reader (for `core.config.parse_config`)."""
    return {f.config_section: f.read_config for f in FAMILIES if f.config_section and f.read_config}
