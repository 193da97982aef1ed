"""tf.types.experimental.TraceType: TensorFlow's abstract methods, and the guide's subclass works."""
import pytest

import tinytf as tf

TraceType = tf.types.experimental.TraceType


def test_abstract_methods_are_tensorflows():
    assert TraceType.__abstractmethods__ == frozenset(
        {"is_subtype_of", "__hash__", "__eq__", "placeholder_value", "most_specific_common_supertype"})
    with pytest.raises(TypeError, match="Can't instantiate abstract class TraceType"):
        TraceType()
    for name in ("cast", "flatten", "from_tensors", "to_tensors"):
        assert callable(getattr(TraceType, name))


class FruitTraceType(TraceType):  # tensorflow docs guide/function.ipynb
    def __init__(self, fruit):
        self.fruit_type = type(fruit)

    def is_subtype_of(self, other):
        return type(other) is FruitTraceType and self.fruit_type is other.fruit_type

    def most_specific_common_supertype(self, others):
        return self if all(self == other for other in others) else None

    def placeholder_value(self, placeholder_context=None):
        return self.fruit_type()

    def __eq__(self, other):
        return type(other) is FruitTraceType and self.fruit_type == other.fruit_type

    def __hash__(self):
        return hash(self.fruit_type)


def test_a_subclass_gets_the_default_methods():
    t = FruitTraceType(1)
    assert t.is_subtype_of(FruitTraceType(2)) and not t.is_subtype_of(FruitTraceType("a"))
    assert t.most_specific_common_supertype([FruitTraceType(3)]) is t
    assert t.to_tensors(1) == [] and t.flatten() == [] and t.from_tensors(iter([])) == 0
    assert t.cast(0, None) == 0
    with pytest.raises(AssertionError, match="Can not cast 5"):
        t.cast(5, None)
