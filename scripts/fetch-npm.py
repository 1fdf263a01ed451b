#!/usr/bin/env python3
"""Fetch one file of a pinned npm package from the npm registry, checked against its integrity.

Usage: fetch-npm.py PACKAGE VERSION INTEGRITY FILE DEST
(no npm needed; e.g. axe-core's axe.min.js for the accessibility test)
"""
import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"


def main(package: str, version: str, integrity: str, member: str, dest: str) -> None:
    url = f"{REGISTRY}/{package}/-/{package.rsplit('/', 1)[-1]}-{version}.tgz"
    print(f"Fetching {package} {version} from the npm registry (once)", file=sys.stderr)
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    algorithm, expected = integrity.split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        sys.exit(f"{url}: the download does not match its pinned integrity {integrity}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        content = archive.extractfile(f"package/{member}").read()
    target = Path(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(content)
    partial.replace(target)  # never a half-written file


if __name__ == "__main__":
    main(*sys.argv[1:])
