"""Is the harness honest? Time each peer inside ``benchmarks/run.py`` and as its minimal standalone
script (``benchmarks/standalone/``), alternating in one session, and print ms/step for both.

    python benchmarks/harness_check.py                                  # lenet, all systems, 3 rounds
    python benchmarks/harness_check.py --systems torch --steps 200 --rounds 5
    python benchmarks/harness_check.py --model vgg --steps 5

A round runs, for every system, ``run.py --systems <all given> --only <workload> --steps S`` once
(all workers alive, as in a full run; the harness's per-repeat times are per step here) and each
standalone script once (a fresh process: warm-up, then S timed steps), the order alternating
between rounds. Reported: the median over rounds of each side's ms/step, and harness/standalone
(the goal is <= 1.10). Both sides get the same data file, thread count and environment
(``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` removed for both).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run as harness  # noqa: E402

WORKLOAD = {"lenet": "lenet_tape", "vgg": "vgg_train", "resnet18": "resnet18_train"}
SCRIPT = {"tinytf": ("tinytf_lenet.py", []), "tf-eager": ("tf_lenet.py", ["--eager"]),
          "tf-function": ("tf_lenet.py", []), "torch": ("torch_lenet.py", [])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--systems", nargs="+", default=harness.SYSTEMS, choices=harness.SYSTEMS)
    ap.add_argument("--model", choices=list(WORKLOAD), default="lenet")
    ap.add_argument("--steps", type=int, help="timed steps per measurement (default: lenet 469, vgg 10, resnet18 5)")
    ap.add_argument("--repeats", type=int, default=2, help="harness repeats per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--json", help="write the samples here")
    a = ap.parse_args()
    steps = a.steps or {"lenet": 469, "vgg": 10, "resnet18": 5}[a.model]
    data = None if a.synthetic else harness.fashion_mnist_npz()
    args = argparse.Namespace(threads=a.threads, kernels=None, data=data)
    py = harness.pythons_for(a.systems, argparse.Namespace(tf_python=None, torch_python=None))
    systems = [s for s in a.systems if py[s]]
    wl = WORKLOAD[a.model]
    samples = {s: {"harness": [], "standalone": []} for s in systems}
    loads = [os.getloadavg()]

    def harness_run():
        cmd = [sys.executable, os.path.join(HERE, "run.py"), "--systems", *systems, "--only", wl,
               "--steps" if wl.startswith("lenet") else "--cifar-steps", str(steps), "--repeats", str(a.repeats), "--threads", str(a.threads),
               "--no-import", "--no-memory", "--json", "-"]
        cmd += ["--synthetic"] if a.synthetic else (["--data-npz", data] if data else [])
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        text = out.stdout[out.stdout.index("\n{") + 1:] if "\n{" in out.stdout else "{}"
        out_json = json.loads(text)
        res = out_json.get("workloads", {}).get(wl, {})
        # run.py reports LeNet per epoch (scaled up from the steps run), CIFAR workloads per step
        per = steps * out_json.get("epoch_scale", 1.0) if wl.startswith("lenet") else 1
        for s in systems:
            if "median" in res.get(s, {}):
                samples[s]["harness"].append(res[s]["median"] / per * 1e3)
            else:
                print(f"harness {s}: {res.get(s)} {out.stderr[-500:]}", file=sys.stderr)

    def standalone_run(s):
        script, extra = SCRIPT[s]
        cmd = [py[s], os.path.join(HERE, "standalone", script), "--model", a.model, "--steps", str(steps),
               "--threads", str(a.threads), "--json"] + extra
        cmd += ["--synthetic"] if a.synthetic else (["--data", data] if data else [])
        out = subprocess.run(cmd, capture_output=True, text=True, env=harness.worker_env(args, s), cwd=ROOT)
        try:
            samples[s]["standalone"].append(json.loads(out.stdout.strip().splitlines()[-1])["ms_step_mean"])
        except (ValueError, IndexError):
            print(f"standalone {s} failed: {out.stderr[-500:]}", file=sys.stderr)

    for r in range(a.rounds):
        order = ["harness"] + systems if r % 2 == 0 else systems[::-1] + ["harness"]
        for item in order:
            harness_run() if item == "harness" else standalone_run(item)
        loads.append(os.getloadavg())
        print(f"round {r + 1}: " + ", ".join(f"{s} {v['harness'][-1:]} / {v['standalone'][-1:]}"
                                            for s, v in samples.items()), file=sys.stderr)
    print(f"{a.model} ({wl}), {steps} steps, threads {a.threads}, {a.rounds} rounds; "
          f"load average 1 min: start {loads[0][0]:.2f}, end {loads[-1][0]:.2f}")
    print(f"{'system':12s} {'harness ms/step':>16s} {'standalone ms/step':>19s} {'harness/standalone':>19s}")
    for s, v in samples.items():
        if v["harness"] and v["standalone"]:
            h, st = statistics.median(v["harness"]), statistics.median(v["standalone"])
            print(f"{s:12s} {h:16.2f} {st:19.2f} {h / st:19.2f}   (harness {['%.2f' % x for x in v['harness']]}, "
                  f"standalone {['%.2f' % x for x in v['standalone']]})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"model": a.model, "steps": steps, "threads": a.threads, "loadavg": loads,
                       "samples": samples}, f, indent=1)
    if data:
        os.unlink(data)


if __name__ == "__main__":
    main()
