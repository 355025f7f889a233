"""Stage 0: read a report file into text with its checksum, keeping offsets stable and errors precise.

Offsets everywhere in the project are code-point offsets into the decoded text (UTF-8, or GB18030
when the file is not UTF-8 but decodes cleanly as it), with a leading byte-order mark removed and
line ends kept exactly as the file has them.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import InputError

BOM = "\ufeff"
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class SourceText:
    """A report file as read: its path, raw-byte checksum and size, encoding and decoded text."""

    path: Path
    sha256: str
    byte_size: int
    encoding: str
    text: str

    def line_of(self, offset: int) -> int:
        """The 1-based line number holding character `offset`."""
        return self.text.count("\n", 0, offset) + 1


def read_source(path: Path) -> SourceText:
    """Read and decode `path`; raise InputError naming file and line for empty or non-text input."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(path, 0, f"cannot read file: {err.strerror}") from None
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(path, 1, "file is empty: expected the text of a report")
    text, encoding = _decode(path, raw)
    _check_text(path, text)
    if text.startswith(BOM):
        text = text[1:]
    return SourceText(path, hashlib.sha256(raw).hexdigest(), len(raw), encoding, text)


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode as UTF-8; fall back to GB18030 only when that decodes the whole file cleanly."""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    if b"\x00" not in raw:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            if _looks_like_text(text):
                return text, "gb18030"
    line = raw.count(b"\n", 0, utf8_error.start) + 1
    raise InputError(
        path, line, f"not UTF-8 text: invalid byte 0x{raw[utf8_error.start]:02x} at byte {utf8_error.start}"
    )


def _looks_like_text(text: str) -> bool:
    """True when `text` has no control characters and some CJK: a real GB18030 report, not noise."""
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    return has_cjk and not any(_is_bad_control(ch) for ch in text)


def _is_bad_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS


def _check_text(path: Path, text: str) -> None:
    """Refuse binary content (NUL or other control characters) with the line where it occurs."""
    for offset, ch in enumerate(text):
        if _is_bad_control(ch):
            line = text.count("\n", 0, offset) + 1
            raise InputError(path, line, f"not a text file: control character U+{ord(ch):04X}")
