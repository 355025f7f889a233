"""Stage 0: read a report file into text with its checksum, keeping offsets stable and errors precise.

Offsets everywhere in the project are code-point offsets into the decoded text (UTF-8, or GB18030
when the file is not UTF-8 but decodes cleanly as it), with a leading byte-order mark removed and
line ends kept exactly as the file has them.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from kg_build.errors import InputError

BOM = "\ufeff"
DEFAULT_MAX_BYTES = 20_000_000  # a report is well under 1 MB; `build --max-bytes N` raises the limit
NEWLINE_RE = re.compile("\n")
BAD_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # category Cc except tab, LF, CR
CJK_RE = re.compile("[\u4e00-\u9fff]")
MAX_BYTES: ContextVar[int] = ContextVar("max_bytes", default=DEFAULT_MAX_BYTES)


@contextmanager
def byte_limit(max_bytes: int) -> Iterator[None]:
    """Read report files of up to `max_bytes` bytes inside this block (the build's ``--max-bytes``)."""
    token = MAX_BYTES.set(max_bytes)
    try:
        yield
    finally:
        MAX_BYTES.reset(token)


@dataclass(frozen=True)
class SourceText:
    """A report file as read: its path, raw-byte checksum and size, encoding and decoded text."""

    path: Path
    sha256: str
    byte_size: int
    encoding: str
    text: str
    line_starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0] + [m.end() for m in NEWLINE_RE.finditer(self.text)]
        object.__setattr__(self, "line_starts", starts)

    def line_of(self, offset: int) -> int:
        """The 1-based line number holding character `offset` (a binary search: no rescan of the text)."""
        return bisect.bisect_right(self.line_starts, offset)


def read_source(path: Path) -> SourceText:
    """Read and decode `path`; raise InputError naming file and line for empty or non-text input."""
    limit = MAX_BYTES.get()
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(path, 0, f"file is {size:,} bytes, over the limit of {limit:,} "
                             "(a report is well under 1 MB; build --max-bytes N raises the limit)")
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
    return bool(CJK_RE.search(text)) and not BAD_CONTROL_RE.search(text)


def _check_text(path: Path, text: str) -> None:
    """Refuse binary content (NUL or other control characters) with the line where it occurs."""
    if match := BAD_CONTROL_RE.search(text):
        line = text.count("\n", 0, match.start()) + 1
        raise InputError(path, line, f"not a text file: control character U+{ord(match[0]):04X}")
