"""Open a local HTML page in headless Chromium with the network cut off; return its console and DOM."""
import html
import json
import os
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


def open_offline(page: Path, budget: int = 3000) -> tuple[list[str], str]:
    """Console messages (other than the theme's informational ones) and the rendered DOM."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",  # no internet
             "--enable-logging=stderr", "--v=0", f"--virtual-time-budget={budget}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    messages = [m.group("message") + " @ " + m.group("source") for m in CONSOLE.finditer(result.stderr)]
    failed = [line for line in result.stderr.splitlines() if "net::ERR_" in line]
    return [m for m in messages if not m.startswith(HARMLESS)] + failed, result.stdout


AXE_DEFAULT = Path(__file__).resolve().parents[1] / ".cache" / "axe-core-4.14.1" / "axe.min.js"
AXE_RESULT = re.compile(r'<pre id="axe-result"[^>]*>(?P<json>.*?)</pre>', re.S)
AXE_RUN = """<script>
window.addEventListener("load", function () {  // after the theme's deferred scripts
  axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, preload: false})
  .then(function (result) {
    var out = document.createElement("pre");
    out.id = "axe-result";
    out.textContent = JSON.stringify(result.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) {
        return n.target.join(" "); })};
    }));
    document.body.appendChild(out);
  });
});
</script>"""


def axe_script() -> Path:
    found = Path(os.environ.get("RORET_AXE", AXE_DEFAULT))
    if not found.is_file():
        raise RuntimeError(f"axe-core is needed for the accessibility test: run `make axe` ({found} is missing)")
    return found.resolve()


def axe_violations(page: Path) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations of a local page, run offline in headless Chromium
    on a copy of the page beside it (so that its style sheets and scripts load)."""
    text = page.read_text(encoding="utf-8")
    copy = page.with_name(f".axe-{page.name}")
    injected = f'<script src="{axe_script().as_uri()}"></script>{AXE_RUN}</body>'
    copy.write_text(text.replace("</body>", injected, 1), encoding="utf-8")
    try:
        _, dom = open_offline(copy, budget=10000)
    finally:
        copy.unlink()
    found = AXE_RESULT.search(dom)
    if found is None:
        raise RuntimeError(f"axe-core did not report on {page}")
    return json.loads(html.unescape(found.group("json")))
