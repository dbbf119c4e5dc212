"""Mission Briefing: answers questions about news articles with verbatim, cited excerpts."""
