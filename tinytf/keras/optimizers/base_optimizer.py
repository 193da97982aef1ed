"""The ``Optimizer`` base class (``tf.keras.optimizers.Optimizer``) and its helpers.

Updates compute on NumPy arrays in the variable's dtype (float32 for model weights), with
Keras's formulas and operation order. State is read with ``read_array(var)`` (the current array, not
copied) and written only through ``assign`` / ``assign_add`` / ``assign_sub``: an update step
computes each new value completely, then writes each slot and the weight once (weight decay and
a constraint, when set, are one more write each, as in Keras). A write gives the variable a NEW
array (an old array is never modified, so tensors that alias it keep their value). Each
``assign*`` costs about 5 us (its dtype/shape checks): 47 per LeNet+Adam step, ~0.25 ms of its ~13 ms.

State: ``optimizer.variables`` lists ``[iteration, learning_rate, <slots>]`` in Keras's order
(``learning_rate`` only when it is a float, not a schedule); ``get_state()`` / ``set_state()``
save and restore everything needed to resume training bit-exactly.

Adding an optimizer: copy ``sgd.py`` (``_slot_groups``, ``_update_step``, ``get_config``) and
list the class in ``__init__.py``.
"""
import re
import warnings

import numpy as np

from ...tensor import Tensor, Variable
from . import schedules
from .schedules import LearningRateSchedule
from ..distribution import get_distribution
from ..naming import auto_name as _auto_name


def _var_label(v):
    return getattr(v, "path", None) or getattr(v, "name", None) or repr(v)


def is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _as_lr_float(value):
    """A float learning rate from a number or a scalar tensor/array (or raise)."""
    if is_number(value):
        return float(value)
    if isinstance(value, (Tensor, np.ndarray)):
        arr = np.asarray(value)
        if arr.ndim == 0 and arr.dtype.kind in "fiu":
            return float(arr)
    raise ValueError(
        "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a "
        "callable (that takes in the current iteration value and returns the corresponding learning "
        f"rate value). Received instead: learning_rate={value!r}")


def read_array(var):
    """``var``'s current array for arithmetic, not copied (``np.asarray`` reads a Tensor through
    ``__array__``; ``var.numpy()`` would copy). Never write into it: use ``assign*``."""
    return np.asarray(var)


class Optimizer:
    """Base class of the optimizers (``tf.keras.optimizers.Optimizer``).

    Subclasses define ``_slot_groups()`` (the slot variables they need) and
    ``_update_step(grad, var, lr)`` working on NumPy arrays (or ``_update_steps(grads, variables,
    lr)`` for all the variables at once, as Adam does).

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` (called with ``iterations`` each step) or a
            callable taking no argument.
        weight_decay: if set, ``var -= var * weight_decay * lr`` before each update (decoupled).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
        use_ema, ema_momentum, ema_overwrite_frequency: keep an exponential moving average of the
            weights (and copy it into them every ``ema_overwrite_frequency`` steps).
        loss_scale_factor: gradients are divided by it (``scale_loss`` multiplies the loss by it).
        gradient_accumulation_steps: update every N steps with the mean of the accumulated gradients.
        name: the optimizer's name (``'adam'``, ``'adam_1'``... by default).
    """
    _DEFAULT_LEARNING_RATE = 0.001

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:  # TensorFlow 2.0-2.10 spelling; Keras 3 rejects it
            lr = kwargs.pop("lr")
            warnings.warn(f"`lr` is deprecated in Keras optimizer {self.__class__.__name__}, please use "
                          "`learning_rate` instead.", DeprecationWarning, stacklevel=3)
            if (learning_rate is not None and not callable(learning_rate)
                    and learning_rate != self._DEFAULT_LEARNING_RATE):
                raise ValueError(f"Got both `lr={lr!r}` and `learning_rate={learning_rate!r}`; pass only "
                                 "`learning_rate`.")
            learning_rate = lr
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=3)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self.name = _auto_name(self.__class__.__name__) if name is None else name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                                 f"ema_overwrite_frequency={ema_overwrite_frequency}")
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self.built = False
        self._variables = []               # Keras order: iteration, learning_rate, slots
        self._trainable_variables = []     # the model variables, in build order
        self._index = {}                   # id(var) -> index in _trainable_variables
        self._slots = {}                   # id(var) -> {slot name: Variable}
        self._pending_state = None
        self._exclude_wd_ids = set()
        self._exclude_wd_pattern = None
        self._iterations = self._new_variable(np.zeros((), np.int64), "iteration")
        self._learning_rate = None
        self._set_learning_rate(learning_rate)

    # ---- variables --------------------------------------------------------------------------

    def _new_variable(self, value, name):
        v = Variable(value, trainable=False, name=name)
        v.path = f"{self.name}/{name}"
        self._variables.append(v)
        return v

    def _untrack(self, v):
        self._variables = [x for x in self._variables if x is not v]

    def _set_learning_rate(self, learning_rate):
        prev = self._learning_rate
        if isinstance(learning_rate, LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, Tensor)):
            self._learning_rate = learning_rate
            if isinstance(prev, Variable):
                self._untrack(prev)
            return
        value = _as_lr_float(learning_rate)
        if isinstance(prev, LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the "
                "learning rate to be settable, you should instantiate the optimizer with a float "
                "`learning_rate` argument.")
        if isinstance(prev, Variable):
            prev.assign(np.float32(value))
        else:  # first time, or replacing a callable: a float32 variable after `iteration`
            v = Variable(np.float32(value), trainable=False, name="learning_rate")
            v.path = f"{self.name}/learning_rate"
            self._variables.insert(1, v)
            self._learning_rate = v

    @property
    def iterations(self):
        """The number of update steps taken (an int64 ``Variable``; with gradient accumulation, the
        number of real updates)."""
        if self.gradient_accumulation_steps:
            return Tensor(np.asarray(read_array(self._iterations) // self.gradient_accumulation_steps))
        return self._iterations

    def _step_count(self):
        n = int(self._iterations)
        return n // self.gradient_accumulation_steps if self.gradient_accumulation_steps else n

    @property
    def learning_rate(self):
        """The current learning rate: the float32 ``Variable`` (``float()``, ``.numpy()`` and
        ``.assign()`` work on it), or for a schedule its value at ``iterations`` as a Tensor.
        Set it with a float (or a new schedule)."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, Variable):
            return lr
        return lr()

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_learning_rate(value)

    # TensorFlow 2.0-2.10 code reads/writes ``optimizer.lr``.
    lr = learning_rate

    def _current_lr(self):
        """The learning rate for this step as a float32 NumPy scalar."""
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return np.float32(lr.numpy())
        value = lr(self._iterations) if isinstance(lr, LearningRateSchedule) else lr()
        return np.float32(np.asarray(value) if isinstance(value, Tensor) else value)

    @property
    def variables(self):
        """``[iteration, learning_rate, slots...]`` in Keras's order."""
        return list(self._variables)

    weights = variables

    def _slot_groups(self):
        """Slot names, as Keras creates them: each group is created for every variable in turn
        (names interleaved within a group), group after group."""
        return []

    def _all_slot_groups(self):
        groups = []
        if self.use_ema:
            groups.append(["average"])
        if self.gradient_accumulation_steps:
            groups.append(["gradient_accumulator"])
        return groups + self._slot_groups()

    def _slot_names(self):
        return [n for g in self._all_slot_groups() for n in g]

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A zero slot variable shaped like ``reference_variable`` (named ``<path>_<name>``)."""
        name = name or "var"
        label = str(_var_label(reference_variable)).replace("/", "_").replace(":", "_")
        v = Variable(np.zeros_like(read_array(reference_variable)), trainable=False, name=f"{label}_{name}")
        v.path = f"{self.name}/{label}_{name}"
        self._variables.append(v)
        return v

    def build(self, var_list):
        """Create the slot variables for ``var_list`` (done by the first ``apply``)."""
        if self.built:
            return
        self._add_model_variables(list(var_list))
        self.built = True

    def _add_model_variables(self, var_list):
        new = []
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"{self.__class__.__name__}: can only update tf.Variable objects, got "
                                f"{type(v).__name__}")
            if id(v) not in self._index and all(v is not n for n in new):
                new.append(v)
        if not new:
            return
        for v in new:
            self._index[id(v)] = len(self._trainable_variables)
            self._trainable_variables.append(v)
            self._slots[id(v)] = {}
        for group in self._all_slot_groups():
            for v in new:
                for slot in group:
                    self._slots[id(v)][slot] = self.add_variable_from_reference(v, slot)
        if self._pending_state is not None:
            self._apply_pending_state()

    def _slot(self, var, name):
        return self._slots[id(var)][name]

    # ---- applying gradients -----------------------------------------------------------------

    def apply_gradients(self, grads_and_vars):
        """Apply ``(gradient, variable)`` pairs; ``None`` gradients are skipped. Returns
        ``iterations``.

        First the pairs go through the current distribution (``keras/distribution.py``): inside a
        ``tf.distribute`` replica context with several replicas it all-reduces the gradients over
        the replicas; otherwise it returns them as they are."""
        pairs = list(get_distribution().all_reduce_gradients(grads_and_vars))
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update ``trainable_variables`` with ``grads`` (one per variable; ``None`` skips it).
        Without ``trainable_variables`` the optimizer must be built and ``grads`` match its
        variables one to one."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be "
                                 "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                                 "first.")
            if len(grads) != len(self._trainable_variables):
                raise ValueError(f"When passing `grads` as a list of gradient tensors, the gradients must "
                                 f"match `optimizer.variables` one-to-one. Received a list of {len(grads)} "
                                 f"gradients, but the optimizer is tracking {len(self._trainable_variables)} "
                                 "trainable variables.")
            variables = list(self._trainable_variables)
        else:
            variables = list(trainable_variables)
            if len(variables) != len(grads):
                raise ValueError(f"Got {len(grads)} gradients for {len(variables)} variables.")
            if not self.built:
                self.build(variables)
            else:  # Keras 3 raises here; TF 2 optimizers created slots lazily, so do that
                self._add_model_variables(variables)
        kept_g, kept_v, missing = [], [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(_var_label(v))
            else:
                kept_g.append(self._as_grad(g, v))
                kept_v.append(v)
        if not kept_g:
            raise ValueError(f"No gradients provided for any variable: {missing}. The loss does not depend "
                             "on these variables (were they used outside the GradientTape, or is the "
                             "computation not differentiable?).")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If "
                          "using `model.compile()`, did you forget to provide a `loss` argument?",
                          stacklevel=2)
        if self.loss_scale_factor is not None:
            grads = [g / g.dtype.type(self.loss_scale_factor) for g in kept_g]
        else:
            grads = kept_g
        self._apply_numpy(grads, kept_v)
        self._iterations.assign_add(1)

    def _as_grad(self, g, v):
        a, w = np.asarray(g), read_array(v)
        if a.shape != w.shape:
            raise ValueError(f"Gradient for variable {_var_label(v)!r} has shape {tuple(a.shape)}, but the "
                             f"variable has shape {tuple(w.shape)}")
        if a.dtype != w.dtype:
            a = a.astype(w.dtype)
        return a

    def _apply_numpy(self, grads, variables):
        steps = self.gradient_accumulation_steps
        if steps:
            accs = [self._slot(v, "gradient_accumulator") for v in variables]
            if (int(self._iterations) + 1) % steps == 0:
                grads = [(g + read_array(a)) / g.dtype.type(steps) for g, a in zip(grads, accs)]
                self._update(grads, variables)
                for v in self._trainable_variables:
                    acc = self._slot(v, "gradient_accumulator")
                    acc.assign(np.zeros_like(read_array(acc)))
            else:
                for g, a in zip(grads, accs):
                    a.assign_add(g)
        else:
            self._update(grads, variables)
        if self.use_ema:
            self._update_ema()

    def _update(self, grads, variables):
        grads = self._clip_gradients(grads)
        lr = self._current_lr()
        if self.weight_decay is not None:
            for v in variables:
                if self._use_weight_decay(v):
                    w = read_array(v)
                    dt = w.dtype.type
                    v.assign_sub(w * dt(self.weight_decay) * dt(lr))
        self._update_steps(grads, variables, lr)
        for v in variables:
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                v.assign(np.asarray(constraint(v), dtype=read_array(v).dtype))

    def _update_steps(self, grads, variables, lr):
        """Every variable's update (each depends on its own gradient and slots only, so the order
        and the grouping do not matter; Adam updates all of them in one kernel call)."""
        for g, v in zip(grads, variables):
            self._update_step(g, v, read_array(v).dtype.type(lr))

    def _update_step(self, grad, var, lr):
        raise NotImplementedError

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in grads:
                dt = g.dtype.type
                l2sum = np.sum(g * g, keepdims=True)
                l2norm = np.sqrt(l2sum) if l2sum.flat[0] > 0 else l2sum
                c = dt(self.clipnorm)
                out.append(g * c / np.maximum(l2norm, c))
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            total = sum(np.sum(g * g, dtype=g.dtype) for g in grads)
            use_norm = np.sqrt(np.float32(total))
            c = np.float32(self.global_clipnorm)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = c * np.minimum(np.float32(1) / use_norm, np.float32(1.0 / self.global_clipnorm))
                scale = scale + (use_norm - use_norm)  # NaN when the norm is inf/NaN, as Keras
            return [g * g.dtype.type(scale) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [np.clip(g, -g.dtype.type(self.clipvalue), g.dtype.type(self.clipvalue)) for g in grads]
        return grads

    def _update_ema(self):
        momentum = self.ema_momentum if self._step_count() != 0 else 0.0
        for v in self._trainable_variables:
            avg = self._slot(v, "average")
            w = read_array(v)
            dt = w.dtype.type
            m = dt(momentum)
            avg.assign(m * read_array(avg) + (dt(1) - m) * w)
        freq = self.ema_overwrite_frequency
        if freq and (self._step_count() + 1) % freq == 0:
            self._overwrite_model_variables_with_average_value(self._trainable_variables)

    def _overwrite_model_variables_with_average_value(self, var_list):
        for v in var_list:
            v.assign(read_array(self._slot(v, "average")))

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, copy the moving averages into the variables (end of training)."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Skip weight decay for these variables, or for variables whose name contains one of
        ``var_names``. Call before the optimizer is built."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer "
                             "is built.")
        self._exclude_wd_ids = {id(v) for v in var_list} if var_list else set()
        self._exclude_wd_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, v):
        if id(v) in self._exclude_wd_ids:
            return False
        if self._exclude_wd_pattern is not None and self._exclude_wd_pattern.search(str(v.name)):
            return False
        return True

    def minimize(self, loss, var_list, tape=None):
        """``loss`` is a callable taking no argument (run under a new tape), or a Tensor computed
        under ``tape``. ``var_list`` may be a callable returning the variables."""
        from ...tape import GradientTape
        if callable(loss) and not isinstance(loss, Tensor):
            with GradientTape() as tape:
                if not callable(var_list):
                    tape.watch(list(var_list))
                loss_value = loss()
        else:
            if tape is None:
                raise ValueError("`tape` is required when a `Tensor` loss is passed. Received: "
                                 f"loss={loss!r}, tape=None.")
            loss_value = loss
        variables = list(var_list() if callable(var_list) else var_list)
        grads = tape.gradient(loss_value, variables)
        self.apply_gradients(zip(grads, variables))
        return self._iterations

    def scale_loss(self, loss):
        """Multiply the loss by ``loss_scale_factor`` (if set)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    # ---- state ------------------------------------------------------------------------------

    def get_state(self):
        """Everything needed to resume training, as plain arrays (copies):
        ``'iteration'``, ``'learning_rate'`` (when it is a float), then ``'slot/<i>/<name>'`` for
        the i-th variable the optimizer was built on (build order = the first ``var_list`` order).
        """
        state = {"iteration": np.array(self._iterations)}
        if isinstance(self._learning_rate, Variable):
            state["learning_rate"] = np.array(self._learning_rate)
        names = self._slot_names()
        for i, v in enumerate(self._trainable_variables):
            for n in names:
                state[f"slot/{i}/{n}"] = np.array(self._slots[id(v)][n])
        return state

    def set_state(self, state):
        """Restore ``get_state()``'s dict. On an optimizer not built yet the slots are restored when
        it is built (its first ``apply``), which must be on variables of the same shapes."""
        state = dict(state)
        if "iteration" not in state:
            raise ValueError("set_state: the state has no 'iteration' entry")
        it = np.asarray(state.pop("iteration"))
        if it.shape != ():
            raise ValueError(f"set_state: 'iteration' must be a scalar, got shape {it.shape}")
        lr = state.pop("learning_rate", None)
        if lr is not None:
            if not isinstance(self._learning_rate, Variable):
                raise ValueError("set_state: the state has a 'learning_rate' but this optimizer uses a "
                                 "schedule or a callable")
            self._learning_rate.assign(np.asarray(lr, dtype=np.float32))
        for k in state:
            if not k.startswith("slot/"):
                raise ValueError(f"set_state: unknown key {k!r}")
        self._iterations.assign(it.astype(np.int64))
        self._pending_state = state
        if self.built or not state:
            self._apply_pending_state()

    def _apply_pending_state(self):
        state, self._pending_state = self._pending_state, None
        names = self._slot_names()
        expected = [f"slot/{i}/{n}" for i in range(len(self._trainable_variables)) for n in names]
        missing = [k for k in expected if k not in state]
        extra = [k for k in state if k not in set(expected)]
        if missing or extra:
            raise ValueError(f"set_state: the state does not match this optimizer's slots (built on "
                             f"{len(self._trainable_variables)} variables, slots {names}); missing keys "
                             f"{missing}, unexpected keys {extra}")
        for i, v in enumerate(self._trainable_variables):
            for n in names:
                slot = self._slots[id(v)][n]
                arr = np.asarray(state[f"slot/{i}/{n}"])
                if arr.shape != tuple(slot.shape):
                    raise ValueError(f"set_state: 'slot/{i}/{n}' has shape {arr.shape}, but variable "
                                     f"{_var_label(v)!r} has shape {tuple(slot.shape)}")
                slot.assign(arr)

    def get_weights(self):
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights):
        """Set ``variables`` (in their order) from a list of arrays."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. "
                             "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                             "weights before calling `set_weights()`.")
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(f"set_weights: expected {len(self._variables)} arrays, got {len(weights)}")
        for v, w in zip(self._variables, weights):
            w = np.asarray(w)
            if w.shape != tuple(v.shape):
                raise ValueError(f"Optimizer variable {v.path} has shape {tuple(v.shape)} not compatible with "
                                 f"provided weight shape {w.shape}.")
            v.assign(w)

    def save_own_variables(self, store):
        for i, v in enumerate(self._variables):
            store[str(i)] = v.numpy()

    def load_own_variables(self, store):
        if len(store.keys()) != len(self._variables):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it has "
                          f"{len(self._variables)} variables whereas the saved optimizer has "
                          f"{len(store.keys())} variables.", stacklevel=2)
            return
        values = [np.asarray(store[str(i)]) if str(i) in store else None for i in range(len(self._variables))]
        wrong = [f"{i}: {'missing' if a is None else f'{a.dtype} {a.shape}'} vs {v.dtype.name} {tuple(v.shape)}"
                 for i, (v, a) in enumerate(zip(self._variables, values))
                 if a is None or a.shape != tuple(v.shape) or a.dtype.kind not in "fiub"]
        if wrong:  # checked before any variable is assigned
            raise ValueError(f"optimizer '{self.name}': the saved variables do not match (nothing was "
                             f"changed): {wrong}")
        for v, a in zip(self._variables, values):
            v.assign(a)

    # ---- config -----------------------------------------------------------------------------

    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr_config = schedules.serialize(lr)
        elif isinstance(lr, Variable):
            lr_config = float(lr)
        else:
            lr_config = lr
        return {"name": self.name, "learning_rate": lr_config, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}>"
