"""The README stays in step with the code: every settings key and every feature package is documented."""

from pathlib import Path

from bot.discovery import feature_packages
from bot.guild_settings import leaf_keys
from bot.settings import Settings

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def test_every_settings_key_is_in_the_readme_reference() -> None:
    missing = [key.path for key in leaf_keys(Settings) if f"| `{key.path}` |" not in README]
    assert missing == [], f"add these keys to the settings table in README.md: {missing}"


def test_every_feature_package_is_in_the_readme_layout() -> None:
    missing = [name for name in feature_packages() if f"  {name}/" not in README]
    assert missing == [], f"add these packages to the layout in README.md: {missing}"


def test_the_exit_codes_and_the_invite_command_are_in_the_readme() -> None:
    from bot import cli

    for code in (cli.EXIT_OK, cli.EXIT_UNEXPECTED, cli.EXIT_CONFIG, cli.EXIT_UNREACHABLE):
        assert f"| `{code}` |" in README, f"exit code {code} is missing from README.md's table"
    assert "`community-bot invite`" in README
    assert "permissions=" not in README  # the link comes from the command, never assembled by hand


def test_every_environment_variable_and_subcommand_is_in_the_readme() -> None:
    import re

    from bot import cli

    names = set(re.findall(r'"((?:BOT|DISCORD)_[A-Z_]+)"', (ROOT / "bot" / "environment.py").read_text()))
    assert {"BOT_SHARD_COUNT", "BOT_SHARD_IDS", "BOT_DATABASE"} <= names
    missing = sorted(name for name in names if f"| `{name}` |" not in README)
    assert missing == [], f"add these environment variables to the table in README.md: {missing}"
    commands = [name for name in cli.SUBCOMMANDS if f"`community-bot {name}" not in README]
    assert commands == [], f"add these subcommands to the command line table in README.md: {commands}"
