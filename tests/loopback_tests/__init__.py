"""Tests of the loopback Discord itself, driven by a bare discord.py bot."""
