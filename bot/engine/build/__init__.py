"""The only writer of the index: lock, temp file and rename, schema, articles, FTS, films."""
