"""The corpus build, stage by stage: find the report files, identify each (which work it belongs to), build
every work's partition in worker processes (or take it from the cache), then merge the sorted partitions into
``kg.nt`` and ``inferred.nt`` of the staging folder. A cached, parallel build writes the same bytes as a cold
serial one: partitions depend only on their inputs, and the merge sorts."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kg_build.corpus import worker
from kg_build.corpus.cache import Cache
from kg_build.corpus.digest import combine, report_digest, shared_digest
from kg_build.corpus.merge import merge_files
from kg_build.corpus.worker import ASSERTED, INFERRED, Shared, WorkResult, save_check, write_lines
from kg_build.progress import Progress
from kg_build.read.discover import ReportFile, find_reports
from kg_build.read.format_rules import DEFAULT_LANGUAGE as PRIMARY_LANGUAGE
from kg_build.validate.partition import check_reference

T = TypeVar("T")
KG_FILE = "kg.nt"
INFERRED_FILE = "inferred.nt"
# Prepared before partitions are submitted, so workers forked later inherit it; workers forked earlier (to
# identify files) prepare their own on first use.
_SHARED: Shared | None = None


@dataclass
class Partition:
    """A built (or cached) work: its cache folder and what its build reported."""

    folder: Path
    result: WorkResult
    cached: bool


@dataclass
class CorpusBuild:
    """What the corpus build produced: the works in order of their first file, and the merged files' sizes."""

    reports: list[ReportFile]
    partitions: list[Partition]
    reference: Partition
    triples: int = 0
    inferred: int = 0
    used: set[str] = field(default_factory=set)

    @property
    def works(self) -> list[str]:
        return [p.result.work for p in self.partitions]

    @property
    def warnings(self) -> list[str]:
        """Warnings in the order the in-memory build gives them: the texts', alignment, then linking."""
        results = [p.result for p in self.partitions]
        return ([w for r in results for w in r.doc_warnings] + [w for r in results for w in r.alignment]
                + [w for r in results for w in r.link_warnings])


def default_jobs() -> int:
    """The machine's cores (as this process may use them)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_corpus(sources: list[Path], staging: Path, cache: Cache, jobs: int, progress: Progress) -> CorpusBuild:
    """Build every work under `sources` into partitions (in `cache`) and merge them into `staging`/kg.nt and
    inferred.nt."""
    with _pool(jobs) as pool:
        reports = find_reports(sources)
        shared_key = shared_digest()
        reference = reference_partition(cache, shared_key)
        with progress.stage("read", total=len(reports), unit="report") as stage:  # parse: which work is each?
            groups = group_works(reports, identities(cache, shared_key, reports, pool, stage.advance))
        with progress.stage("build partitions", total=len(groups), unit="work") as stage:
            partitions = build_partitions(cache, shared_key, groups, pool, stage.advance)
            stage.note(f"{sum(p.cached for p in partitions)} from the cache")
        with progress.stage("merge", unit="file") as stage:
            triples = merge_files([reference.folder / ASSERTED] + [p.folder / ASSERTED for p in partitions],
                                  staging / KG_FILE)
            inferred = merge_files([reference.folder / INFERRED] + [p.folder / INFERRED for p in partitions],
                                   staging / INFERRED_FILE, minus=staging / KG_FILE)
            stage.advance(2)
            stage.note(f"{triples:,} asserted and {inferred:,} inferred triples")
    used = {key for p in partitions for key in p.result.used}
    return CorpusBuild(reports, partitions, reference, triples, inferred, used)


def reference_partition(cache: Cache, shared_key: str) -> Partition:
    """The reference data's partition (its triples and their closure), built once per shared digest."""
    key = combine("reference", shared_key)
    folder = cache.partition(key)
    if folder is not None:
        return Partition(folder, WorkResult.load(folder), cached=True)

    def build(tmp: Path) -> WorkResult:
        shared = shared_state()
        write_lines(tmp / ASSERTED, sorted(shared.reference_lines))
        check = check_reference(shared.context)
        save_check(tmp, check)
        result = WorkResult("", [], triples=len(shared.reference_lines), inferred=check.inferred_nt.count("\n"))
        result.save(tmp)
        return result

    return Partition(*cache.build_partition(key, build), cached=False)


def shared_state() -> Shared:
    """The shared state of this process, prepared on first use (the reference data mapped and reasoned)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Shared.prepare()
    return _SHARED


def identities(cache: Cache, shared_key: str, reports: list[ReportFile], pool: Executor | None,
               advance: Callable[[int], None]) -> list[tuple[str, str]]:
    """Which work (and language) each report file is, from the cache or by parsing it in a worker."""
    keys = [combine("identity", shared_key, report_digest(r)) for r in reports]
    found: dict[int, tuple[str, str]] = {}
    missing = []
    for i, key in enumerate(keys):
        hit = cache.identity(key)
        if hit is not None:
            found[i] = hit
            advance(1)
        else:
            missing.append(i)
    for i, value in run_all(pool, worker.identify, [(reports[i],) for i in missing], missing):
        cache.put_identity(keys[i], value)
        found[i] = value
        advance(1)
    return [found[i] for i in range(len(reports))]


def group_works(reports: list[ReportFile], ids: list[tuple[str, str]]) -> list[list[ReportFile]]:
    """The report files grouped by work in the order of each work's first file; in a work, the primary
    language first (as `pipeline.works` orders them)."""
    groups: dict[str, list[tuple[str, ReportFile]]] = {}
    for report, (work, language) in zip(reports, ids, strict=True):
        groups.setdefault(work, []).append((language, report))
    return [[r for _, r in sorted(g, key=lambda x: (x[0] != PRIMARY_LANGUAGE, x[0]))] for g in groups.values()]


def build_partitions(cache: Cache, shared_key: str, groups: list[list[ReportFile]], pool: Executor | None,
                     advance: Callable[[int], None]) -> list[Partition]:
    """Every work's partition: cached ones as they are, the others built in the pool."""
    keys = [combine("work", shared_key, *(report_digest(r) for r in group)) for group in groups]
    done: dict[int, Partition] = {}
    missing = []
    for i, key in enumerate(keys):
        folder = cache.partition(key)
        if folder is not None:
            done[i] = Partition(folder, WorkResult.load(folder), cached=True)
            advance(1)
        else:
            missing.append(i)
    if missing:
        shared_state()  # prepared before the pool forks its workers (they start on first submit)
    for i, (folder, result) in run_all(pool, _build_cached, [(cache, keys[i], groups[i]) for i in missing], missing):
        done[i] = Partition(folder, result, cached=False)
        advance(1)
    return [done[i] for i in range(len(groups))]


def _build_cached(cache: Cache, key: str, files: list[ReportFile]) -> tuple[Path, WorkResult]:
    """In a worker: build one work's partition into its cache entry."""
    return cache.build_partition(key, lambda folder: worker.build_work(shared_state(), files, folder))


def run_all(pool: Executor | None, fn: Callable[..., T], args: list[tuple], tags: list[int]) -> Iterator[tuple[int, T]]:
    """Run `fn(*a)` for every `a` in the pool (or here when there is none), yielding (tag, result) as they end;
    the first error cancels what has not started and is raised."""
    if pool is None:
        for tag, a in zip(tags, args, strict=True):
            yield tag, fn(*a)
        return
    futures: dict[Future[T], int] = {pool.submit(fn, *a): tag for tag, a in zip(tags, args, strict=True)}
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BaseException:
        for future in futures:
            future.cancel()
        raise


@contextmanager
def _pool(jobs: int) -> Iterator[Executor | None]:
    """Worker processes (forked, so they inherit the prepared shared state), or none for one job."""
    if jobs <= 1:
        yield None
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield pool


@contextmanager
def open_cache(root: Path | None) -> Iterator[Cache]:
    """The cache at `root` (pruned of stale entries after a build that succeeded), or a temporary one removed
    afterwards (a build without a cache)."""
    if root is not None:
        cache = Cache(root)
        yield cache
        cache.prune()
        return
    tmp = Path(tempfile.mkdtemp(prefix="ctoc-kg-nocache-"))
    try:
        yield Cache(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
