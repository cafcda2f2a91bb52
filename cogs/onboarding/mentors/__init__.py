"""Mentors: members offer places, newcomers ask, the bot matches them; built and wired by cogs/onboarding/setup()."""
