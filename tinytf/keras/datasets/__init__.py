"""``tf.keras.datasets``: small image datasets as numpy arrays.

``mnist``, ``fashion_mnist`` and ``cifar10`` each have ``load_data(path=None)``
returning ``(x_train, y_train), (x_test, y_test)`` like Keras.  Data is found
on disk (the ``path`` argument, ``$TINYTF_DATA``, ``~/.keras/datasets``,
``/usr/share/datasets``) or downloaded with a SHA-256 check; set
``$TINYTF_DATASETS_URL`` to download from another base URL.
"""

from . import cifar10, fashion_mnist, mnist

__all__ = ["mnist", "fashion_mnist", "cifar10"]
