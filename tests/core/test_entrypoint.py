"""`python -m bot` as a user runs it: configuration mistakes give one clear message and exit code 2; the command
line's subcommands and help."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.environment import load_environment
from bot.settings import ConfigError

ROOT = Path(__file__).parents[2]


def run_bot(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the entry point in a clean environment from an empty folder (no stray .env)."""
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=base | env, capture_output=True, text=True, timeout=60
    )


def test_missing_token_says_what_to_set(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: DISCORD_TOKEN is not set: put your bot token in a .env file (see .env.example) or the environment."
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_token_from_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-dotenv\nBOT_CONFIG=missing.yaml\n")
    result = run_bot(tmp_path, {})
    assert result.returncode == 2
    assert "missing.yaml: file not found" in result.stderr  # got past the token check


def test_broken_settings_name_file_key_and_problem(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("channels:\n  questions: 42 things\nroles:\n  moderatr: Mods\n")
    result = run_bot(tmp_path, {"DISCORD_TOKEN": "secret-token-value", "BOT_CONFIG": str(config)})
    assert result.returncode == 2
    assert f"{config}: channels.questions: '42 things' is neither a channel ID nor a channel name" in result.stderr
    assert f"{config}: roles.moderatr: unknown key" in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines), lines  # every line, not the first
    assert "Traceback" not in result.stderr
    assert "secret-token-value" not in result.stderr + result.stdout


def test_bad_yaml_gives_line_and_column(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("channels:\n  welcome: [unclosed\n")
    result = run_bot(tmp_path, {"DISCORD_TOKEN": "t", "BOT_CONFIG": str(config)})
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {config}: line ")
    assert "not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_subcommands_and_the_exit_codes(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {}, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: community-bot [-h] [COMMAND]")
    for command in ("run", "invite"):
        assert re.search(rf"^\s+{command}\s+\S", result.stdout, re.MULTILINE), result.stdout
    assert "3 Discord could not be reached" in " ".join(result.stdout.split())


def test_an_unknown_subcommand_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {"DISCORD_TOKEN": "secret-token-value"}, "start")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: argument COMMAND: invalid choice: 'start' (choose from ")
    assert line.endswith(" (see community-bot --help)")


def test_the_run_subcommand_is_what_no_subcommand_does(tmp_path: Path) -> None:
    plain = run_bot(tmp_path, {"DISCORD_TOKEN": "secret-token-value", "BOT_CONFIG": "missing.yaml"})
    run = run_bot(tmp_path, {"DISCORD_TOKEN": "secret-token-value", "BOT_CONFIG": "missing.yaml"}, "run")
    assert (plain.returncode, plain.stderr) == (run.returncode, run.stderr) == (
        2, "error: missing.yaml: file not found (set BOT_CONFIG or copy data/config.yaml)\n"
    )


def test_login_timeout_defaults_to_60_seconds_and_is_read_from_the_environment() -> None:
    assert load_environment({"DISCORD_TOKEN": "t"}).login_timeout == 60
    assert load_environment({"DISCORD_TOKEN": "t", "DISCORD_LOGIN_TIMEOUT": " 2.5 "}).login_timeout == 2.5
    for bad in ("0", "-1", "soon", "nan", "inf"):
        with pytest.raises(ConfigError, match="DISCORD_LOGIN_TIMEOUT"):
            load_environment({"DISCORD_TOKEN": "t", "DISCORD_LOGIN_TIMEOUT": bad})
