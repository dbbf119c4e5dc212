"""One cog per group of Discord commands: asking, films, admin."""
