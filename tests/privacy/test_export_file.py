"""The export file stays within Discord's upload limit: gzipped when the JSON is too big, refused when even that is."""

from __future__ import annotations

import gzip
import json
import os

import pytest

from bot.errors import UserFacingError
from cogs.privacy.cog import ATTACHMENT_LIMIT, export_file, parse_user_id
from cogs.privacy.models import MemberExport


def export_of(text_bytes: int) -> MemberExport:
    export = MemberExport(1, 2, 0)
    export.features["qa"] = {"drafts": [{"body": os.urandom(text_bytes // 2).hex()}]}
    return export


def test_a_small_export_is_plain_json() -> None:
    file = export_file(export_of(1000))
    assert file.filename == "member-data-1-2.json"
    assert json.loads(file.fp.read())["user_id"] == "2"


def test_a_big_export_is_gzipped_under_the_limit() -> None:
    file = export_file(export_of(ATTACHMENT_LIMIT + 1_000_000))  # hex text: about half of it after gzip
    data = file.fp.read()
    assert file.filename.endswith(".json.gz") and len(data) <= ATTACHMENT_LIMIT
    assert json.loads(gzip.decompress(data))["features"]["qa"]["drafts"]


def test_an_export_too_big_even_gzipped_is_refused_with_a_reason() -> None:
    with pytest.raises(UserFacingError, match="too large"):
        export_file(export_of(3 * ATTACHMENT_LIMIT))


@pytest.mark.parametrize("typed", ["ana", "12345", "<@!12x>", "1" * 30, ""])
def test_what_is_not_a_user_id_is_refused(typed: str) -> None:
    with pytest.raises(UserFacingError, match="not a Discord user ID"):
        parse_user_id(typed)


def test_a_mention_or_an_id_is_read() -> None:
    assert parse_user_id(" <@!123456789012345678> ") == parse_user_id("123456789012345678") == 123456789012345678
