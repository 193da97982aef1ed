"""Time tinytf against TensorFlow and PyTorch on the same workloads, in the same run.

    python benchmarks/run.py                     # everything, 3 repeats, prints a table
    python benchmarks/run.py --quick             # 1/10 of an epoch, 3 repeats (for development)
    python benchmarks/run.py --only conv_big_fwd conv_big_fwdbwd --systems tinytf torch
    python benchmarks/run.py --json results.json # also write every sample as JSON ('-' = stdout)

Each system runs in its own worker process (``benchmarks/worker.py``) with its own interpreter
(``--tf-python``, ``--torch-python``; env ``BENCH_TF_PYTHON`` / ``BENCH_TORCH_PYTHON``; default: the
current interpreter when it can import the library, else the venvs under /opt/venvs). Every worker
is warmed up on a workload before it is timed; the repeats then alternate between systems
(tinytf, TF eager, TF tf.function, PyTorch, tinytf, ...), so slow drift on a shared machine hits
them all alike. The table shows medians, min-max and the ratio tinytf/peer (< 1: tinytf faster).
All systems get the same thread count (``--threads``, default 2) through their own APIs and
OMP/OpenBLAS/MKL/Numba variables. ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are removed
(both together) from the workers' environment only, since a forced core type can slow NumPy.
"""
import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from worker import BATCH, CIFAR, N_TRAIN, workload_names  # noqa: E402

SYSTEMS = ["tinytf", "tf-eager", "tf-function", "torch"]
MODULE = {"tinytf": "tinytf", "tf-eager": "tensorflow", "tf-function": "tensorflow", "torch": "torch"}
# workloads a system does not have
SKIP = {"torch": {"lenet_fit"}}
DESCR = {
    "lenet_tape": "LeNet-5+BN epoch, GradientTape loop (s)",
    "lenet_fit": "LeNet-5+BN epoch, model.fit (s)",
    "infer": "inference 10k images, batch 1000 (s)",
    "vgg_train": "VGG-style CIFAR train step, batch 64 (per step)",
    "resnet18_train": "ResNet-18 CIFAR train step, batch 32 (per step)",
    "bn_train_fwdbwd": "BatchNorm train fwd+bwd [128,26,26,6]",
    "maxpool_fwd": "max pool 2x2 fwd [128,26,26,6]",
    "maxpool_fwdbwd": "max pool 2x2 fwd+bwd [128,26,26,6]",
}


def can_import(python, module):
    try:
        return subprocess.run([python, "-c", f"import {module}"], capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python(flag, env, module, fallback):
    for cand in (flag, os.environ.get(env), sys.executable, fallback):
        if cand and os.path.exists(cand) and can_import(cand, module):
            return cand
    return None


def pythons_for(systems, args):
    """The interpreter of each system (None: not installed)."""
    tf = torch = None
    if {"tf-eager", "tf-function"} & set(systems):
        tf = find_python(args.tf_python, "BENCH_TF_PYTHON", "tensorflow", "/opt/venvs/tf/bin/python")
    if "torch" in systems:
        torch = find_python(args.torch_python, "BENCH_TORCH_PYTHON", "torch", "/opt/venvs/torch/bin/python")
    return {"tinytf": sys.executable, "tf-eager": tf, "tf-function": tf, "torch": torch}


def worker_env(args, system):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    t = str(args.threads)
    env.update(OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t, NUMBA_NUM_THREADS=t,
               BENCH_THREADS=t, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=ROOT + os.pathsep + env.get("PYTHONPATH", ""))
    if system == "tinytf" and args.kernels:
        env["TINYTF_KERNELS"] = args.kernels
    if args.data:
        env["BENCH_DATA"] = args.data
    return env


def fashion_mnist_npz():
    """Write Fashion-MNIST (found by tinytf's loader) to a temporary .npz the workers read, or None."""
    try:
        from tinytf.keras.datasets import fashion_mnist
        (xt, yt), (xs, ys) = fashion_mnist.load_data()
    except (OSError, ValueError) as e:
        print(f"Fashion-MNIST not found ({str(e).splitlines()[0]}); using synthetic data", file=sys.stderr)
        return None
    fd, path = tempfile.mkstemp(suffix=".npz")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, x_train=xt, y_train=yt, x_test=xs, y_test=ys)
    return path


class Worker:
    def __init__(self, system, python, env):
        self.system = system
        self.p = subprocess.Popen([python, os.path.join(HERE, "worker.py"), system], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
                                  cwd=ROOT)
        self.info = self._read().get("info", {})

    def _read(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.system} worker died")
        return json.loads(line)

    def ask(self, **req):
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        return self._read()

    def pause(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGSTOP)

    def resume(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGCONT)

    def close(self):
        self.resume()
        try:
            self.p.stdin.write(json.dumps({"quit": True}) + "\n")
            self.p.stdin.flush()
            self.p.wait(timeout=30)
        except Exception:  # noqa: BLE001
            self.p.kill()


def fmt_t(s):
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} us"


def summarize(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--systems", nargs="+", default=SYSTEMS, choices=SYSTEMS)
    ap.add_argument("--only", nargs="+", help="workloads to run (default: all)", choices=workload_names())
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, help="train steps per 'epoch' (default: a full epoch)")
    ap.add_argument("--quick", action="store_true", help="--steps 47 (1/10 epoch; times are scaled to an epoch), "
                    "--cifar-steps 2")
    ap.add_argument("--cifar-steps", type=int, default=5,
                    help="timed steps per repeat of the CIFAR workloads (vgg_train, resnet18_train; default 5)")
    ap.add_argument("--kernels", choices=["numpy", "numba"], help="force TINYTF_KERNELS for the tinytf worker")
    ap.add_argument("--tf-python", help="interpreter with tensorflow (env BENCH_TF_PYTHON)")
    ap.add_argument("--torch-python", help="interpreter with torch (env BENCH_TORCH_PYTHON)")
    ap.add_argument("--no-import", action="store_true", help="skip the import-time measurement")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurement")
    ap.add_argument("--synthetic", action="store_true", help="random images instead of Fashion-MNIST")
    ap.add_argument("--reuse-workers", action="store_true",
                    help="one worker per system for all workloads (default: fresh workers per workload)")
    ap.add_argument("--machine", metavar="FILE",
                    help="write a JSON record of the machine: CPU model and flags, BLAS kernels, threads, load")
    ap.add_argument("--data-npz", help="Fashion-MNIST as an .npz (x_train, y_train, x_test, y_test; uint8) "
                    "instead of finding it with tinytf's loader")
    ap.add_argument("--json", nargs="?", const="-", help="write the results as JSON to this file ('-': stdout)")
    args = ap.parse_args(argv)
    own_data = not (args.synthetic or args.data_npz)
    args.data = None if args.synthetic else (args.data_npz or fashion_mnist_npz())
    if args.quick and not args.steps:
        args.steps = 47
    if args.quick:
        args.cifar_steps = min(args.cifar_steps, 2)
    full_steps = -(-N_TRAIN // BATCH)
    scale = 1.0 if not args.steps else full_steps / args.steps

    py_of = pythons_for(args.systems, args)
    systems = [s for s in args.systems if py_of[s]]
    missing = [s for s in args.systems if not py_of[s]]
    log = sys.stderr
    if missing:
        print(f"not installed (skipped): {', '.join(missing)}", file=log)
    workloads = args.only or workload_names()

    result = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_model(),
              "python": platform.python_version(), "threads": args.threads, "repeats": args.repeats,
              "steps": args.steps, "cifar_steps": args.cifar_steps, "epoch_scale": scale,
              "fresh_workers": not args.reuse_workers, "systems": {}, "workloads": {}}

    machine = machine_record(args) if args.machine else None
    workers = {}

    def start(names):
        for s in names:
            if s not in workers:
                workers[s] = Worker(s, py_of[s], worker_env(args, s))
                if s not in result["systems"]:
                    result["systems"][s] = {"python": py_of[s], **workers[s].info}
                    print(f"{s}: {workers[s].info}", file=log)

    def stop_all():
        for s in list(workers):
            workers.pop(s).close()

    try:
        for wl in workloads:
            if not args.reuse_workers:
                # a fresh process per workload, as a standalone script is: what ran before in the
                # same process (allocator state, heap layout, thread pools) cannot slow this one
                stop_all()
            start([s for s in systems if wl not in SKIP.get(s, ())])
            runs = [s for s in systems if wl not in SKIP.get(s, ())]
            samples = {s: [] for s in runs}
            errors = {}
            for rep in range(args.repeats + 1):  # repeat 0 is the warm-up
                order = runs if rep % 2 else runs[::-1]
                for s in order:
                    if s in errors:
                        continue
                    # Idle workers are stopped while one is timed: their BLAS / Eigen thread pools
                    # spin-wait after work and would steal the 2 cores from the system being timed.
                    others = [w for o, w in workers.items() if o != s]
                    for w in others:
                        w.pause()
                    try:
                        r = workers[s].ask(workload=wl, steps=args.cifar_steps if wl in CIFAR else args.steps)
                    finally:
                        for w in others:
                            w.resume()
                    if "error" in r:
                        errors[s] = r["error"]
                        print(f"  {wl} {s}: {r['error']}", file=log)
                        continue
                    if rep:
                        t = r["seconds"] * (scale if wl.startswith("lenet") else 1.0)
                        if wl in CIFAR:
                            t /= args.cifar_steps  # per step
                        samples[s].append(t)
            entry = {s: summarize(v) for s, v in samples.items() if v}
            entry.update({s: {"error": e} for s, e in errors.items()})
            result["workloads"][wl] = entry
            print(f"  {wl}: " + ", ".join(f"{s} {fmt_t(v['median'])}" for s, v in entry.items() if "median" in v),
                  file=log)
    finally:
        stop_all()

    if not args.no_import:
        result["import"] = import_times(systems, py_of, args)
    if not args.no_memory:
        result["memory"] = memory(systems, py_of, args)
    if machine is not None:
        machine["loadavg_end"] = os.getloadavg()
        machine["workers"] = {s: {k: v for k, v in i.items() if k in ("blas", "pools", "threads", "interop_threads",
                                                                       "intra_op", "inter_op", "cpu_capability")}
                              for s, i in result["systems"].items()}
        result["machine"] = machine
        with open(args.machine, "w") as f:
            json.dump(machine, f, indent=1)
        print(f"machine record: {args.machine}", file=log)
    print(table(result, systems))
    if args.json:
        text = json.dumps(result, indent=1)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as f:
                f.write(text)
    if own_data and args.data:
        os.unlink(args.data)
    return result


def import_times(systems, py_of, args, repeats=5):
    mods = {}
    for s in systems:
        mods.setdefault(MODULE[s], py_of[s])
    samples = {m: [] for m in mods}
    code = "import time; t = time.perf_counter(); import {m}; print(time.perf_counter() - t)"
    for _ in range(repeats):
        for m, py in mods.items():
            out = subprocess.run([py, "-c", code.format(m=m)], capture_output=True, text=True,
                                 env=worker_env(args, "tinytf" if m == "tinytf" else m), cwd=ROOT)
            try:
                samples[m].append(float(out.stdout.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                pass
    return {m: summarize(v) for m, v in samples.items() if v}


def memory(systems, py_of, args):
    """Peak RSS during a training run (fresh process per system; the first 100 steps of an epoch)."""
    out = {}
    for s in systems:
        if s == "tf-function" and "tf-eager" in systems:
            pass
        r = subprocess.run([py_of[s], os.path.join(HERE, "worker.py"), s, "--memory", "100"],
                           capture_output=True, text=True, env=worker_env(args, s), cwd=ROOT)
        try:
            out[s] = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            out[s] = {"error": r.stderr[-300:]}
    return out


def machine_record(args):
    """What a reader needs to trust or compare a run: CPU and its SIMD flags, BLAS kernels, threads,
    load average (``loadavg_end`` is added when the run ends)."""
    info = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_model(),
            "logical_cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "numpy": np.__version__, "threads_requested": args.threads, "loadavg_start": os.getloadavg()}
    try:
        info["affinity"] = sorted(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
        flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
        for key in ("cpu family", "model", "stepping"):  # AMD family 25: model 1 Zen 3 (AVX2), 17 Zen 4
            info[key.replace(" ", "_")] = next((line.split(":", 1)[1].strip() for line in lines
                                                if line.split(":", 1)[0].strip() == key), None)
        simd = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "amx_tile", "amx_bf16")
        info["simd"] = {f: f in flags for f in simd}
        info["avx512"] = sorted(f for f in flags if f.startswith("avx512"))
        info["hypervisor"] = "hypervisor" in flags
    except OSError:
        pass
    info["worker_env"] = {k: v for k, v in worker_env(args, "tinytf").items()
                          if k.endswith("_NUM_THREADS") or k.startswith(("OPENBLAS_", "KMP_", "OMP_", "GOMP_",
                                                                         "MALLOC_", "TINYTF_"))}
    info["removed_from_worker_env"] = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ]
    try:
        from threadpoolctl import threadpool_info
        np.ones((4, 4)) @ np.ones((4, 4))  # load the BLAS
        info["driver_blas"] = [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads",
                                                      "threading_layer")} for d in threadpool_info()]
        info["driver_blas_note"] = ("the driver's own environment (OPENBLAS_* not removed); each worker's pools "
                                    "are under 'workers'")
    except ImportError:
        info["driver_blas"] = "threadpoolctl not installed"
    return info


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip() + f" ({os.cpu_count()} logical CPUs)"
    except OSError:
        pass
    return platform.processor()


def table(result, systems):
    peers = [s for s in systems if s != "tinytf"]
    head = ["workload"] + [s for s in systems] + [f"tinytf/{p}" for p in peers if "tinytf" in systems]
    rows = []
    for wl, entry in result["workloads"].items():
        row = [DESCR.get(wl, wl.replace("_fwdbwd", " fwd+bwd").replace("_fwd", " fwd"))]
        for s in systems:
            e = entry.get(s)
            if e is None:
                row.append("n/a")
            elif "error" in e:
                row.append("error")
            else:
                row.append(f"{fmt_t(e['median'])} ({fmt_t(e['min'])}-{fmt_t(e['max'])})")
        if "tinytf" in systems:
            t = entry.get("tinytf", {}).get("median")
            for p in peers:
                q = entry.get(p, {}).get("median")
                row.append(f"{t / q:.2f}" if t and q else "-")
        rows.append(row)
        if wl.startswith("lenet") and "tinytf" in entry and "median" in entry["tinytf"]:
            pass
    lines = [head] + rows
    extra = []
    if "lenet_tape" in result["workloads"]:
        e = result["workloads"]["lenet_tape"]
        extra.append("images/s (GradientTape loop): " + ", ".join(
            f"{s} {N_TRAIN / v['median']:.0f}" for s, v in e.items() if "median" in v))
    if "import" in result:
        extra.append("import time (median of 5, fresh process): " + ", ".join(
            f"{m} {fmt_t(v['median'])}" for m, v in result["import"].items()))
    if "memory" in result:
        extra.append("peak RSS of a training run (100 steps; MB; total / above the post-import+data baseline): "
                     + ", ".join(f"{s} {v['peak_mb']:.0f} / {v['train_extra_mb']:.0f}"
                                 if "peak_mb" in v else f"{s} error" for s, v in result["memory"].items()))
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    hdr = (f"{result['date']}  {result['cpu']}  threads={result['threads']}  repeats={result['repeats']}"
           + (f"  (epochs scaled from {result['steps']} steps)" if result["steps"] else ""))
    return "\n".join([hdr, ""] + out + [""] + extra)


if __name__ == "__main__":
    main()
