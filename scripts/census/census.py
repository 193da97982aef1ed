"""The API census: which TensorFlow / Keras names real CNN programs use, and which tinytf covers.

    python3 scripts/census/census.py CORPUS_DIR [--out docs/API_COVERAGE.md] [--json FILE]

CORPUS_DIR holds the programs (.py, and .ipynb whose code cells are read), one program per file,
laid out as scripts/census/fetch_corpus.py writes them (<owner>__<repo>/<path>). Works offline.

Every name is written in one canonical form:
  * API paths: `tf.nn.conv2d`, `keras.layers.Conv2D` (`tf.keras.X`, `tensorflow.keras.X` and
    `keras.X` are all `keras.X`);
  * keyword arguments: `keras.layers.Conv2D(padding=)`;
  * methods and attributes of objects whose type the script can follow (a variable assigned from
    an API constructor, a Dataset chain, a class that subclasses an API class, `self` inside it):
    `keras.Model.fit`, `keras.Model.fit(epochs=)`, `tf.data.Dataset.batch`, `tf.GradientTape.gradient`.
A name is covered when `tinytf` resolves the path; a keyword when the signature accepts it (for a
class, its `__init__` and, through `**kwargs`, its bases'); a method or attribute when the tinytf
class has it or one of its classes assigns `self.<name>`.
"""
import argparse
import ast
import builtins
import collections
import importlib
import inspect
import json
import os
import re
import sys

ROOTS = {"tensorflow": "tf", "keras": "keras"}
PREFIXES = [("tf.keras.", "keras."), ("tf.python.keras.", "keras."), ("keras.api.", "keras."),
            ("keras.src.", "keras."), ("keras.models.Sequential", "keras.Sequential"),
            ("keras.models.Model", "keras.Model"), ("keras.engine.training.Model", "keras.Model"),
            ("keras.Layer", "keras.layers.Layer"), ("keras.engine.base_layer.Layer", "keras.layers.Layer")]
DATASET = "tf.data.Dataset"
DATASET_SAME = {"map", "batch", "shuffle", "prefetch", "cache", "repeat", "take", "skip", "filter",
                "unbatch", "padded_batch", "concatenate", "shard", "with_options", "apply", "flat_map",
                "interleave", "enumerate", "rebatch", "ragged_batch", "take_while", "window",
                "prefetch_to_device"}
RETURNS = {"keras.models.load_model": "keras.Model", "keras.saving.load_model": "keras.Model",
           "keras.utils.image_dataset_from_directory": DATASET,
           "keras.preprocessing.image_dataset_from_directory": DATASET,
           "keras.utils.text_dataset_from_directory": DATASET,
           "keras.models.clone_model": "keras.Model", "keras.Input": None}
MODEL_METHODS = {"fit": "keras.callbacks.History"}


def canonical(path):
    if path.startswith("tensorflow."):
        path = "tf." + path[len("tensorflow."):]
    elif path == "tensorflow":
        path = "tf"
    changed = True
    while changed:
        changed = False
        for old, new in PREFIXES:
            if path.startswith(old) and (len(path) == len(old) or path[len(old)] == "." or old.endswith(".")):
                path, changed = new + path[len(old):], True
    if path == "tf.keras":
        path = "keras"
    return path


def instance_type(path):
    """The type of the value a call to API `path` returns, or None when unknown."""
    if path in RETURNS:
        return RETURNS[path]
    if path.startswith(DATASET + "."):
        return DATASET
    if path.startswith("keras.applications.") and path.rsplit(".", 1)[1][:1].isupper():
        return "keras.Model"
    last = path.rsplit(".", 1)[-1]
    return path if last[:1].isupper() else None


# ---------------------------------------------------------------- reading programs

def program_source(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    if not path.endswith(".ipynb"):
        return [text]
    try:
        nb = json.loads(text)
    except ValueError:
        return []
    cells = nb.get("cells") or [c for w in nb.get("worksheets", []) for c in w.get("cells", [])]
    out = []
    for c in cells:
        if c.get("cell_type") != "code":
            continue
        src = c.get("source", c.get("input", ""))
        out.append("".join(src) if isinstance(src, list) else src)
    return out


def _clean(src):
    lines = []
    for line in src.split("\n"):
        s = line.lstrip()
        if s.startswith(("!", "%", "?")) or s.endswith("?"):
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)


def parse_cells(cells):
    """One module of all the cells that parse (a cell that does not is dropped line by line)."""
    body = []
    for src in cells:
        src = _clean(src)
        for _ in range(20):
            try:
                body.extend(ast.parse(src).body)
                break
            except SyntaxError as e:
                lines = src.split("\n")
                if not e.lineno or e.lineno > len(lines):
                    break
                lines[e.lineno - 1] = ""
                src = "\n".join(lines)
            except (ValueError, RecursionError):
                break
    return ast.Module(body=body, type_ignores=[])


# ---------------------------------------------------------------- the names a program uses

class Scanner(ast.NodeVisitor):
    def __init__(self, knows=None):
        self.knows = knows       # path -> whether it exists (picks the module of a star import)
        self.aliases = {}        # local name -> canonical API path (modules, classes, functions)
        self.types = {}          # variable name -> type path of its value
        self.instances = {}      # variable name -> the user class it was made from
        self.classes = {}        # user class -> (API base type, own names)
        self.stars = []          # modules star-imported
        self.foreign_star = False  # a star import from another package (its names are not guessed)
        self.local = set()       # names the program defines or imports from elsewhere
        self.names = set()
        self.context = []        # user classes being visited

    # imports
    def visit_Import(self, node):
        for a in node.names:
            root = a.name.split(".")[0]
            if root not in ROOTS:
                self.local.add(a.asname or root)
                continue
            if a.asname:
                self.aliases[a.asname] = canonical(a.name)
            else:
                self.aliases[root] = canonical(root)

    def visit_ImportFrom(self, node):
        mod = node.module or ""
        if node.level or mod.split(".")[0] not in ROOTS:
            self.foreign_star = self.foreign_star or any(a.name == "*" for a in node.names)
            self.local.update(a.asname or a.name for a in node.names)
            return
        for a in node.names:
            if a.name == "*":
                self.stars.append(canonical(mod))
                continue
            path = canonical(f"{mod}.{a.name}")
            self.aliases[a.asname or a.name] = path
            if path.count(".") >= 1 and not _is_module_path(path):
                self.names.add(path)

    # resolution
    def resolve(self, node):
        """The canonical API path an expression names (`tf.nn.relu`), or None."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            return None
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is not None:
                return canonical(f"{base}.{node.attr}")
        return None

    def typeof(self, node):
        if isinstance(node, ast.Name):
            if node.id == "self" and self.context:
                return self.classes[self.context[-1]][0]
            return self.types.get(node.id)
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in self.classes:
                return self.classes[f.id][0]
            path = self.resolve(f)
            if path is not None:
                return instance_type(path)
            if isinstance(f, ast.Attribute):
                t = self.typeof(f.value)
                if t == DATASET and f.attr in DATASET_SAME:
                    return DATASET
                if t is not None and _is_model(t):
                    return MODEL_METHODS.get(f.attr)
        if isinstance(node, ast.Attribute) and node.attr == "history":
            t = self.typeof(node.value)
            if t == "keras.callbacks.History":
                return None
        return None

    def _star(self, name):
        if name in self.aliases or name in self.types or name in self.classes or name in self.local:
            return None
        if self.stars and name[:1].isupper() and not hasattr(builtins, name):
            for mod in self.stars:
                if self.knows is not None and self.knows(f"{mod}.{name}"):
                    return f"{mod}.{name}"
            return None if self.foreign_star else f"{self.stars[-1]}.{name}"
        return None

    # definitions
    def visit_ClassDef(self, node):
        self.local.add(node.name)
        base_type = None
        for b in node.bases:
            p = self.resolve(b)
            if p is not None:
                self.names.add(p)
                base_type = canonical(p)
            elif isinstance(b, ast.Name) and b.id in self.classes:
                base_type = self.classes[b.id][0]
        own = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for n in ast.walk(node):
            if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store):
                own.add(n.attr)
            elif isinstance(n, ast.Assign):
                own.update(t.id for t in n.targets if isinstance(t, ast.Name))
        if base_type is None:
            self.generic_visit(node)
            return
        self.classes[node.name] = (base_type, own)
        self.context.append(node.name)
        self.generic_visit(node)
        self.context.pop()

    def visit_Assign(self, node):
        self.generic_visit(node)
        path = self.resolve(node.value)
        t = self.typeof(node.value)
        made_from = node.value.func.id if isinstance(node.value, ast.Call) \
            and isinstance(node.value.func, ast.Name) and node.value.func.id in self.classes else None
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.local.add(target.id)
                if made_from:
                    self.instances[target.id] = made_from
                else:
                    self.instances.pop(target.id, None)
                if path is not None:
                    self.aliases[target.id] = path
                else:
                    self.aliases.pop(target.id, None)
                if t is not None:
                    self.types[target.id] = t
                else:
                    self.types.pop(target.id, None)

    def visit_With(self, node):
        for item in node.items:
            t = self.typeof(item.context_expr)
            if t is not None and isinstance(item.optional_vars, ast.Name):
                self.types[item.optional_vars.id] = t
        self.generic_visit(node)

    # uses
    def _member(self, node):
        """`Type.attr` for an attribute of a value of known type (not one the user class defines)."""
        t = self.typeof(node.value)
        if t is None:
            return None
        if isinstance(node.value, ast.Name) and node.value.id == "self" and self.context:
            if node.attr in self.classes[self.context[-1]][1]:
                return None
        if isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                and node.value.func.id in self.classes and node.attr in self.classes[node.value.func.id][1]:
            return None
        if isinstance(node.value, ast.Name) and node.value.id in self.instances \
                and node.attr in self.classes[self.instances[node.value.id]][1]:
            return None
        return f"{t}.{node.attr}"

    def visit_Call(self, node):
        f = node.func
        target = self.resolve(f)
        if target is None and isinstance(f, ast.Name):
            target = self._star(f.id)
        if target is None and isinstance(f, ast.Attribute):
            target = self._member(f)
        if target is not None:
            self.names.add(target)
            for kw in node.keywords:
                if kw.arg is not None:
                    self.names.add(f"{target}({kw.arg}=)")
        if isinstance(f, ast.Attribute) and target is not None:
            self.visit_chain(f.value)
        else:
            self.visit(f)
        for a in node.args:
            self.visit(a)
        for kw in node.keywords:
            self.visit(kw.value)

    def visit_chain(self, node):
        """Visit the receiver of a resolved call without recording its prefixes as names."""
        if isinstance(node, (ast.Name,)):
            return
        if isinstance(node, ast.Attribute) and self.resolve(node) is not None:
            return
        self.visit(node)

    def visit_Attribute(self, node):
        path = self.resolve(node)
        if path is not None:
            if not _is_module_path(path):
                self.names.add(path)
            return
        if isinstance(node.ctx, ast.Load):
            member = self._member(node)
            if member is not None:
                self.names.add(member)
        self.visit(node.value)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            path = self.aliases.get(node.id) or self._star(node.id)
            if path is not None and not _is_module_path(path) and path.count(".") >= 1:
                self.names.add(path)

    def visit_FunctionDef(self, node):
        self.local.add(node.name)
        for d in node.decorator_list:
            self.visit(d)
        saved = dict(self.types)
        self.generic_visit_body(node)
        self.types = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def generic_visit_body(self, node):
        for n in node.body:
            self.visit(n)
        for d in node.args.defaults + node.args.kw_defaults:
            if d is not None:
                self.visit(d)


NAMESPACES = set("""
tf tf.nn tf.math tf.image tf.data tf.data.experimental tf.random tf.io tf.strings tf.linalg tf.signal
tf.config tf.config.experimental tf.distribute tf.distribute.experimental tf.train tf.summary
tf.saved_model tf.lite tf.dtypes tf.debugging tf.experimental tf.experimental.numpy tf.autograph
tf.sparse tf.raw_ops tf.test tf.errors tf.bitwise tf.feature_column tf.estimator tf.sysconfig
tf.types tf.types.experimental tf.quantization tf.audio tf.queue tf.tpu tf.xla tf.version tf.compat
tf.compat.v1 tf.compat.v2 tf.initializers tf.losses tf.metrics tf.optimizers tf.keras
keras keras.layers keras.layers.experimental keras.layers.experimental.preprocessing
keras.models keras.optimizers keras.optimizers.schedules keras.optimizers.legacy
keras.optimizers.experimental keras.losses keras.metrics keras.callbacks keras.initializers
keras.regularizers keras.constraints keras.activations keras.backend keras.utils keras.datasets
keras.applications keras.preprocessing keras.preprocessing.image keras.preprocessing.sequence
keras.preprocessing.text keras.ops keras.random keras.saving keras.mixed_precision keras.export
keras.wrappers keras.engine keras.config keras.tree keras.visualization keras.dtype_policies
keras.utils.vis_utils keras.utils.np_utils keras.utils.layer_utils keras.quantizers keras.distribution
keras.ops.image keras.ops.nn keras.ops.numpy keras.ops.linalg keras.ops.core
""".split())


def _is_module_path(path):
    """Whether `path` names a namespace (`tf.nn`, `keras.layers`), not something in it."""
    if path in NAMESPACES:
        return True
    return bool(re.fullmatch(r"keras\.(applications|datasets)\.[a-z_0-9]+", path))


def _is_model(t):
    return t in ("keras.Model", "keras.Sequential")


def program_names(path, knows=None):
    s = Scanner(knows)
    s.visit(parse_cells(program_source(path)))
    return {n for n in s.names if not n.startswith("tf.compat.v1")} if s.names else set()


# ---------------------------------------------------------------- checking names against tinytf

class Checker:
    """Resolves canonical names in a package: tinytf by default, or TensorFlow itself
    (``Checker("tensorflow")``, run by ``tf_absent.py`` with TensorFlow installed)."""

    def __init__(self, package="tinytf"):
        self.tf = importlib.import_module(package)
        self.package = package
        self.cache = {}

    def lookup(self, path):
        root, _, rest = path.partition(".")
        obj = self.tf if root == "tf" else self.tf.keras
        modname = self.package if root == "tf" else getattr(self.tf.keras, "__name__", self.package + ".keras")
        for part in rest.split(".") if rest else []:
            modname += "." + part
            try:
                obj = getattr(obj, part)
            except Exception:
                try:
                    obj = importlib.import_module(modname)
                except Exception:
                    raise LookupError(path)
        return obj

    def covered(self, name):
        if name not in self.cache:
            try:
                self.cache[name] = self._covered(name)
            except LookupError:
                self.cache[name] = False
        return self.cache[name]

    def _covered(self, name):
        m = re.fullmatch(r"(.+)\((\w+)=\)", name)
        if m:
            target, kw = m.groups()
            if not self.covered(target):
                return False
            return _accepts(self._callable(target), kw)
        try:
            self.lookup(name)
            return True
        except LookupError:
            pass
        owner, _, attr = name.rpartition(".")
        try:
            cls = self.lookup(owner)
        except LookupError:
            return False
        return isinstance(cls, type) and _has_member(cls, attr)

    def _callable(self, target):
        try:
            return self.lookup(target)
        except LookupError:
            owner, _, attr = target.rpartition(".")
            return getattr(self.lookup(owner), attr, None)


def _has_member(cls, attr):
    """The class has ``attr``, one of its classes assigns ``self.<attr>``, or its package's code sets
    ``<obj>.<attr>`` on instances it makes (``image_dataset_from_directory``'s ``ds.class_names``)."""
    if hasattr(cls, attr):
        return True
    if attr in _instance_attrs():
        return True
    try:  # a class made without arguments (tf.data.Options) may set its attributes in a loop
        sig = inspect.signature(cls)
        if all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in sig.parameters.values()) and hasattr(cls(), attr):
            return True
    except Exception:  # a constructor that fails without arguments says nothing about the attribute
        pass
    pattern = re.compile(r"self\." + re.escape(attr) + r"\s*(=|,)")
    for k in cls.__mro__:
        try:
            if pattern.search(inspect.getsource(k)):
                return True
        except (TypeError, OSError):
            continue
    return False


_SET_ON_INSTANCES = None


def _instance_attrs():
    """Attributes tinytf's code sets on objects other than ``self`` (``ds.class_names = names``)."""
    global _SET_ON_INSTANCES
    if _SET_ON_INSTANCES is None:
        import tinytf
        root = os.path.dirname(tinytf.__file__)
        found = set()
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.endswith(".py"):
                    src = open(os.path.join(dirpath, f), encoding="utf-8").read()
                    found.update(re.findall(r"^\s*(?!self\b)[a-z_]\w*\.([a-z_]\w*)\s*=[^=]", src, re.M))
        _SET_ON_INSTANCES = found
    return _SET_ON_INSTANCES


def _accepts(fn, kw):
    """Whether calling `fn` (a class: its constructor) accepts the keyword `kw`.

    A signature with `**kwargs` accepts `kw` when its code names it (`kwargs.pop("lr")`); one that
    hands `**kwargs` to `super().__init__` defers to the base class; one that raises on leftovers
    (`if kwargs: raise`) refuses; any other swallows it.
    """
    if fn is None:
        return False
    chain = [k.__init__ for k in fn.__mro__ if "__init__" in vars(k) and k is not object] \
        if isinstance(fn, type) else [fn]
    for f in chain:
        try:
            sig = inspect.signature(f)
        except (TypeError, ValueError):
            return True
        p = sig.parameters.get(kw)
        if p is not None and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            return True
        if not any(q.kind == inspect.Parameter.VAR_KEYWORD for q in sig.parameters.values()):
            return False
        try:
            src = inspect.getsource(f)
        except (TypeError, OSError):
            return True
        if re.search(r"""["']""" + re.escape(kw) + r"""["']""", src):
            return True
        if re.search(r"super\(\)\.__init__\([^)]*\*\*kwargs", src):
            continue
        return not re.search(r"if kwargs:", src)
    return False


# ---------------------------------------------------------------- report

def scan(corpus, knows=None):
    programs = {}
    for dirpath, _, files in os.walk(corpus):
        for f in sorted(files):
            if f.endswith((".py", ".ipynb")):
                p = os.path.join(dirpath, f)
                programs[os.path.relpath(p, corpus)] = program_names(p, knows)
    return dict(sorted(programs.items()))


def census(programs, checker, assume=()):
    counts = collections.Counter(n for names in programs.values() for n in names)
    ok = {n: checker.covered(n) or _assumed(n, assume) for n in counts}
    full = [p for p, names in programs.items() if all(ok[n] for n in names)]
    return counts, ok, full


def read_names(path):
    if not path or not os.path.exists(path):
        return set()
    with open(path) as fh:
        return {l.strip() for l in fh if l.strip() and not l.startswith("#")}


def _assumed(name, assume):
    """``name`` is in ``assume``, or is a keyword or member of a name in it."""
    return name in assume or any(name.startswith((a + "(", a + ".")) for a in assume)


def render(programs, counts, ok, full, sources, absent=frozenset()):
    n = len(programs)
    missing = sorted((c, name) for name, c in counts.items() if not ok[name])
    missing.sort(key=lambda t: (-t[0], t[1]))
    broken = [p for p, names in programs.items() if names & absent]
    runnable = n - len(broken)
    full_runnable = [p for p in full if p not in broken]
    lines = [
        "# API coverage: the TensorFlow / Keras names CNN programs use",
        "",
        "Generated by `scripts/census/census.py` (do not edit by hand) from the public programs",
        f"listed in `scripts/census/sources.tsv` ({n} programs from {len(sources)} repositories; the",
        "programs themselves are not in this repository: `scripts/census/fetch_corpus.py` fetches them).",
        "",
        "A program is covered when every `tf.*` / `keras.*` name, keyword argument and method it uses",
        "(as far as the script can follow its variables' types) resolves in tinytf. Names are",
        "canonical: `tf.keras.X` is `keras.X`; `keras.layers.Conv2D(padding=)` is a keyword argument;",
        "`keras.Model.fit` is a method of an object of that type.",
        "",
        f"**{len(full)} of {n} programs ({100.0 * len(full) / max(n, 1):.1f}%) have every name covered.**",
        f"{len(counts)} distinct names; {sum(1 for v in ok.values() if v)} covered, "
        f"{len(missing)} not.",
        "",
        f"{len(broken)} programs use a name TensorFlow 2.21 / Keras 3 lacks too (marked TF-absent below, from",
        "`scripts/census/absent_in_tf.txt`, written by `scripts/census/tf_absent.py` with TensorFlow installed):",
        "TensorFlow cannot run them unchanged either. Of the other "
        f"{runnable}, **{len(full_runnable)} ({100.0 * len(full_runnable) / max(runnable, 1):.1f}%)** are covered.",
        "",
        "## Uncovered names, by the number of programs that use them",
        "",
        "| programs | name | TF 2.21 |",
        "|---:|---|---|",
    ]
    lines += [f"| {c} | `{name}` | {'absent' if name in absent else ''} |" for c, name in missing]
    lines += ["", "## The most used names (all covered)", "", "| programs | name |", "|---:|---|"]
    top = sorted(((c, name) for name, c in counts.items() if ok[name]), key=lambda t: (-t[0], t[1]))[:60]
    lines += [f"| {c} | `{name}` |" for c, name in top]
    lines += ["", "## Programs not covered, with their uncovered names", ""]
    for p, names in programs.items():
        bad = sorted(x for x in names if not ok[x])
        if bad:
            lines.append(f"- `{p}`: " + ", ".join(f"`{x}`" for x in bad))
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", help="folder holding the programs")
    ap.add_argument("--sources", default=os.path.join(os.path.dirname(__file__), "sources.tsv"))
    ap.add_argument("--out", help="write the Markdown report here")
    ap.add_argument("--json", help="write {program: [names]} and the coverage here")
    ap.add_argument("--assume", help="a file of names to count as covered (planning)")
    ap.add_argument("--absent", default=os.path.join(os.path.dirname(__file__), "absent_in_tf.txt"),
                    help="names TensorFlow 2.21 lacks (tf_absent.py writes it)")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.corpus):
        ap.error(f"corpus folder {args.corpus!r} does not exist")
    checker = Checker()
    programs = scan(args.corpus, checker.covered)
    absent = read_names(args.absent)
    assume = set()
    if args.assume:
        assume = {l.strip() for l in open(args.assume) if l.strip() and not l.startswith("#")}
    counts, ok, full = census(programs, checker, assume)
    sources = {l.split("\t")[0] for l in open(args.sources) if l.strip() and not l.startswith("#")}
    text = render(programs, counts, ok, full, sources, absent)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"programs": {p: sorted(v) for p, v in programs.items()},
                       "covered": ok}, fh, indent=1, sort_keys=True)
    print(f"{len(full)} of {len(programs)} programs covered "
          f"({100.0 * len(full) / max(len(programs), 1):.1f}%)")


if __name__ == "__main__":
    main()
