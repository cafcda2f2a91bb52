"""Feature packages: each subpackage is one service of the bot, loaded as a discord.py extension."""
