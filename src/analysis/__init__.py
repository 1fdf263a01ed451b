"""roret: regenerates *Kommunernes omlægning til Borgeren ved Roret* from a register extract."""
from importlib.metadata import version

__version__ = version("roret")
