"""First-load WASM per page: the main file, plus a split route's chunks.

Usage: wasm_pages.py SITE_PKG_DIR. Prints one line per page, raw and brotli
(quality 11, each file on its own, as the server sends them).
"""

import json
import os
import subprocess
import sys

pkg = sys.argv[1]
sizes = {}


def size(name):
    if name not in sizes:
        path = os.path.join(pkg, name + ".wasm")
        with open(path, "rb") as f:
            raw = f.read()
        br = subprocess.run(["brotli", "-q", "11", "-c"], input=raw, capture_output=True, check=True).stdout
        sizes[name] = (len(raw), len(br))
    return sizes[name]


def line(page, chunks):
    files = ["haggle", *chunks]
    raw = sum(size(f)[0] for f in files)
    br = sum(size(f)[1] for f in files)
    print(f"    {page:24s} {raw / 1024:6.0f} KB raw {br / 1024:5.0f} KB brotli  {len(files)} files")


manifest_path = os.path.join(pkg, "__wasm_split_manifest.json")
manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
for page in ("/", "/search", "/l/<id>"):
    line(page, [])
for key, chunks in sorted(manifest.items()):
    # Keys look like "__auction_route_view_<hash>".
    route = key.strip("_").split("_route_view")[0]
    line(f"{route} (split)", chunks)
