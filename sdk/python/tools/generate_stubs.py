"""Regenerates the protobuf/gRPC modules under src/nebula/v1 from proto/nebula/v1/*.proto.

Run with the pinned generator (tools/requirements-generate.txt):
    pip install -r sdk/python/tools/requirements-generate.txt
    python sdk/python/tools/generate_stubs.py            # rewrite src/nebula/v1
    python sdk/python/tools/generate_stubs.py --check    # exit 1 if the committed stubs are stale

google/api and google/rpc are not generated: they come from googleapis-common-protos at run time.
"""
from __future__ import annotations

import argparse
import filecmp
import importlib.resources
import os
import shutil
import sys
import tempfile
from pathlib import Path

SDK_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SDK_DIR.parent.parent
PROTO_ROOT = REPO_DIR / "proto"
PACKAGE_DIR = SDK_DIR / "src" / "nebula" / "v1"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def _include_dirs() -> list[str]:
    import grpc_tools  # noqa: F401  (the pinned generator)
    import google.api.annotations_pb2 as annotations

    grpc_tools_protos = str(importlib.resources.files("grpc_tools") / "_proto")
    # The directory that holds google/api/*.proto as shipped by googleapis-common-protos.
    googleapis = str(Path(annotations.__file__).resolve().parent.parent.parent)
    return [str(PROTO_ROOT), googleapis, grpc_tools_protos]


def generate(out_dir: Path) -> None:
    from grpc_tools import protoc

    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / "nebula" / "v1").glob("*.proto"))
    args = ["grpc_tools.protoc"] + [f"-I{d}" for d in _include_dirs()]
    args += [f"--python_out={out_dir}", f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}"] + protos
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


def generated_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(GENERATED_SUFFIXES))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 when stale")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        fresh_dir = Path(tmp) / "nebula" / "v1"
        fresh = generated_files(fresh_dir)
        if options.check:
            committed = generated_files(PACKAGE_DIR)
            stale = sorted(set(fresh) ^ set(committed))
            stale += [n for n in fresh if n in committed and not filecmp.cmp(fresh_dir / n, PACKAGE_DIR / n, shallow=False)]
            if stale:
                print("stale generated stubs (run sdk/python/tools/generate_stubs.py):", ", ".join(stale))
                return 1
            print(f"{len(fresh)} generated files up to date")
            return 0
        for name in generated_files(PACKAGE_DIR):
            os.remove(PACKAGE_DIR / name)
        for name in fresh:
            shutil.copyfile(fresh_dir / name, PACKAGE_DIR / name)
        print(f"wrote {len(fresh)} files to {PACKAGE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
