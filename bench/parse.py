"""Parse time of synthetic reports of growing size: the parser is linear in the size of the text.

Usage: .venv/bin/python bench/parse.py [--paragraphs 250 500 1000 10000] [--items 26]

Each report is the seed's header and first chapter heading, then N numbered paragraphs, each the seed's
list chapeau (paragraph 3) followed by lettered items (the text of the seed's item 3(a)), written to a
temporary file and parsed by kg_build.read.parse.parse_file. Prints paragraphs, items, bytes, seconds
and microseconds per kilobyte (flat when linear).
"""

from __future__ import annotations

import argparse
import string
import tempfile
import time
from pathlib import Path

from kg_build.read.format_rules import format_rules
from kg_build.read.parse import parse_file
from kg_build.read.source import byte_limit

SEED = Path(__file__).resolve().parent.parent / "data" / "reports" / "wg-international-cooperation-2012.zh.txt"


def synthetic_report(paragraphs: int, items: int, seed: Path = SEED) -> str:
    """A report in the seed's format with `paragraphs` paragraphs of `items` lettered items each."""
    doc = parse_file(seed)
    lines = seed.read_text(encoding="utf-8").split("\n")
    first_chapter = next(i for i, line in enumerate(lines) if format_rules("zh").chapter.match(line.strip()))
    chapeau, item = doc.unit("para_3").text, doc.unit("para_3/item_a").text
    out = lines[: first_chapter + 1] + [""]
    for n in range(1, paragraphs + 1):
        out += [f"{n}. {chapeau}", ""]
        out += [f"({letter}) {item}" for letter in string.ascii_lowercase[:items]] + [""]
    return "\n".join(out)


def time_parse(paragraphs: int, items: int, folder: Path) -> tuple[int, float, int]:
    """Bytes of the synthetic report, seconds to parse it, and the units found."""
    path = folder / f"synthetic-{paragraphs}x{items}.zh.txt"
    path.write_text(synthetic_report(paragraphs, items), encoding="utf-8")
    started = time.perf_counter()
    with byte_limit(1 << 31):
        doc = parse_file(path)
    return path.stat().st_size, time.perf_counter() - started, len(doc.units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, nargs="+", default=[250, 500, 1000, 10000])
    parser.add_argument("--items", type=int, default=26, choices=range(0, 27), metavar="0..26")
    args = parser.parse_args()
    print(f"{'paragraphs':>10} {'items':>8} {'bytes':>12} {'seconds':>8} {'µs/KB':>7} {'units':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for paragraphs in args.paragraphs:
            size, seconds, units = time_parse(paragraphs, args.items, Path(folder))
            print(f"{paragraphs:>10,} {paragraphs * args.items:>8,} {size:>12,} {seconds:>8.2f} "
                  f"{seconds * 1e6 / (size / 1024):>7.1f} {units:>8,}", flush=True)


if __name__ == "__main__":
    main()
