"""Where the project's own files live (the package is used from a checkout)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = ROOT / "data" / "reference"
NOTEBOOK_DIR = ROOT / "notebooks"
BOOK_FILES = ("_config.yml", "_toc.yml", "book")
