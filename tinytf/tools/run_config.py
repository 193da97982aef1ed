"""The settings of a ``tinytf train`` run (the ``config`` that ``checkpoint.py`` stores in every
checkpoint): their defaults, the keys every run holds, the optimizers by name, and the check of a
loaded config."""
import os

TRAIN_DEFAULTS = {"model": "lenet5", "dataset": "fashion_mnist", "epochs": 5, "batch_size": 128,
                  "optimizer": "adam", "learning_rate": None, "seed": 0, "limit": None,
                  "schedule": "constant", "augment": (), "recipe": None}
RUN_KEYS = ("model", "dataset", "dataset_label", "epochs", "batch_size", "optimizer", "learning_rate", "seed",
            "limit", "input_shape", "num_classes", "class_names", "n_train", "n_test")
OPTIMIZERS = {"adam": ("Adam", 1e-3), "adamw": ("AdamW", 1e-3), "rmsprop": ("RMSprop", 1e-3),
              "sgd": ("SGD", 1e-2)}


def check_loaded(meta, run_dir):
    """Check that a loaded checkpoint's ``meta["config"]`` holds what the commands need, in place
    (runs from before ``--schedule`` / ``--augment`` / ``--recipe`` get those options' defaults);
    ``checkpoint.CheckpointError`` naming what is wrong otherwise."""
    from .. import recipes
    from . import checkpoint
    cfg = meta["config"]
    for key in ("schedule", "augment", "recipe"):
        cfg.setdefault(key, TRAIN_DEFAULTS[key])
    cfg["augment"] = list(cfg["augment"]) if isinstance(cfg["augment"], (list, tuple)) else cfg["augment"]
    missing = [k for k in RUN_KEYS if k not in cfg]
    recipe_ok = (cfg["schedule"] in recipes.SCHEDULES and isinstance(cfg["augment"], list)
                 and set(cfg["augment"]) <= set(recipes.AUGMENTS))
    if (missing or cfg.get("optimizer") not in OPTIMIZERS or not isinstance(meta.get("epoch"), int)
            or not recipe_ok):
        raise checkpoint.CheckpointError(f"{os.path.join(run_dir, checkpoint.CHECKPOINT)}: incomplete or unknown "
                                         f"run settings (missing {missing or 'nothing'}, optimizer "
                                         f"{cfg.get('optimizer')!r}, epoch {meta.get('epoch')!r}, schedule "
                                         f"{cfg['schedule']!r}, augment {cfg['augment']!r})")
