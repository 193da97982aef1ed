"""Exit 0 when this checkout is already installed editable with every requirement of the package and
its ``test`` extra met, so ``scripts/setup.sh`` can skip pip (several seconds); else exit 1.

``--any-checkout``: another checkout of the same version installed editable will do (for
``scripts/test.sh``, which puts this checkout first on ``PYTHONPATH``)."""
import json
import pathlib
import sys
from importlib import metadata

try:
    import tomllib  # Python 3.11+
    from packaging.requirements import Requirement
except ImportError:
    sys.exit(1)


def installed(root, any_checkout=False):
    with open(root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    try:
        dist = metadata.distribution(project["name"])
        url = json.loads(dist.read_text("direct_url.json") or "{}")
        scripts = {e.name: e.value for e in dist.entry_points if e.group == "console_scripts"}
        if (dist.version != project["version"] or (url.get("url") != root.as_uri() and not any_checkout)
                or not url.get("dir_info", {}).get("editable") or scripts != project.get("scripts", {})):
            return False
        for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
            req = Requirement(spec)
            if (not req.marker or req.marker.evaluate()) and \
                    not req.specifier.contains(metadata.version(req.name), prereleases=True):
                return False
    except metadata.PackageNotFoundError:
        return False
    return True


sys.exit(0 if installed(pathlib.Path(__file__).resolve().parent.parent, "--any-checkout" in sys.argv[1:]) else 1)
