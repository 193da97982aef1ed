"""Every program starts from the same random state: the programs draw their weights, shuffles and
augmentations from the global generators (as they are written), and a test must not depend on
what the tests before it on the same worker drew."""
import numpy as np
import pytest

import tinytf as tf


@pytest.fixture(autouse=True)
def seeded():
    tf.random.set_seed(0)
    np.random.seed(0)
    yield
    tf.random.set_seed(None)
