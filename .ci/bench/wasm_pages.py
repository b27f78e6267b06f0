"""First-load WASM per page: the main file, plus a split route's chunks.

Usage: wasm_pages.py SITE_PKG_DIR. Prints one line per page, raw and brotli
(quality 11, each file on its own, as the server sends them), then how much
constant data the split chunks hold: none means the splitter left every
route's strings in the first-load file (see frontend/src/lib.rs).
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


def leb(b, i):
    value = shift = 0
    while True:
        byte = b[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def data_bytes(name):
    """The size of a WASM file's data section (id 11), 0 without one."""
    with open(os.path.join(pkg, name + ".wasm"), "rb") as f:
        b = f.read()
    i = 8
    while i < len(b):
        section = b[i]
        size, i = leb(b, i + 1)
        if section == 11:
            return size
        i += size
    return 0


chunks = sorted({c for cs in manifest.values() for c in cs})
if chunks:
    in_chunks = sum(data_bytes(c) for c in chunks)
    print(f"    constant data: {data_bytes('haggle') / 1024:.0f} KB in the main file, "
          f"{in_chunks / 1024:.0f} KB in {len(chunks)} chunks")
    if in_chunks == 0:
        print("    WARNING: the chunks hold no constant data; wasm-split left it all in the main file")
