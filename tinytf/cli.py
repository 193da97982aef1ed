"""The ``tinytf`` command (also ``python -m tinytf``): train, evaluate, predict, summary, rf, explain.

User errors (missing data, bad arguments, damaged run folders, unreadable images, missing
optional packages) print one ``tinytf: error: ...`` message on stderr and exit with status 2;
Ctrl-C exits with 130 and says how to resume.
"""
import argparse
import os
import sys

from .tools.errors import EXIT_INTERRUPT, EXIT_USER, UserError
from .tools.run_config import OPTIMIZERS, TRAIN_DEFAULTS


# ============================================================================ shared helpers

def _load_data(spec, limit):
    """``(x_train, y_train), (x_test, y_test), class names`` as float32 NHWC, the first ``limit``
    images of each split when ``limit`` is set."""
    from . import zoo
    try:
        (x, y), (xt, yt), names = zoo.load_dataset(spec)
    except FileNotFoundError as e:  # DatasetNotFoundError: lists where it looked
        raise UserError(f"{e}\nWith the tinytf command, --dataset DIR also takes a folder of IDX files "
                        "or one .npz file.") from None
    except zoo.DataError as e:
        raise UserError(str(e)) from None
    except (ValueError, OSError) as e:
        raise UserError(f"cannot load dataset {spec!r}: {e}") from None
    if limit is not None:
        x, y, xt, yt = x[:limit], y[:limit], xt[:limit], yt[:limit]
    if len(x) == 0 or len(xt) == 0:
        raise UserError(f"dataset {spec!r} has an empty training or test split")
    return (zoo.prepare(x), y.astype("int64")), (zoo.prepare(xt), yt.astype("int64")), list(names)


def _build_model(cfg):
    from . import zoo
    try:
        return zoo.build(cfg["model"], cfg["input_shape"], cfg["num_classes"])
    except ValueError as e:
        raise UserError(str(e)) from None


def _compile(model, cfg):
    from . import recipes
    from .keras import losses, optimizers
    from .tools import launch
    cls, _ = OPTIMIZERS[cfg["optimizer"]]
    steps = cfg["epochs"] * -(-cfg["n_train"] // cfg["batch_size"])  # the schedule spans the whole run
    lr = recipes.learning_rate(cfg["schedule"], cfg["learning_rate"], steps)
    with launch.workers_scope():  # `train --workers N`: every rank trains its slice of each batch
        model.compile(optimizer=getattr(optimizers, cls)(learning_rate=lr),
                      loss=losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


def _load_run(run_dir):
    """``checkpoint.load`` plus ``run_config.check_loaded``."""
    from .tools import checkpoint, run_config
    meta, weights, opt_state = checkpoint.load(run_dir)
    run_config.check_loaded(meta, run_dir)
    return meta, weights, opt_state


def _about(path, doing, error):
    """``doing path: error``, without the path twice where the error already starts with it."""
    text = str(error)
    return f"{doing} {text}" if text.startswith(str(path)) else f"{doing} {path}: {text}"


def _dims(shape):
    """A model's input or output shape as a tuple of ints and Nones; None for several tensors."""
    try:
        dims = tuple(shape)
    except TypeError:
        return None
    return dims if all(d is None or isinstance(d, int) for d in dims) else None


def _open_keras_file(path, dataset):
    """``(meta, model)`` for a Keras 3 ``.keras`` file (saved by tinytf or TensorFlow): the meta
    ``evaluate`` and ``predict`` need, with the dataset given by ``--dataset`` (Fashion-MNIST)."""
    from . import zoo
    from .keras.models import load_model
    try:
        model = load_model(path)
    except (ValueError, OSError, ImportError, KeyError, TypeError, AttributeError, NotImplementedError) as e:
        raise UserError(_about(path, "cannot load", e)) from None
    except Exception as e:  # noqa: BLE001 - a stranger's config can break a layer in any way
        raise UserError(f"cannot load {path}: {type(e).__name__}: {e}") from None
    shape = _dims(getattr(model, "input_shape", None))
    if shape is None or len(shape) != 4 or None in shape[1:]:
        raise UserError(f"{path}: the model's input must be images [batch, height, width, channels], "
                        f"got input_shape {shape}")
    from .tools.images import MAX_PIXELS
    if shape[1] * shape[2] > MAX_PIXELS or shape[3] not in (1, 3):
        raise UserError(f"{path}: the model takes {shape[1]}x{shape[2]}x{shape[3]} inputs; tinytf feeds it "
                        f"pictures of at most {MAX_PIXELS} pixels, grey (1 channel) or RGB (3)")
    out = _dims(getattr(model, "output_shape", None))
    if out is None or len(out) != 2 or out[-1] is None:
        raise UserError(f"{path}: the model's output must be one score per class [batch, classes], "
                        f"got output_shape {out}")
    spec = dataset or "fashion_mnist"
    names = {"fashion_mnist": zoo.FASHION_MNIST_CLASSES, "mnist": zoo.MNIST_CLASSES}.get(spec)
    if names and out[-1] > len(names):
        raise UserError(f"{path}: the model scores {out[-1]} classes, {spec} has {len(names)}")
    cfg = {"dataset": spec, "dataset_label": zoo.dataset_label(spec), "model": os.path.basename(path),
           "input_shape": list(tuple(shape)[1:]),
           "class_names": list(names) if names else [str(i) for i in range(int(model.output_shape[-1]))]}
    return {"config": cfg}, model


def _open_run(run_dir, best=False, dataset=None):
    """``(meta, model)`` of a run folder, the model holding the checkpoint's (or best) weights; or
    of a ``.keras`` file."""
    if str(run_dir).endswith(".keras") and os.path.isfile(run_dir):
        if best:
            raise UserError("--best needs a run folder, not a .keras file")
        return _open_keras_file(run_dir, dataset)
    from .tools import checkpoint
    meta, weights, _ = _load_run(run_dir)
    model = _build_model(meta["config"])
    checkpoint.check_weights(model, weights, os.path.join(run_dir, checkpoint.CHECKPOINT))
    model.set_weights([weights[k] for k in model.weight_keys()])
    if best:
        path = os.path.join(run_dir, checkpoint.BEST)
        if os.path.islink(path):
            raise UserError(f"{path} is a symbolic link; tinytf reads a run's files only from inside its folder")
        try:
            model.load_weights(path)
        except (ValueError, OSError) as e:
            raise UserError(_about(path, "cannot use", e)) from None
    return meta, model


# ============================================================================ train

def _train_config(a):
    from . import recipes, zoo
    defaults = {**TRAIN_DEFAULTS, **(recipes.RECIPES[a.recipe][0] if a.recipe else {})}
    cfg = {k: (getattr(a, k) if getattr(a, k) is not None else v) for k, v in defaults.items()}
    cfg["augment"] = list(cfg["augment"])
    if cfg["learning_rate"] is None:
        cfg["learning_rate"] = OPTIMIZERS[cfg["optimizer"]][1]
    if cfg["dataset"] not in zoo.DATASETS:
        cfg["dataset"] = os.path.abspath(os.path.expanduser(cfg["dataset"]))
    cfg["dataset_label"] = zoo.dataset_label(cfg["dataset"])
    cfg["model_description"] = zoo.MODELS[cfg["model"]][1]
    return cfg


def _resume_config(a):
    """The run's saved metadata, after checking that the options given agree with it."""
    from . import zoo
    meta, weights, opt_state = _load_run(a.resume)
    cfg = meta["config"]
    for key in TRAIN_DEFAULTS:
        given = getattr(a, key)
        if key == "dataset" and given is not None and given not in zoo.DATASETS:
            given = os.path.abspath(os.path.expanduser(given))
        if given is not None and key != "epochs" and given != cfg.get(key):
            flag = "--" + key.replace("_", "-")
            raise UserError(f"{a.resume} is a run of {flag} {_shown(cfg.get(key))}, not {_shown(given)}; --resume "
                            f"continues a run with its own settings (drop {flag}, or start a new run with --out)")
    if a.epochs is not None:
        if a.epochs < meta["epoch"]:
            raise UserError(f"{a.resume} has already completed {meta['epoch']} epochs; --epochs {a.epochs} "
                            "is fewer")
        if a.epochs != cfg["epochs"] and cfg["schedule"] != "constant":
            raise UserError(f"{a.resume} uses --schedule {cfg['schedule']}, laid out over its {cfg['epochs']} "
                            f"epochs; --epochs {a.epochs} would change it (drop --epochs, or start a new run)")
        cfg["epochs"] = a.epochs
    return meta, weights, opt_state


def _shown(value):
    """An option's value as typed (``--augment flip,shift``, ``none``)."""
    return (",".join(value) or "none") if isinstance(value, list) else value


def _resumed(a):
    """``(meta, model)`` of the run to resume: its settings checked against the options given, the
    model built, compiled and holding the checkpoint's weights, optimizer and RNG state."""
    from .tools import checkpoint
    meta, weights, opt_state = _resume_config(a)
    cfg = meta["config"]
    model = _build_model(cfg)
    _compile(model, cfg)
    cfg["params"] = int(model.count_params())
    checkpoint.restore(model, weights, opt_state, meta, os.path.join(a.resume, checkpoint.CHECKPOINT))
    return meta, model


def _check_numbers(a):
    for flag, v in (("--limit", a.limit), ("--epochs", a.epochs), ("--batch-size", a.batch_size)):
        if v is not None and v < 1:
            raise UserError(f"{flag} must be at least 1, got {v}")
    if a.learning_rate is not None and not a.learning_rate > 0:
        raise UserError(f"--lr must be positive, got {a.learning_rate}")
    if a.resume and (a.out or a.overwrite):
        raise UserError("--resume continues the run in its own folder: drop --out / --overwrite")


def _check_before_launch(a):
    """``train --workers``: every check of the options that rank 0 would make, before ``mpiexec``
    starts (then nothing is created or started for a bad command); the run's configuration."""
    from .tools import run_folder
    _check_numbers(a)
    if a.resume:
        run_folder.check_not_locked(a.resume)
        return _resume_config(a)[0]["config"]
    cfg = _train_config(a)
    run_folder.new_run_dir(cfg, a.out, a.overwrite)
    return cfg


def cmd_train(a):
    from .tools import launch
    if (a.workers is not None or a.hosts is not None) and launch.launched_size() == 1:
        cfg = _check_before_launch(a)
        n = launch.check_workers(a, cfg["batch_size"])
        _load_data(cfg["dataset"], cfg["limit"])  # a bad dataset fails here, not on every rank
        return launch.launch_workers(a, n, cmd_train)
    if launch.launched_size() > 1 and launch.launched_rank() > 0:
        return _train_worker(a)
    _check_numbers(a)
    status = _resume(a) if a.resume else _new_run(a)
    launch.finished(status)
    return status


def _new_run(a):
    from . import backend
    from .tools import checkpoint, run_folder, training
    cfg = _train_config(a)
    data = _load_data(cfg["dataset"], cfg["limit"])
    (x, _), (xt, _), names = data
    cfg.update(input_shape=list(x.shape[1:]), num_classes=len(names), class_names=names,
               n_train=len(x), n_test=len(xt))
    run_dir = run_folder.new_run_dir(cfg, a.out, a.overwrite)
    with run_folder.take_run_dir(run_dir):
        run_folder.check_out(run_dir, a.overwrite, locked=True)  # again: a run may have ended since
        backend.set_seed(cfg["seed"])
        model = _build_model(cfg)
        _compile(model, cfg)
        cfg["params"] = int(model.count_params())
        meta = {"config": cfg, "epoch": 0, "history": [], "best": None, "rng": backend.get_state()}
        for name in run_folder.RUN_FILES if a.overwrite else ():
            if os.path.isfile(os.path.join(run_dir, name)):
                os.remove(os.path.join(run_dir, name))
        checkpoint.save(run_dir, model, meta)  # epoch 0: a run killed in epoch 1 can resume too
        return training.fit(run_dir, meta, model, data, "Training", a.tensorboard)


def _resume(a):
    """``tinytf train --resume``: everything is checked before the folder is locked and written."""
    from .tools import checkpoint, run_folder, training
    run_dir = a.resume
    run_folder.check_not_locked(run_dir)
    meta, _ = _resumed(a)
    cfg = meta["config"]
    if meta["epoch"] >= cfg["epochs"] and not run_folder.report_missing(run_dir):
        print(f"{run_dir}: all {cfg['epochs']} epochs are done; nothing to resume "
              f"(give a larger --epochs to train longer)")
        return 0
    data = _load_data(cfg["dataset"], cfg["limit"])
    with run_folder.take_run_dir(run_dir):
        meta, model = _resumed(a)  # the checkpoint as it is now that no other run can write it
        cfg = meta["config"]
        checkpoint.remove_temp_files(run_dir)  # of writes a kill cut short
        if meta["epoch"] >= cfg["epochs"]:
            print(f"{run_dir}: all {cfg['epochs']} epochs are done; writing the report that a stopped run "
                  "left out", flush=True)
            training.finish(run_dir, meta, model, data[1][0], data[1][1], data[2])
            return 0
        return training.fit(run_dir, meta, model, data, "Resuming", a.tensorboard)


def _train_worker(a):
    """``train --workers N`` (:mod:`tinytf.tools.launch`), a rank other than 0: the same model, data and
    steps as rank 0, no files, no output."""
    from . import backend
    from .tools import training
    if a.resume:
        meta, model = _resumed(a)  # reading the checkpoint: every rank resumes from it
        cfg = meta["config"]
        if meta["epoch"] >= cfg["epochs"]:
            return 0  # rank 0 trains no more either
    else:
        cfg = _train_config(a)
    (x, y), (xt, yt), names = _load_data(cfg["dataset"], cfg["limit"])
    if not a.resume:
        cfg.update(input_shape=list(x.shape[1:]), num_classes=len(names), n_train=len(x))
        backend.set_seed(cfg["seed"])
        model = _build_model(cfg)
        _compile(model, cfg)
        meta = {"epoch": 0}
    model.fit(*training.training_data(cfg, x, y), epochs=cfg["epochs"], initial_epoch=meta["epoch"],
              validation_data=(xt, yt), validation_batch_size=cfg["batch_size"], verbose=0)
    return 0


# ============================================================================ evaluate / predict

def cmd_evaluate(a):
    from .tools import report, training
    if a.limit is not None and a.limit < 1:
        raise UserError("--limit must be at least 1")
    meta, model = _open_run(a.run, a.best, a.dataset)
    cfg = meta["config"]
    _, (xt, yt), names = _load_data(cfg["dataset"], a.limit)
    names = cfg.get("class_names") or names
    cm = report.confusion_matrix(yt, training.predict_classes(model, xt), len(names))
    if a.run.endswith(".keras"):
        print(f"{a.run}: Keras model file, tested on {cfg['dataset_label']}")
    else:
        print(f"{a.run}: {cfg['model']} on {cfg['dataset_label']}, {meta['epoch']} of {cfg['epochs']} epochs, "
              f"{'best' if a.best else 'checkpoint'} weights")
    print(f"Test accuracy: {report.accuracy(cm):.4f} ({int(cm.trace())}/{int(cm.sum())})\n")
    print(report.format_per_class(cm, names) + "\n")
    print(report.format_confusion(cm, names))
    return 0


def cmd_export(a):
    """Write a run's model as ONNX (``.onnx``) or a Keras 3 file (``.keras``)."""
    _check_export_target(a.out, a.overwrite)
    _, model = _open_run(a.run, a.best)
    try:
        if a.out.endswith(".onnx"):
            from .keras.saving.onnx import export
            export(model, a.out)
        elif a.out.endswith(".keras"):
            model.save(a.out)
        else:
            raise UserError(f"export: {a.out}: use a .onnx or .keras file name")
    except (ImportError, NotImplementedError, OSError, ValueError) as e:
        raise UserError(str(e)) from None
    print(f"wrote {a.out}")
    return 0


def _check_export_target(out, overwrite):
    """Refuse an export target that is a folder, lies under a regular file, or is an existing file
    (without ``--overwrite``, as ``train --out``)."""
    if os.path.isdir(out):
        raise UserError(f"export: {out} is a folder; give a file name such as {os.path.join(out, 'model.onnx')}")
    parent = os.path.dirname(os.path.abspath(out))
    while parent and not os.path.exists(parent):
        parent = os.path.dirname(parent) if os.path.dirname(parent) != parent else ""
    if parent and not os.path.isdir(parent):
        raise UserError(f"export: cannot write {out}: {parent} is a file, not a folder")
    if os.path.lexists(out) and not overwrite:
        raise UserError(f"export: {out} exists; pass --overwrite to replace it")


def cmd_predict(a):
    import numpy as np
    from .tools import images
    meta, model = _open_run(a.run, a.best, a.dataset)
    cfg = meta["config"]
    names = cfg["class_names"]
    batches, labels = [], []
    for path in a.images:
        try:
            x = images.load(path, tuple(cfg["input_shape"]), invert=a.invert)
        except images.ImageError as e:
            raise UserError(str(e)) from None
        batches.append(x)
        labels += [path] if len(x) == 1 else [f"{path}[{i}]" for i in range(len(x))]
    logits = model.predict(np.concatenate(batches), batch_size=256, verbose=0).astype(np.float64)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    k = max(1, min(a.top, len(names)))
    for label, row in zip(labels, p):
        print(label)
        for c in np.argsort(-row, kind="stable")[:k]:
            print(f"  {names[c]:<{max(map(len, names))}}  {100 * row[c]:6.2f}%")
    return 0


# ============================================================================ summary / rf / explain

def shape_arg(text):
    try:
        dims = tuple(int(v) for v in text.replace("x", ",").split(",") if v.strip())
    except ValueError:
        dims = ()
    if len(dims) == 2:
        dims += (1,)
    if len(dims) != 3 or min(dims) < 1:
        raise argparse.ArgumentTypeError(f"expected H,W,C (or H,W), e.g. 28,28,1; got {text!r}")
    return dims


def cmd_summary(a):
    from . import zoo
    from .keras.summary import summary_text
    if a.classes < 1:
        raise UserError(f"--classes must be at least 1, got {a.classes}")
    if os.path.isdir(a.model):
        _, model = _open_run(a.model)
    else:
        if a.model not in zoo.MODELS:
            raise UserError(f"unknown model {a.model!r}: choose from {', '.join(zoo.MODELS)} or give a run folder")
        try:
            model = zoo.build(a.model, a.input_shape, a.classes)
        except ValueError as e:
            raise UserError(str(e)) from None
    print(summary_text(model, receptive_field=True, flops=True))
    print(" Receptive field: input pixels one unit sees, per side; Jump: input pixels between neighbouring "
          "units (the product of the strides so far)")
    return 0


def cmd_rf(a):
    from .tools import receptive_field
    if a.input is not None and len(a.input) > 2:
        raise UserError("--input takes N or H W")
    size = None if a.input is None else (a.input[0] if len(a.input) == 1 else tuple(a.input))
    if a.unit is not None and size is None:
        raise UserError("--unit needs --input (the input size)")
    try:
        fields = receptive_field.receptive_fields(a.stack, size)
        window = None if a.unit is None else receptive_field.input_window(a.stack, tuple(a.unit), size)
    except (ValueError, IndexError, TypeError) as e:
        raise UserError(str(e)) from None
    hw = None if size is None else (size, size) if isinstance(size, int) else size
    print(f"Receptive fields of {a.stack}" + ("" if hw is None else f" on a {hw[0]}x{hw[1]} input"))
    print(receptive_field.format_table(fields))
    print("r: receptive field (input pixels per side); j: jump (input pixels between neighbouring units); "
          "start: centre of unit 0's field (input pixel index)"
          + ("; out: output size; pad: padding before+after" if size is not None else ""))
    if window is not None:
        print(window)
    return 0


def cmd_explain(a):
    from .tools import explain
    topics = list(explain.TOPICS) if "all" in a.topics else list(dict.fromkeys(a.topics))
    try:
        paths = explain.explain(a.out, topics, dpi=a.dpi)
    except ImportError as e:
        raise UserError(str(e)) from None
    for p in dict.fromkeys(paths):  # "all" draws the stride picture for two topics
        print(p)
    return 0


# ============================================================================ parser

def build_parser():
    from . import recipes, zoo  # light: numpy only
    p = argparse.ArgumentParser(prog="tinytf", description="Train, test and explain small CNNs with tinytf "
                                "(TensorFlow 2's CNN API on NumPy).")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    models = "; ".join(f"{k}: {v[1]}" for k, v in zoo.MODELS.items())
    presets = "; ".join(f"{k}: {v[1]}" for k, v in recipes.RECIPES.items())

    t = sub.add_parser("train", help="train a model, writing a run folder",
                       description="Train a model; every epoch writes a crash-safe checkpoint to the run folder.",
                       epilog=f"Models: {models}. Recipes: {presets}. Schedules (per step, over all the run's "
                              "steps): constant; cosine: lr * (1 + cos(pi * step / steps)) / 2; onecycle: linear "
                              "warmup from lr/10 to lr over the first 20% of the steps, then cosine to 0. "
                              "Validation: after every epoch on the test split (as the "
                              "tutorial tests), not on held-out training data. The run folder gets checkpoint.npz, "
                              "best.weights.npz, history.csv, curves.png, confusion.png and report.md.")
    t.add_argument("--model", choices=list(zoo.MODELS), help="default lenet5 (the tutorial's, with batch norm)")
    t.add_argument("--dataset", metavar="NAME|DIR",
                   help="fashion_mnist (default), mnist, or a folder of IDX files or one .npz")
    t.add_argument("--epochs", type=int, help="default 5")
    t.add_argument("--batch-size", type=int, dest="batch_size", help="default 128")
    t.add_argument("--optimizer", choices=list(OPTIMIZERS), help="default adam")
    t.add_argument("--lr", "--learning-rate", type=float, dest="learning_rate",
                   help="default 1e-3 (1e-2 for sgd)")
    t.add_argument("--schedule", choices=list(recipes.SCHEDULES),
                   help="learning-rate schedule, peaking at --lr (default constant)")
    t.add_argument("--augment", type=recipes.parse_augment, metavar="flip,shift",
                   help="augment the training images, new draws every epoch: flip (left-right, p=1/2), "
                        "shift (up to 2 pixels each way), both (flip,shift) or none (default)")
    t.add_argument("--recipe", choices=list(recipes.RECIPES),
                   help="a preset of the options above; options given explicitly override it")
    t.add_argument("--seed", type=int, help="default 0")
    t.add_argument("--limit", type=int, metavar="N",
                   help="use only the first N training images (and the first N test images)")
    t.add_argument("--out", metavar="DIR", help="run folder (default runs/<model>-<dataset>-<timestamp>)")
    t.add_argument("--tensorboard", metavar="DIR|none",
                   help="write TensorBoard logs (train/, validation/: epoch metrics, weight histograms and "
                        "images) to DIR; default: the run folder when the tensorboard package is installed "
                        "(tinytf[tensorboard]), so `tensorboard --logdir runs` shows every run; none: no logs")
    t.add_argument("--resume", metavar="RUN", help="continue an interrupted run from its last checkpoint")
    t.add_argument("--workers", type=int, metavar="N",
                   help="train on N processes (tf.distribute over MPI: mpiexec -n N); needs tinytf[distributed]")
    t.add_argument("--hosts", metavar="FILE", help="with --workers: an MPI hostfile naming the machines")
    t.add_argument("--launch-timeout", type=float, metavar="SECONDS",
                   help="with --workers: stop if the workers have not all started within this time (default 60)")
    t.add_argument("--overwrite", action="store_true",
                   help="replace the run in --out (only the files a run writes; others are kept)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="test accuracy, per-class accuracy and confusion matrix of a run",
                       description="Test a run's weights on its dataset's test split.")
    e.add_argument("run", metavar="RUN", help="a run folder, or a Keras 3 .keras file")
    e.add_argument("--best", action="store_true", help="use best.weights.npz instead of the last checkpoint")
    e.add_argument("--dataset", help="for a .keras file: the dataset to test on (default fashion_mnist)")
    e.add_argument("--limit", type=int, metavar="N", help="only the first N test images")
    e.set_defaults(func=cmd_evaluate)

    o = sub.add_parser("export", help="write a run's model as ONNX (.onnx) or a Keras 3 file (.keras)",
                       description="Export a run's model (checkpoint weights, or --best).")
    o.add_argument("run", metavar="RUN")
    o.add_argument("out", metavar="FILE", help="m.onnx or m.keras")
    o.add_argument("--best", action="store_true", help="use best.weights.npz instead of the last checkpoint")
    o.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    o.set_defaults(func=cmd_export)

    r = sub.add_parser("predict", help="classify images with a trained run",
                       description="Print the top classes of each image. PNG/JPEG (any size, colour or grey) are "
                                   "converted to the model's input (e.g. 28x28 grey, light on dark); .npy arrays "
                                   "must already have the model's size.")
    r.add_argument("run", metavar="RUN", help="a run folder, or a Keras 3 .keras file")
    r.add_argument("images", metavar="IMAGE", nargs="+")
    r.add_argument("--dataset", help="for a .keras file: whose class names to print (default fashion_mnist)")
    r.add_argument("--invert", action="store_true", help="for dark objects on a light background")
    r.add_argument("--top", type=int, default=3, help="how many classes to show (default 3)")
    r.add_argument("--best", action="store_true", help="use best.weights.npz")
    r.set_defaults(func=cmd_predict)

    s = sub.add_parser("summary", help="layers, shapes, parameters, receptive fields, jumps and FLOPs",
                       description="model.summary() with receptive field, jump (cumulative stride) and FLOPs "
                                   "(2 per multiply-add) per layer.", epilog=f"Models: {models}.")
    s.add_argument("model", metavar="MODEL", nargs="?", default="lenet5",
                   help=f"{', '.join(zoo.MODELS)} (default lenet5) or a run folder")
    s.add_argument("--input-shape", type=shape_arg, default=(28, 28, 1), metavar="H,W,C",
                   help="default 28,28,1")
    s.add_argument("--classes", type=int, default=10, help="number of outputs (default 10)")
    s.set_defaults(func=cmd_summary)

    f = sub.add_parser("rf", help="receptive field of a conv/pool stack",
                       description="Receptive field size, jump and start of every layer of a stack.",
                       epilog="STACK: comma-separated tokens kind SIZE[/STRIDE][dDILATION][s|v], kinds conv, pool, "
                              "maxpool, avgpool (pools default to stride = size; s = SAME padding), plus bn, relu, "
                              "flatten, dense. Example: conv3,pool2/2,conv3,pool2/2 (the tutorial's LeNet-5).")
    f.add_argument("stack", metavar="STACK")
    f.add_argument("--input", type=int, nargs="+", metavar="N", help="input size N (or H W)")
    f.add_argument("--unit", type=int, nargs=2, metavar=("ROW", "COL"),
                   help="show which input pixels this unit of the last layer sees (needs --input)")
    f.set_defaults(func=cmd_rf)

    x = sub.add_parser("explain", help="write pictures explaining conv, stride, padding, pooling, BN, receptive fields",
                       description="Write PNG (and GIF) pictures computed with tinytf's kernels; prints their paths.")
    x.add_argument("topics", nargs="+", metavar="TOPIC",
                   choices=["conv", "stride", "padding", "pool", "bn", "rf", "all"],
                   help="conv, stride, padding, pool, bn, rf or all")
    x.add_argument("--out", default="explain", metavar="DIR", help="default ./explain")
    x.add_argument("--dpi", type=int, default=120)
    x.set_defaults(func=cmd_explain)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else map(str, argv))
    from .tools import launch
    from .tools.checkpoint import CheckpointError
    from .tools.report import MissingDependency
    try:
        return args.func(args)
    except (UserError, CheckpointError, MissingDependency) as e:
        print(f"tinytf: error: {e}", file=sys.stderr)
        launch.stop_workers(f"tinytf: error: {e}")
        return EXIT_USER
    except KeyboardInterrupt:
        print("\ntinytf: interrupted", file=sys.stderr)
        return EXIT_INTERRUPT
    except BrokenPipeError:  # `tinytf ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
