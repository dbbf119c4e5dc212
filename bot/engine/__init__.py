"""The product without Discord: sources -> passages -> index -> answers. Never imports discord."""
