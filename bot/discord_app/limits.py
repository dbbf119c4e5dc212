"""Discord's limits, each named once: what Discord refuses (400) or drops if exceeded.

Everything the bot sends is laid out to fit these (``embeds``, ``views``, the cogs); the e2e
stand-in enforces the same numbers on its side. Sources: the Discord developer documentation,
"Message Resource" (embed limits), "Message Components", "Application Commands" and
"Receiving and Responding" (interactions), and "Gateway" (identify rate limit).
"""

from __future__ import annotations

# --- messages ---------------------------------------------------------------------------------
CONTENT_LIMIT = 2000  # characters of a message's content
NONCE_LIMIT = 25  # characters of a message nonce
EMBEDS_PER_MESSAGE = 10

# --- embeds -----------------------------------------------------------------------------------
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
AUTHOR_NAME_LIMIT = 256
EMBEDS_TOTAL_LIMIT = 6000  # title, description, fields, footer and author of all a message's embeds

# --- components and commands ------------------------------------------------------------------
CUSTOM_ID_LIMIT = 100  # characters of a button's custom_id
CHOICES_LIMIT = 25  # autocomplete choices offered at once
CHOICE_LIMIT = 100  # characters of a choice's name, and of its value

# --- timing -----------------------------------------------------------------------------------
RESPONSE_DEADLINE = 3.0  # seconds to respond to (or defer) an interaction after it was created
IDENTIFY_WINDOW = 5.0  # seconds: max_concurrency IDENTIFYs per window, one per bucket
