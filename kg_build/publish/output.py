"""Stage 7: write the build outputs. Everything goes to a temporary folder beside the target, which
replaces the target only when complete, so a failed build never leaves a half-written ``dist/``.

Every build output holds a marker file; a target is replaced only when it holds one (a build made it),
is empty or is missing, never a folder of other files. A staging folder is named with the pid of its
build, so the next build removes those of builds that were killed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg_build.errors import UsageError

BUILD_MARKER = ".ctoc-kg-build"
# What a build writes at the top of its folder: a folder of these names only, kg.nt among them, is a build
# made before builds were marked, and is replaced like a marked one.
BUILD_OUTPUTS = frozenset({"kg.nt", "kg.ttl", "kg.trig", "kg.nq", "kg.jsonld", "kg.rdf", "inferred.nt",
                           "validation.txt", "checksums.sha256", "void.ttl", "void.jsonld", "void.nt", "void.rdf",
                           ".htaccess", "nginx.conf", "ontology", "site", "store", BUILD_MARKER})
MARKER_TEXT = "This folder is the output of `ctoc-kg build`, which replaces it whole on the next build.\n"


def check_replaceable(out: Path) -> None:
    """Refuse, in one line, an output folder that a build may not replace: a file, or a folder of other files."""
    target = out.resolve()
    if not target.exists():
        return
    if not target.is_dir():
        raise UsageError(f"--out {out}: is a file, not a build folder; refusing to replace it")
    if (target / BUILD_MARKER).is_file():
        return
    try:
        names = {path.name for path in target.iterdir()}
    except OSError as err:
        raise UsageError(f"--out {out}: cannot read the folder: {err.strerror or err}") from None
    unmarked_build = "kg.nt" in names and names <= BUILD_OUTPUTS and (target / "kg.nt").is_file()
    if names and not unmarked_build:
        raise UsageError(f"--out {out}: the folder holds files no build made (no {BUILD_MARKER} in it); "
                         "refusing to replace it: choose an empty or new folder")


def staging_pattern(out: Path) -> re.Pattern[str]:
    """Names of the staging (``.dist.tmp-PID-…``) and swapped-out (``.dist.old-PID-…``) folders of `out`."""
    return re.compile(rf"^\.{re.escape(out.name)}\.(?:tmp|old)-(?P<pid>\d+)-")


def is_running(pid: int) -> bool:
    """True when a process with this pid exists (signal 0 tests without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_staging(out: Path, started: float) -> list[Path]:
    """Remove staging folders beside `out` left by killed builds: pid not running, older than `started`."""
    pattern, removed = staging_pattern(out), []
    for path in out.parent.iterdir():
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink() or int(match["pid"]) == os.getpid():
            continue
        if path.stat().st_mtime < started and not is_running(int(match["pid"])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder holding the build marker; on success it atomically takes the place
    of `out`, which must be missing, empty or an earlier build."""
    started = time.time()
    check_replaceable(out)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out, started)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    (staging / BUILD_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_dir(staging, out)


def replace_dir(new: Path, target: Path) -> None:
    """Swap `new` into place of `target` with renames; the old content is removed by a detached process, so a
    large site (hundreds of thousands of folders) does not hold up the build. A removal cut short leaves a
    ``.DIR.old-PID-…`` folder of a dead pid, which the next build removes."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{new.name.split('.tmp-', 1)[-1]}")
        target.rename(old)
    new.rename(target)
    new_mode = 0o755
    target.chmod(new_mode)
    if old is not None:
        remove_in_background(old)


def remove_in_background(folder: Path) -> None:
    """Remove `folder` in a process of its own session that outlives this one (here when that cannot start)."""
    code = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
    try:
        subprocess.Popen([sys.executable, "-c", code, str(folder)], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def write_text(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")
    return path


