"""Training into a run folder (``tinytf train``): ``fit`` with a checkpoint every epoch and
TensorBoard logs, stopped by Ctrl-C or SIGTERM with a usable checkpoint, then the final test and
report.md.
"""
import os
import signal
import sys

from .errors import EXIT_INTERRUPT


def predict_classes(model, x):
    return model.predict(x, batch_size=500, verbose=0).argmax(axis=1)


def fit(run_dir, meta, model, data, what, tensorboard=None):
    """Train from ``meta["epoch"]`` to the configured epochs, then report; 130 if interrupted.
    ``tensorboard``: the ``--tensorboard`` option (:func:`tensorboard_callbacks`)."""
    from . import checkpoint
    cfg = meta["config"]
    (x, y), (xt, yt), names = data
    print(f"{what} {cfg['model']} on {cfg['dataset_label']}: {len(x)} training images, validation on "
          f"{len(xt)} test images, epochs {meta['epoch'] + 1} to {cfg['epochs']}, batch "
          f"{cfg['batch_size']}, {cfg['optimizer']} lr {cfg['learning_rate']:g} ({cfg['schedule']}), augment "
          f"{','.join(cfg['augment']) or 'none'}, seed {cfg['seed']}\n"
          f"Run folder: {run_dir}", flush=True)
    cb = checkpoint.RunCheckpoint(run_dir, meta, len(x))
    tb = tensorboard_callbacks(run_dir, tensorboard, meta["epoch"])
    old = {sig: signal.signal(sig, handler) for sig, handler in
           ((signal.SIGTERM, _raise_interrupt), (signal.SIGINT, signal.default_int_handler))}
    try:
        model.fit(*training_data(cfg, x, y), epochs=cfg["epochs"], initial_epoch=meta["epoch"],
                  validation_data=(xt, yt), validation_batch_size=cfg["batch_size"], callbacks=[cb, *tb], verbose=1)
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        sys.stdout.flush()
        try:
            done = checkpoint.load(run_dir)[0]["epoch"]
        except checkpoint.CheckpointError:
            done = "?"
        print(f"tinytf: interrupted; {run_dir} holds {done} of {cfg['epochs']} epochs. "
              f"Resume with: tinytf train --resume {run_dir}", file=sys.stderr)
        return EXIT_INTERRUPT
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    finish(run_dir, meta, model, xt, yt, names)
    return 0


def tensorboard_callbacks(run_dir, option, first_epoch):
    """``--tensorboard DIR``: logs in DIR/train and DIR/validation; ``none``: no logs; not given:
    logs in the run folder when the ``tensorboard`` package is installed, so that
    ``tensorboard --logdir runs`` shows every run. Epoch scalars, and weight histograms and images
    every epoch (``histogram_freq=1, write_images=True``). A run that starts at epoch 0 first removes the
    event files a replaced run left in its own run folder's ``train/`` and ``validation/``."""
    import importlib.util
    from ..summary.writer import INSTALL
    from .errors import UserError
    if option is not None and option.lower() == "none":
        return []
    if importlib.util.find_spec("tensorboard") is None:
        if option is None:
            return []
        raise UserError(f"--tensorboard needs the 'tensorboard' package: pip install '{INSTALL}'")
    log_dir = run_dir if option is None else option
    try:
        os.makedirs(log_dir, exist_ok=True)
    except OSError as e:
        raise UserError(f"--tensorboard {log_dir}: cannot create the folder: {e.strerror or e}") from None
    if first_epoch == 0 and os.path.abspath(log_dir) == os.path.abspath(run_dir):
        for sub in ("train", "validation"):
            folder = os.path.join(run_dir, sub)
            for name in os.listdir(folder) if os.path.isdir(folder) else ():
                if name.startswith("events.out.tfevents."):
                    os.remove(os.path.join(folder, name))
    from ..keras.tensorboard import TensorBoard
    print(f"TensorBoard logs: {os.path.join(log_dir, 'train')}, {os.path.join(log_dir, 'validation')} "
          f"(view them with: tensorboard --logdir {os.path.dirname(os.path.abspath(log_dir))})", flush=True)
    return [TensorBoard(log_dir, histogram_freq=1, write_images=True)]


def training_data(cfg, x, y):
    """``(x, y, batch_size)`` for ``fit``: the arrays, or with ``--augment`` a Dataset of batches."""
    if not cfg["augment"]:
        return x, y, cfg["batch_size"]
    from ..recipes import AugmentedBatches
    return AugmentedBatches(x, y, cfg["batch_size"], cfg["augment"]), None, None


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def finish(run_dir, meta, model, xt, yt, names):
    """Test the final weights and write the pictures and report.md."""
    from ..keras.summary import summary_text
    from . import report
    cm = report.confusion_matrix(yt, predict_classes(model, xt), len(names))
    plots = []
    try:
        plots.append(os.path.basename(report.plot_curves(meta["history"], os.path.join(run_dir, "curves.png"))))
        plots.append(os.path.basename(report.plot_confusion(cm, names, os.path.join(run_dir, "confusion.png"))))
    except report.MissingDependency as e:
        plots = f"{e} (curves.png and confusion.png skipped)"
        print(f"tinytf: note: {plots}", file=sys.stderr)
    path = report.write_report(run_dir, meta, cm, names, plots,
                               summary_text(model, receptive_field=True, flops=True))
    best = meta.get("best")
    print(f"Test accuracy {report.accuracy(cm):.4f} with the final weights"
          + (f"; best validation accuracy {best['val_accuracy']:.4f} after epoch {best['epoch']}" if best else ""))
    print(f"Wrote {run_dir}: checkpoint.npz, best.weights.npz, history.csv"
          + ("".join(", " + p for p in plots) if isinstance(plots, list) else "") + f", {os.path.basename(path)}")
