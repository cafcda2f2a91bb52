"""Discord's documented size limits, enforced so the bot meets them here before it meets Discord."""

from __future__ import annotations

import re
from typing import Any

from .router import RestError

NAME_RE = re.compile(r"^[-_\w]{1,32}$")
COMPONENTS_V2 = 1 << 15


class Problems:
    """Collects limit violations and raises one Discord-shaped 400 for all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: str, message: str, code: str = "BASE_TYPE_BAD_LENGTH") -> None:
        """Record one violation at a dotted field path."""
        self.errors.setdefault(path, {"_errors": []})["_errors"].append({"code": code, "message": message})

    def length(self, path: str, value: Any, maximum: int, minimum: int = 0) -> None:
        """Check a string's length."""
        if value is None:
            if minimum:
                self.add(path, "This field is required", "BASE_TYPE_REQUIRED")
            return
        if not minimum <= len(str(value)) <= maximum:
            self.add(path, f"Must be between {minimum} and {maximum} in length.")

    def raise_if_any(self) -> None:
        """Raise the 400 if anything was recorded."""
        if self.errors:
            raise RestError(400, "Invalid Form Body", 50035, self.errors)


def check_embeds(p: Problems, embeds: list[dict[str, Any]]) -> None:
    """Embed limits: 10 embeds, per-field lengths, 6,000 characters in all."""
    if len(embeds) > 10:
        p.add("embeds", "Must be 10 or fewer in length.")
    total = 0
    for i, e in enumerate(embeds):
        pre = f"embeds.{i}"
        p.length(f"{pre}.title", e.get("title"), 256)
        p.length(f"{pre}.description", e.get("description"), 4096)
        fields = e.get("fields") or []
        if len(fields) > 25:
            p.add(f"{pre}.fields", "Must be 25 or fewer in length.")
        for j, f in enumerate(fields):
            p.length(f"{pre}.fields.{j}.name", f.get("name"), 256, 1)
            p.length(f"{pre}.fields.{j}.value", f.get("value"), 1024, 1)
        footer, author = e.get("footer") or {}, e.get("author") or {}
        p.length(f"{pre}.footer.text", footer.get("text"), 2048)
        p.length(f"{pre}.author.name", author.get("name"), 256)
        pieces = [e.get("title"), e.get("description"), footer.get("text"), author.get("name")]
        pieces += [x for f in fields for x in (f.get("name"), f.get("value"))]
        total += sum(len(str(x)) for x in pieces if x)
    if total > 6000:
        p.add("embeds", "Embed size exceeds maximum size of 6000", "MAX_EMBED_SIZE_EXCEEDED")


def _check_select(p: Problems, pre: str, c: dict[str, Any]) -> None:
    p.length(f"{pre}.placeholder", c.get("placeholder"), 150)
    if c.get("type") == 3:
        options = c.get("options") or []
        if not 1 <= len(options) <= 25:
            p.add(f"{pre}.options", "Must be between 1 and 25 in length.")
        for k, o in enumerate(options):
            p.length(f"{pre}.options.{k}.label", o.get("label"), 100, 1)
            p.length(f"{pre}.options.{k}.value", o.get("value"), 100, 1)
            p.length(f"{pre}.options.{k}.description", o.get("description"), 100)
    if int(c.get("max_values", 1)) > 25 or int(c.get("min_values", 1)) > 25:
        p.add(f"{pre}.max_values", "int value should be less than or equal to 25.", "NUMBER_TYPE_MAX")


def check_components(p: Problems, rows: list[dict[str, Any]], flags: int = 0) -> None:
    """Classic components: 5 rows; 5 buttons or one select per row; unique custom_ids of 100 chars or less."""
    seen: set[str] = set()

    def custom_id(pre: str, c: dict[str, Any]) -> None:
        cid = c.get("custom_id")
        if cid is None:
            return
        p.length(f"{pre}.custom_id", cid, 100, 1)
        if cid in seen:
            p.add(f"{pre}.custom_id", "Component custom id cannot be duplicated", "COMPONENT_CUSTOM_ID_DUPLICATED")
        seen.add(cid)

    def walk(pre: str, c: dict[str, Any]) -> int:
        custom_id(pre, c)
        if c.get("type") == 2:
            p.length(f"{pre}.label", c.get("label"), 80)
        if c.get("type") in (3, 5, 6, 7, 8):
            _check_select(p, pre, c)
        count = 1
        for i, child in enumerate(c.get("components") or []):
            count += walk(f"{pre}.components.{i}", child)
        for key in ("accessory", "component"):
            if isinstance(c.get(key), dict):
                count += walk(f"{pre}.{key}", c[key])
        return count

    if flags & COMPONENTS_V2:
        total = sum(walk(f"components.{i}", c) for i, c in enumerate(rows))
        if total > 40:
            p.add("components", "Must be 40 or fewer in total.")
        return
    if len(rows) > 5:
        p.add("components", "Must be 5 or fewer in length.")
    for i, row in enumerate(rows):
        pre = f"components.{i}"
        if row.get("type") != 1:
            p.add(f"{pre}.type", "Top-level components must be action rows without the components-v2 flag.")
            continue
        children = row.get("components") or []
        walk(pre, row)
        buttons = [c for c in children if c.get("type") == 2]
        selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
        if not children or len(buttons) > 5 or len(selects) > 1 or (buttons and selects):
            p.add(f"{pre}.components", "An action row holds 1-5 buttons or exactly one select menu.")
        for j, b in enumerate(buttons):
            if b.get("style") == 5 and not b.get("url"):
                p.add(f"{pre}.components.{j}.url", "Link buttons need a url.")
            if b.get("style") not in (5, 6) and not b.get("custom_id"):
                p.add(f"{pre}.components.{j}.custom_id", "This field is required", "BASE_TYPE_REQUIRED")


def check_message(body: dict[str, Any], *, creating: bool, has_files: bool = False) -> None:
    """Validate a message create/edit body."""
    p = Problems()
    p.length("content", body.get("content"), 2000)
    embeds = body.get("embeds") or []
    check_embeds(p, embeds)
    flags = int(body.get("flags") or 0)
    check_components(p, body.get("components") or [], flags)
    p.raise_if_any()
    empty = not any(body.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll", "attachments"))
    if creating and empty and not has_files:
        raise RestError(400, "Cannot send an empty message", 50006)


def check_modal(data: dict[str, Any]) -> None:
    """Modal limits: title 45, custom_id 100, 1-5 components, text inputs of 4,000 characters at most."""
    p = Problems()
    p.length("data.title", data.get("title"), 45, 1)
    p.length("data.custom_id", data.get("custom_id"), 100, 1)
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        p.add("data.components", "Must be between 1 and 5 in length.")
    for i, top in enumerate(comps):
        inner = top.get("components") or ([top["component"]] if "component" in top else [])
        if top.get("type") == 18:
            p.length(f"data.components.{i}.label", top.get("label"), 45, 1)
            p.length(f"data.components.{i}.description", top.get("description"), 100)
        for j, c in enumerate(inner):
            pre = f"data.components.{i}.components.{j}"
            p.length(f"{pre}.custom_id", c.get("custom_id"), 100, 1)
            if c.get("type") == 4:
                if top.get("type") == 1:
                    p.length(f"{pre}.label", c.get("label"), 45, 1)
                p.length(f"{pre}.value", c.get("value"), 4000)
                p.length(f"{pre}.placeholder", c.get("placeholder"), 100)
                if int(c.get("max_length", 4000)) > 4000:
                    p.add(f"{pre}.max_length", "int value should be less than or equal to 4000.", "NUMBER_TYPE_MAX")
            elif c.get("type") in (3, 5, 6, 7, 8):
                _check_select(p, pre, c)
    p.raise_if_any()


def check_choices(data: dict[str, Any]) -> None:
    """Autocomplete results: at most 25 choices, names 1-100 characters."""
    p = Problems()
    choices = data.get("choices") or []
    if len(choices) > 25:
        p.add("data.choices", "Must be 25 or fewer in length.")
    for i, c in enumerate(choices):
        p.length(f"data.choices.{i}.name", c.get("name"), 100, 1)
        if isinstance(c.get("value"), str):
            p.length(f"data.choices.{i}.value", c.get("value"), 100)
    p.raise_if_any()


# The locales Discord accepts as keys of name_localizations / description_localizations.
LOCALES = frozenset((
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
))


def _check_localized(p: Problems, pre: str, item: dict[str, Any], *, slash_name: bool, name_limit: int) -> None:
    """A command's, option's or choice's translations obey the rules of the text they translate."""
    for field in ("name_localizations", "description_localizations"):
        for locale, text in (item.get(field) or {}).items():
            path = f"{pre}.{field}.{locale}"
            if locale not in LOCALES:
                p.add(path, f"Invalid locale {locale!r}", "APPLICATION_COMMAND_INVALID_LOCALE")
            elif field == "description_localizations":
                p.length(path, text, 100, 1)
            elif slash_name and (not NAME_RE.match(str(text)) or text != str(text).lower()):
                p.add(path, "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME")
            else:
                p.length(path, text, name_limit, 1)


def _check_options(p: Problems, pre: str, options: list[dict[str, Any]]) -> None:
    if len(options) > 25:
        p.add(pre, "Must be 25 or fewer in length.")
    names: set[str] = set()
    optional_seen = False
    for i, o in enumerate(options):
        name = o.get("name", "")
        if not NAME_RE.match(name) or name != name.lower():
            p.add(f"{pre}.{i}.name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME")
        if name in names:
            p.add(f"{pre}.{i}.name", "Option names must be unique", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS")
        names.add(name)
        p.length(f"{pre}.{i}.description", o.get("description"), 100, 1)
        _check_localized(p, f"{pre}.{i}", o, slash_name=True, name_limit=32)
        for j, choice in enumerate(o.get("choices") or []):
            _check_localized(p, f"{pre}.{i}.choices.{j}", choice, slash_name=False, name_limit=100)
        if len(o.get("choices") or []) > 25:
            p.add(f"{pre}.{i}.choices", "Must be 25 or fewer in length.")
        if o.get("type") in (1, 2):
            _check_options(p, f"{pre}.{i}.options", o.get("options") or [])
        elif o.get("required"):
            if optional_seen:
                p.add(f"{pre}.{i}.required", "Required options must be placed before non-required options")
        else:
            optional_seen = True


def check_commands(commands: list[dict[str, Any]]) -> None:
    """Application command limits for one scope."""
    p = Problems()
    by_type: dict[int, int] = {}
    for i, c in enumerate(commands):
        kind = int(c.get("type", 1))
        by_type[kind] = by_type.get(kind, 0) + 1
        name = c.get("name", "")
        if kind == 1:
            if not NAME_RE.match(name) or name != name.lower():
                p.add(f"{i}.name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME")
            p.length(f"{i}.description", c.get("description"), 100, 1)
            _check_localized(p, str(i), c, slash_name=True, name_limit=32)
            _check_options(p, f"{i}.options", c.get("options") or [])
        else:
            p.length(f"{i}.name", name, 32, 1)
            _check_localized(p, str(i), c, slash_name=False, name_limit=32)
    if by_type.get(1, 0) > 100:
        p.add("_", "Maximum number of application commands reached (100)", "APPLICATION_COMMANDS_MAX")
    if by_type.get(2, 0) > 15 or by_type.get(3, 0) > 15:
        p.add("_", "Maximum number of context menu commands reached (15)", "APPLICATION_COMMANDS_MAX")
    p.raise_if_any()
