"""Which of the census's uncovered names TensorFlow 2.21 / Keras 3 lacks too (run with TensorFlow):

    /work/venv-tf/bin/python scripts/census/tf_absent.py CENSUS_JSON [--out scripts/census/absent_in_tf.txt]

CENSUS_JSON is ``census.py --json``'s file. Names are checked as census.py checks them against
tinytf, but in ``tensorflow`` (``keras.*`` in ``tf.keras``, which in TF 2.21 is Keras 3 with the
legacy ``tf.keras.backend`` functions). Methods and attributes of objects are not checked
(only constructors, functions and their keywords).
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import census  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("census_json")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "absent_in_tf.txt"))
    args = ap.parse_args(argv)
    data = json.load(open(args.census_json))
    uncovered = sorted(n for n, ok in data["covered"].items() if not ok)
    checker = census.Checker("tensorflow")
    absent = []
    for name in uncovered:
        target = re.sub(r"\(\w+=\)$", "", name)
        owner = target.rpartition(".")[0]
        try:
            checker.lookup(owner if owner and owner != target and _is_member(checker, target) else target)
        except LookupError:
            absent.append(name)
            continue
        if name != target and not checker.covered(name):
            absent.append(name)
    with open(args.out, "w") as fh:
        fh.write("# uncovered census names TensorFlow 2.21 / Keras 3 lacks too (scripts/census/tf_absent.py)\n")
        fh.writelines(n + "\n" for n in absent)
    print(f"{len(absent)} of {len(uncovered)} uncovered names are absent from TensorFlow 2.21")


def _is_member(checker, target):
    """A method/attribute of an object (``keras.Model.fit``): only its owner is checked."""
    try:
        checker.lookup(target)
        return False
    except LookupError:
        owner = target.rpartition(".")[0]
        try:
            return isinstance(checker.lookup(owner), type)
        except LookupError:
            return False


if __name__ == "__main__":
    main()
