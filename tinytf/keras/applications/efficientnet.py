"""``keras.applications.efficientnet.preprocess_input``: the model rescales inside itself, so this returns
its input unchanged (as Keras)."""


def preprocess_input(x, data_format=None):
    return x
