"""Where the project's data lives: the folders beside the package in a source checkout."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
ONTOLOGY_DIR = PROJECT_DIR / "ontology"
QUERIES_DIR = PROJECT_DIR / "queries"
