"""Refresh the files collab-site vendors from the npm registry: the compiled CSS and images of
``nhsuk-frontend`` (package data) and ``axe-core`` (used by the browser tests).

Run it from anywhere with npm on the PATH::

    python adapters/collab-site/scripts/refresh_vendored.py \
        --nhsuk-frontend 10.6.1 --axe-core 4.14.1

Each package is fetched with ``npm pack`` into a temporary folder and unpacked; only the files
the site uses are copied. The NHS.UK stylesheet is adjusted in two ways, both written here so a
refresh repeats them: its image URLs become relative to the stylesheet (the site can be opened
from a folder or served under any path), and its ``@font-face`` rules are dropped (the Frutiger
font is licensed to NHS services and served from their own domain; pages fall back to Arial,
as the design system's ``$nhsuk-include-font-face: false`` setting does).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "src" / "collab_site" / "static" / "nhsuk-frontend"
AXE = HERE / "tests" / "axe"
# The favicons the pages link to, and every image the stylesheet refers to.
IMAGES = (
    "favicon.ico",
    "favicon.svg",
    "nhsuk-icon-180.png",
    "nhsuk-icon-mask.svg",
    "nhsuk-icon-arrow-down.svg",
    "nhsuk-icon-arrow-up-down.svg",
    "nhsuk-icon-arrow-up.svg",
    "nhsuk-icon-cross.svg",
)


def _unpack(name: str, version: str, into: Path) -> Path:
    """``npm pack`` one package version into ``into`` and unpack it; the package's folder."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed: install Node.js and npm (Debian: apt-get install nodejs npm)")
    done = subprocess.run(  # noqa: S603 - a fixed command with a checked package name
        [npm, "pack", "--silent", f"{name}@{version}"],
        cwd=into,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = into / done.stdout.strip().splitlines()[-1]
    target = into / name
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def _stylesheet(css: str) -> str:
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    return css.replace("url(/assets/images/", "url(images/")


def refresh_nhsuk_frontend(version: str, work: Path) -> None:
    package = _unpack("nhsuk-frontend", version, work)
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if meta.get("license") != "MIT":
        sys.exit(f"nhsuk-frontend {version} is no longer MIT-licensed: check before vendoring")
    dist = package / "dist" / "nhsuk"
    shutil.rmtree(STATIC / "images", ignore_errors=True)
    (STATIC / "images").mkdir(parents=True)
    css = (dist / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    (STATIC / "nhsuk-frontend.min.css").write_text(_stylesheet(css), encoding="utf-8")
    for image in IMAGES:
        shutil.copyfile(dist / "assets" / "images" / image, STATIC / "images" / image)
    # The npm package ships no licence file; keep the one from the project's repository unless
    # the package brings its own.
    for name in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
        if (package / name).is_file():
            shutil.copyfile(package / name, STATIC / "LICENSE")
    (STATIC / "VERSION").write_text(f"nhsuk-frontend {meta['version']}\n", encoding="utf-8")


def refresh_axe_core(version: str, work: Path) -> None:
    package = _unpack("axe-core", version, work)
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    AXE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(package / "axe.min.js", AXE / "axe.min.js")
    shutil.copyfile(package / "LICENSE", AXE / "LICENSE")
    (AXE / "VERSION").write_text(f"axe-core {meta['version']}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nhsuk-frontend", default="10.6.1", help="the version to vendor")
    parser.add_argument("--axe-core", default="4.14.1", help="the version to vendor")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        refresh_nhsuk_frontend(args.nhsuk_frontend, Path(temp))
        refresh_axe_core(args.axe_core, Path(temp))
    print(f"vendored nhsuk-frontend {args.nhsuk_frontend} and axe-core {args.axe_core}")  # noqa: T201


if __name__ == "__main__":
    main()
