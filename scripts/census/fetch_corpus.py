"""Rebuild the census corpus folder from scripts/census/sources.tsv.

    python3 scripts/census/fetch_corpus.py OUT_DIR [--mirrors DIR]

Each row (repository, commit, path) becomes OUT_DIR/<owner>__<repo>/<path>, read at that commit:
from a local bare clone DIR/<owner>+<repo>/repo when --mirrors is given (`git show`), else from
https://raw.githubusercontent.com. Files already present are kept.
"""
import argparse
import os
import subprocess
import sys
import urllib.request


def rows(sources):
    with open(sources) as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                repo, commit, path = line.rstrip("\n").split("\t")
                yield repo, commit, path


def fetch(repo, commit, path, mirrors):
    if mirrors:
        git_dir = os.path.join(mirrors, repo.replace("/", "+"), "repo")
        return subprocess.run(["git", "-C", git_dir, "show", f"{commit}:{path}"], check=True,
                              capture_output=True).stdout
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{urllib.request.quote(path)}"
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--sources", default=os.path.join(os.path.dirname(__file__), "sources.tsv"))
    ap.add_argument("--mirrors", help="folder of bare clones named <owner>+<repo>/repo")
    args = ap.parse_args(argv)
    failed = 0
    for repo, commit, path in rows(args.sources):
        out = os.path.join(args.out, repo.replace("/", "__"), path)
        if os.path.exists(out):
            continue
        try:
            data = fetch(repo, commit, path, args.mirrors)
        except Exception as e:  # report every file that could not be fetched, then fail
            print(f"fetch_corpus: {repo}@{commit[:10]}:{path}: {e}", file=sys.stderr)
            failed += 1
            continue
        os.makedirs(os.path.dirname(out), exist_ok=True)
        tmp = out + ".part"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
