"""Core of the community bot: start-up, settings, database, scheduler and shared Discord helpers."""

__version__ = "0.1.0"
