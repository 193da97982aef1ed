"""scripts/census/census.py: names, keywords and methods found through import aliases and types,
notebooks read by code cell, and the checks against tinytf."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "census"))
import census  # noqa: E402

PROGRAM = '''
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers as L
from keras import ops
import keras.backend as K

model = keras.Sequential([L.Conv2D(8, 3, padding="same", no_such_kw=1), L.Flatten()])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
model.fit(x, y, epochs=2, not_a_fit_kw=3)
ds = tf.data.Dataset.from_tensor_slices(x).shuffle(10).batch(4)
ds = ds.prefetch(tf.data.AUTOTUNE)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(ops.square(K.int_shape(x)))
grads = tape.gradient(loss, model.trainable_variables)
tf.nn.no_such_op(x)

class Block(keras.layers.Layer):
    def call(self, x):
        return self.helper(x) + self.add_weight(shape=(1,))
    def helper(self, x):
        return x
'''


def test_names_through_aliases_types_and_classes(tmp_path):
    (tmp_path / "prog.py").write_text(PROGRAM)
    names = census.program_names(str(tmp_path / "prog.py"))
    for n in ("keras.Sequential", "keras.layers.Conv2D", "keras.layers.Conv2D(padding=)", "keras.layers.Flatten",
              "keras.optimizers.Adam(learning_rate=)", "keras.Sequential.compile", "keras.Sequential.fit(epochs=)",
              "tf.data.Dataset.from_tensor_slices", "tf.data.Dataset.shuffle", "tf.data.Dataset.batch",
              "tf.data.Dataset.prefetch", "tf.data.AUTOTUNE", "tf.GradientTape", "tf.GradientTape.gradient",
              "keras.Sequential.trainable_variables", "tf.reduce_mean", "keras.ops.square", "keras.backend.int_shape",
              "keras.layers.Layer", "keras.layers.Layer.add_weight", "tf.nn.no_such_op"):
        assert n in names, n
    assert not any("helper" in n for n in names)  # the class's own method is not an API name
    assert "tf.keras" not in names and "keras.layers" not in names  # namespaces are not names


def test_notebook_code_cells_with_magics(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "source": ["tf.nn.relu is not code here"]},
                    {"cell_type": "code",
                     "source": ["!pip install x\n", "%matplotlib inline\n", "import tensorflow as tf\n"]},
                    {"cell_type": "code", "source": "y = tf.nn.relu(x)\nthis is not python\nz = tf.math.exp(y)"}]}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    assert census.program_names(str(tmp_path / "nb.ipynb")) == {"tf.nn.relu", "tf.math.exp"}


def test_checks_against_tinytf(tmp_path):
    checker = census.Checker()
    for n, ok in (("keras.layers.Conv2D", True), ("keras.layers.Conv2D(padding=)", True),
                  ("keras.layers.Conv2D(no_such_kw=)", False), ("keras.Sequential.fit(epochs=)", True),
                  ("keras.Sequential.fit(not_a_fit_kw=)", False), ("tf.nn.no_such_op", False),
                  ("keras.optimizers.Adam(lr=)", True), ("keras.Model(inputs=)", True),
                  ("tf.GradientTape.gradient", True), ("keras.layers.Layer.add_weight", True),
                  ("tf.data.Dataset.class_names", True), ("keras.Sequential.no_such_method", False)):
        assert checker.covered(n) is ok, n
    (tmp_path / "a.py").write_text("import tensorflow as tf\ntf.nn.relu(x)\n")
    (tmp_path / "b.py").write_text("import tensorflow as tf\ntf.nn.no_such_op(x)\n")
    programs = census.scan(str(tmp_path))
    counts, ok, full = census.census(programs, checker)
    assert full == ["a.py"] and counts["tf.nn.relu"] == 1 and not ok["tf.nn.no_such_op"]
    _, _, full = census.census(programs, checker, assume={"tf.nn.no_such_op"})
    assert full == ["a.py", "b.py"]
