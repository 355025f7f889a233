"""Where the project's data lives: the folders beside the package in a source checkout."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
ONTOLOGY_DIR = PROJECT_DIR / "ontology"
QUERIES_DIR = PROJECT_DIR / "queries"


def cache_dir() -> Path:
    """Where results that depend only on their inputs' hashes are kept between runs: `CTOC_KG_CACHE`, else
    `.cache/ctoc-kg` in the working directory (git-ignored)."""
    return Path(os.environ.get("CTOC_KG_CACHE") or ".cache/ctoc-kg")
