"""``tf.data.Options``: the pipeline options programs set. tinytf's pipelines run in order on one
thread, so the options are recorded but change nothing; an unknown option is an AttributeError, as
in TensorFlow."""
import enum


class AutoShardPolicy(enum.IntEnum):
    """``tf.data.experimental.AutoShardPolicy`` (tinytf shards by rows, docs/DISTRIBUTED.md)."""
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class _OptionsGroup:
    _FIELDS = {}

    def __init__(self):
        for name, default in self._FIELDS.items():
            object.__setattr__(self, name, default() if callable(default) else default)

    def __setattr__(self, name, value):
        if name not in self._FIELDS:
            raise AttributeError(f"Cannot set the property {name!r} on {type(self).__name__}; it has "
                                 f"{sorted(self._FIELDS)}")
        object.__setattr__(self, name, value)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self._FIELDS)})"


class AutotuneOptions(_OptionsGroup):
    _FIELDS = {"enabled": None, "cpu_budget": None, "ram_budget": None, "autotune_algorithm": None,
               "initial_parallelism": None, "min_parallelism": None}


class DistributeOptions(_OptionsGroup):
    _FIELDS = {"auto_shard_policy": AutoShardPolicy.AUTO, "num_devices": None}


class OptimizationOptions(_OptionsGroup):
    _FIELDS = {name: None for name in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization", "inject_prefetch",
        "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion", "map_parallelization",
        "noop_elimination", "parallel_batch", "seq_interleave_prefetch", "shuffle_and_repeat_fusion")}


class ThreadingOptions(_OptionsGroup):
    _FIELDS = {"max_intra_op_parallelism": None, "private_threadpool_size": None}


class Options(_OptionsGroup):
    """``tf.data.Options()``: ``options.experimental_deterministic = False`` and the like."""
    _FIELDS = {"autotune": AutotuneOptions, "deterministic": None, "experimental_deterministic": None,
               "experimental_distribute": DistributeOptions, "experimental_external_state_policy": None,
               "experimental_optimization": OptimizationOptions, "experimental_service": None,
               "experimental_slack": None,
               "experimental_symbolic_checkpoint": None, "experimental_warm_start": None,
               "threading": ThreadingOptions, "experimental_threading": None, "framework_type": None,
               "dataset_name": None}

    def merge(self, options):
        """A copy with the options ``options`` sets (those not None) taking precedence."""
        out = Options()
        for src in (self, options):
            for name in self._FIELDS:
                value = getattr(src, name)
                if isinstance(value, _OptionsGroup):
                    group = getattr(out, name)
                    for k in value._FIELDS:
                        if getattr(value, k) is not None and getattr(value, k) != type(value)._FIELDS[k]:
                            setattr(group, k, getattr(value, k))
                elif value is not None:
                    setattr(out, name, value)
        return out
