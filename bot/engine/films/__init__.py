"""Film titles: found in articles, merged into films, overridden by films.toml, asked about."""
