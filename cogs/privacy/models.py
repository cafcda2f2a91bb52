"""What the privacy commands work with: one member's export and the outcome of a forget."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXPORT_FORMAT = "community-bot member export"
EXPORT_VERSION = 1


@dataclass
class MemberExport:
    """Everything each running feature stores about one member of one server (docs/privacy.md: the shape)."""

    guild_id: int
    user_id: int
    exported_at: int  # unix seconds
    features: dict[str, dict[str, Any]] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)  # features whose export failed

    def records(self, feature: str) -> int:
        """How many stored records a feature has about them (each row of each list counts one)."""
        return sum(len(rows) if isinstance(rows, list) else 1 for rows in self.features.get(feature, {}).values())

    @property
    def total(self) -> int:
        return sum(self.records(name) for name in self.features)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "guild_id": str(self.guild_id),  # as strings: IDs exceed what JavaScript numbers hold exactly
            "user_id": str(self.user_id),
            "exported_at": self.exported_at,
            "features": self.features,
            "unavailable": self.unavailable,
        }


@dataclass
class ForgetReport:
    """Rows deleted or anonymised per feature; features that failed (the member is told, and may try again)."""

    touched: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.touched.values())
