"""roret: regenerates *Kommunernes omlægning til Borgeren ved Roret* from a register extract."""
import os
from importlib.metadata import version

# numpy asks Linux for transparent huge pages for large arrays. On virtual machines that back
# memory lazily (this project's CI and benchmark machine) their first touch costs several times
# that of ordinary pages, and roret writes its large arrays once (README, "Measured"). So ordinary
# pages unless the user chose otherwise; numpy reads this when it is imported, so it holds where
# roret is imported first, as in its command line.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

__version__ = version("roret")
