"""Text from elsewhere (an endpoint's error body, a reason phrase, a Location header, a user's IRI) made safe to
show on one terminal line: control and format characters escaped as `\\x1b`, `\\u202e`..., and cut to a length.

A hostile server could otherwise move the cursor, rewrite the line (CR), set the window title or hide text
with the bytes it puts in an error message.
"""

from __future__ import annotations

import unicodedata

SHOWN_CHARS = 300  # the most of one piece of remote text an error message shows


def printable(text: str | bytes, limit: int = SHOWN_CHARS) -> str:
    """`text` on one line: every control (C0, C1, DEL), format (bidi overrides, zero-width) and line or paragraph
    separator character escaped, then cut to `limit` characters with "…"."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    shown = "".join(out)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
