"""``tf.Module``: a named container whose ``variables``, ``trainable_variables`` and ``submodules``
are found by walking its attributes, as TensorFlow's ``module.py`` walks them: attributes in sorted
name order, each flattened as ``tf.nest`` flattens (dicts by sorted key), every object once, a
module's own leaves before those of its submodules. Keras layers are not ``tf.Module``s (as in
TensorFlow 2.21 with Keras 3), so variables inside a Keras layer held by a module are not listed."""
import re

from . import nest
from .tensor import Variable

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


class Module:
    def __init__(self, name=None):
        if name is None:
            name = _snake(type(self).__name__)
        elif not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python "
                             "identifiers (e.g. a valid class name).")
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        from . import name_scope
        return name_scope(self._name)

    @property
    def variables(self):
        return tuple(self._flatten(lambda x: isinstance(x, Variable)))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(lambda x: isinstance(x, Variable) and x.trainable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(lambda x: isinstance(x, Variable) and not x.trainable))

    @property
    def submodules(self):
        return tuple(self._flatten(lambda x: isinstance(x, Module)))

    def _flatten(self, predicate, seen=None, stack=()):
        seen = {id(self)} if seen is None else seen
        submodules = []
        for key in sorted(vars(self)):
            for leaf in nest.flatten(vars(self)[key]):
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
                if predicate(leaf):
                    yield leaf
                if isinstance(leaf, Module) and id(self) not in stack:
                    submodules.append(leaf)
        for sub in submodules:
            yield from sub._flatten(predicate, seen, stack + (id(self),))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs ``method`` in the module's name scope (tinytf is eager: as written)."""
        return method

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object named {self._name!r}>"
