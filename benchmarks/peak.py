"""Run a command and print the peak resident memory (kB) of its largest process: peak.py CMD..."""
import resource
import subprocess
import sys

status = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(status)
