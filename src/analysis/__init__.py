"""roret: regenerates *Kommunernes omlægning til Borgeren ved Roret* from a register extract."""
import os
from importlib.metadata import version

# numpy asks Linux for transparent huge pages for every large array; on virtual machines that
# back memory lazily (this project's CI and benchmark machine) touching them the first time
# costs several times more than ordinary pages (benchmarks/results.md). roret's large arrays are
# written once, so the ordinary pages are taken, unless the user chose otherwise. numpy reads the
# setting when it is imported: this takes effect where roret is imported first (its command line).
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

__version__ = version("roret")
