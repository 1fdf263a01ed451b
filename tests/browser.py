"""Open a local HTML page in headless Chromium with the network cut off; return its console and DOM."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CONSOLE = re.compile(r':CONSOLE:\d+\] "(?P<message>.*)", source: (?P<source>\S+)')
HARMLESS = ("[PST]", "Got invalid theme mode", "[togglebutton]")  # the theme's own informational logs


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("headless Chromium is needed for the offline HTML test: run `make browser`")
    return found


def open_offline(page: Path) -> tuple[list[str], str]:
    """Console messages (other than the theme's informational ones) and the rendered DOM."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",  # no internet
             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    messages = [m.group("message") + " @ " + m.group("source") for m in CONSOLE.finditer(result.stderr)]
    failed = [line for line in result.stderr.splitlines() if "net::ERR_" in line]
    return [m for m in messages if not m.startswith(HARMLESS)] + failed, result.stdout
