"""Measure the tutorial recipe's test accuracy over seeds, with the GradientTape loop and with fit.

Run:  python examples/accuracy.py [--seeds 0 1 2] [--epochs 5]

Prints a Markdown table (test accuracy after epoch 1 and after the last epoch, per seed, and
the median) — the table in the README comes from this script.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lenet5_fit  # noqa: E402
import lenet5_tape  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args()
    rows = []
    for loop, fn in (("GradientTape loop", lambda s: lenet5_tape.run(args.epochs, seed=s, log=lambda m: None)),
                     ("compile / fit", lambda s: lenet5_fit.run(args.epochs, seed=s, verbose=0))):
        accs = {}
        for seed in args.seeds:
            accs[seed] = fn(seed)
            print(f"{loop}, seed {seed}: " + " ".join(f"{a:.4f}" for a in accs[seed]), file=sys.stderr, flush=True)
        first = [a[0] for a in accs.values()]
        last = [a[-1] for a in accs.values()]
        rows.append((loop, first, last))
    print(f"| loop | after epoch 1 (seeds {', '.join(map(str, args.seeds))}) | after epoch {args.epochs} | "
          f"median after epoch {args.epochs} |")
    print("|---|---|---|---|")
    for loop, first, last in rows:
        print(f"| {loop} | {' / '.join(f'{a:.1%}' for a in first)} | {' / '.join(f'{a:.1%}' for a in last)} | "
              f"**{statistics.median(last):.1%}** |")


if __name__ == "__main__":
    main()
