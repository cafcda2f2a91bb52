"""The settings file: defaults, validation messages naming file, key and problem."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.settings import ConfigError, load_settings, parse_settings

SHIPPED = Path(__file__).parents[2] / "data" / "config.yaml"


def test_shipped_file_names_a_fresh_servers_channels() -> None:
    settings = load_settings(SHIPPED)
    assert settings.channels.welcome == "welcome"
    assert settings.channels.questions == "questions"
    assert settings.channels.events == "events"
    assert settings.channels.mod_log == "mod-log"
    assert settings.roles.moderator == "Moderators"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("channels:\n  welcom: x\n", "bad.yaml: channels.welcom: unknown key"),
        ("timezone: Mars/Base\n", "bad.yaml: timezone: 'Mars/Base' is not an IANA time zone"),
        ("channels:\n  events: my events\n", "bad.yaml: channels.events: 'my events' is neither a channel ID"),
        ("sync: sometimes\n", "bad.yaml: sync: must be 'guild' or 'global'"),
        ("channels: [\n", "bad.yaml: line 2, column 1: not valid YAML"),
        ("- a\n- b\n", "bad.yaml: (top level): must be a mapping"),
        ("channels: 5\n", "bad.yaml: channels: "),
    ],
)
def test_broken_file_names_file_key_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert expected in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_ids_and_names_are_both_accepted() -> None:
    settings = parse_settings({"channels": {"welcome": 123456789012345678, "events": "#meetups"}}, "x")
    assert settings.channels.welcome == "123456789012345678"
    assert settings.channels.events == "meetups"


@given(st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers(), st.text(max_size=20)), max_size=4))
def test_any_mapping_is_either_valid_or_a_config_error(raw: dict) -> None:
    try:
        parse_settings(raw, "f.yaml")
    except ConfigError as error:
        assert str(error).startswith("f.yaml: ")


def test_redact_filter_scrubs_secrets_from_messages_and_tracebacks() -> None:
    import logging

    from bot.logging_setup import RedactFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token is %s", ("s3cr3t-token",), None)
    record.exc_text = "Traceback ... s3cr3t-token"
    assert RedactFilter(["s3cr3t-token"]).filter(record)
    assert record.getMessage() == "token is [redacted]"
    assert "s3cr3t-token" not in record.exc_text
