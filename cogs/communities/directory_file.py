"""Reading the shipped directory file (data/communities.yaml): every problem named by file, entry and field."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from bot.settings import ConfigError, read_yaml
from cogs.communities.models import KEY_PATTERN, CommunityEntry, EntryError, build_entry

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def resolve_data_path(name: str) -> Path:
    """A data file path: absolute as given; relative to where the bot runs, else to the project."""
    path = Path(name)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path


def parse_directory(raw: Any, source: str) -> list[CommunityEntry]:
    """Validate a whole parsed directory file; every problem is collected before ConfigError is raised."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: (top level): must be a mapping with a 'communities' list")
    problems: list[str] = []
    unknown = sorted(set(raw) - {"version", "communities"})
    problems += [f"{source}: {name}: unknown top-level key (expected version and communities)" for name in unknown]
    if raw.get("version", 1) != 1:
        problems.append(f"{source}: version: this bot reads version 1 of the directory format")
    items = raw.get("communities")
    if not isinstance(items, list) or not items:
        raise ConfigError("\n".join([*problems, f"{source}: communities: must be a non-empty list of entries"]))
    entries: list[CommunityEntry] = []
    seen_keys: dict[str, int] = {}
    seen_names: dict[str, str] = {}
    for index, item in enumerate(items):
        label = _entry_label(item, index)
        if not isinstance(item, dict):
            problems.append(f"{source}: {label}: must be a mapping of fields")
            continue
        try:
            entry = build_entry(item)
        except EntryError as error:
            problems += [f"{source}: {label}.{field}: {problem}" for field, problem in error.problems]
            continue
        if entry.key in seen_keys:
            problems.append(
                f"{source}: {label}.key: {entry.key!r} is used twice (entries {seen_keys[entry.key]}"
                f" and {index}); keys must be unique"
            )
            continue
        folded = entry.name.casefold()
        if folded in seen_names:
            problems.append(f"{source}: {label}.name: {entry.name!r} is also the name of {seen_names[folded]!r}")
            continue
        seen_keys[entry.key] = index
        seen_names[folded] = entry.key
        entries.append(entry)
    for entry in entries:
        if entry.parent is not None and entry.parent not in seen_keys:
            problems.append(f"{source}: communities[{entry.key}].parent: no entry has the key {entry.parent!r}")
        elif entry.parent == entry.key:
            problems.append(f"{source}: communities[{entry.key}].parent: an entry cannot be its own parent")
    if problems:
        raise ConfigError("\n".join(problems))
    return entries


def _entry_label(item: Any, index: int) -> str:
    key = item.get("key") if isinstance(item, dict) else None
    if isinstance(key, str) and KEY_PATTERN.match(key):
        return f"communities[{key}]"
    return f"communities[{index}]"


def load_directory(path: Path) -> list[CommunityEntry]:
    """Read and validate the directory file; any problem becomes a ConfigError naming file, entry and field."""
    try:
        stat = path.stat()
    except OSError:
        stat = None  # read_yaml names the problem
    # Checked once before connecting (settings.check_files) and loaded again when the feature starts: the same
    # unchanged file is parsed once.
    return list(_load(path, None if stat is None else (stat.st_mtime_ns, stat.st_size)))


@functools.lru_cache(maxsize=4)
def _load(path: Path, version: tuple[int, int] | None) -> tuple[CommunityEntry, ...]:
    raw = read_yaml(path, missing_hint="set communities.directory_file in the settings")
    return tuple(parse_directory(raw, str(path)))
