"""``tf.types.experimental.TraceType``: the type a ``tf.function`` argument has for tracing
(``__tf_tracing_type__`` returns one). tinytf never traces, so nothing calls these methods, but a
class written for TensorFlow subclasses this base and must implement the same abstract methods."""
import abc


class TraceType(metaclass=abc.ABCMeta):
    """Abstract: ``is_subtype_of``, ``most_specific_common_supertype``, ``placeholder_value``,
    ``__eq__`` and ``__hash__``, as TensorFlow's."""

    @abc.abstractmethod
    def is_subtype_of(self, other):
        """Whether ``self`` may be used where ``other`` is expected."""

    @abc.abstractmethod
    def most_specific_common_supertype(self, others):
        """The most specific type that ``self`` and every one of ``others`` are subtypes of, or None."""

    @abc.abstractmethod
    def placeholder_value(self, placeholder_context):
        """A value of this type standing in for the argument while tracing."""

    def to_tensors(self, value):
        """The tensors ``value`` holds (none by default)."""
        return []

    def from_tensors(self, tensors):
        """A value of this type rebuilt from ``tensors`` (the placeholder value by default)."""
        return self.placeholder_value(None)

    def flatten(self):
        """The trace types of the tensors ``to_tensors`` gives (none by default)."""
        return []

    def cast(self, value, cast_context):
        """``value`` converted to this type (by default it must equal the placeholder value)."""
        assert value == self.placeholder_value(None), f"Can not cast {value!r} to type {self!r}"
        return value

    @abc.abstractmethod
    def __hash__(self):
        ...

    @abc.abstractmethod
    def __eq__(self, other):
        ...
