"""tf.keras: layers, models, optimizers, losses, metrics, callbacks, datasets."""
