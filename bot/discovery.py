"""Which feature packages exist: every package under `cogs/`, so a new feature is found without editing `bot/`."""

from __future__ import annotations

import pkgutil

import cogs


def feature_packages() -> list[str]:
    """Names of the packages under cogs/, in a stable order."""
    return sorted(m.name for m in pkgutil.iter_modules(cogs.__path__) if m.ispkg)
