"""nn's file readers under load: ``load_csv`` on a ~95 MB CSV against ``np.loadtxt``, and the
memory ``nn.load`` spends refusing a small crafted model file that declares 1.5 GB.

    python benchmarks/bench_nn_files.py            # ~95 MB CSV (850 000 rows × 11 columns)
    python benchmarks/bench_nn_files.py --quick    # ~10 MB CSV

Each measurement runs in a fresh child process, so its peak resident memory (``ru_maxrss``) is
its own; times are the child's CPU seconds (``time.process_time``; wall seconds for context).
The model-file loads also report tracemalloc's peak (Python and numpy allocations); the CSV
reads do not run under tracemalloc, which would slow them several times over.
The generated files go to a temporary directory and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent("""
    import json, resource, sys, time, tracemalloc
    sys.path.insert(0, {root!r})
    import numpy as np
    import nn
    from autodiff import Tensor
    job, path = sys.argv[1], sys.argv[2]
    if job.startswith("load_"):  # tracing slows allocation-heavy code many times: model files only
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = "ok"
    try:
        if job == "loadtxt":
            np.loadtxt(path, delimiter=",", skiprows=1)
        elif job == "csv":
            nn.load_csv(path, target="label", target_dtype=int)
        elif job == "load_into_model":
            class Small(nn.Module):
                def __init__(self):
                    self.w = Tensor(np.zeros(3), requires_grad=True)
            Small().load(path)
        elif job == "load_state":
            nn.load(path)
    except Exception as e:
        outcome = type(e).__name__
    print(json.dumps(dict(cpu=time.process_time() - cpu, wall=time.perf_counter() - wall,
                          traced_peak=tracemalloc.get_traced_memory()[1], outcome=outcome,
                          maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)))
""")


def run_child(job: str, path: Path) -> dict:
    code = CHILD.format(root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, job, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_csv(path: Path, rows: int) -> None:
    """Written in chunks: this process stays small, and children inherit its peak RSS on Linux."""
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(10)] + ["label"]) + "\n")
        for start in range(0, rows, 10_000):
            n = min(10_000, rows - start)
            table = np.column_stack([rng.normal(size=(n, 10)), rng.integers(0, 5, size=n)])
            np.savetxt(f, table, delimiter=",", fmt=["%.8f"] * 10 + ["%d"])


def write_bomb(path: Path, declared_bytes: int) -> None:
    """A model file whose entry 'w' declares (and holds, deflated) ``declared_bytes`` of zeros."""
    chunk = bytes(2**22)
    chunks = declared_bytes // len(chunk)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("__format__.npy", "w") as m:
            np.lib.format.write_array(m, np.array("autodiff-nn-1"))
        with zf.open("w.npy", "w", force_zip64=True) as m:
            shape = (chunks * len(chunk) // 8,)
            np.lib.format.write_array_header_1_0(m, {"descr": "<f8", "fortran_order": False, "shape": shape})
            for _ in range(chunks):
                m.write(chunk)


def show(name: str, r: dict) -> None:
    traced = f"  traced peak {r['traced_peak'] / 2**20:7.1f} MiB" if r["traced_peak"] else ""
    print(f"  {name:<34} cpu {r['cpu']:6.2f} s  wall {r['wall']:6.2f} s  max RSS {r['maxrss'] / 2**20:6.0f} MiB"
          f"{traced}  ({r['outcome']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~10 MB CSV instead of ~95 MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, bomb = Path(tmp) / "big.csv", Path(tmp) / "bomb.npz"
        write_csv(csv_path, 90_000 if args.quick else 850_000)
        print(f"CSV: {csv_path.stat().st_size / 1e6:.1f} MB")
        show("np.loadtxt", run_child("loadtxt", csv_path))
        show("nn.load_csv", run_child("csv", csv_path))
        write_bomb(bomb, 1_600_000_000)
        print(f"crafted model file: {bomb.stat().st_size / 1e6:.2f} MB declaring 1.6 GB")
        show("nn.load(path, model) (refused)", run_child("load_into_model", bomb))
        show("nn.load(path) (refused)", run_child("load_state", bomb))


if __name__ == "__main__":
    main()
