"""``tf.nn``: convolution, pooling, normalisation, activations and losses."""
from .ops.nn_ops import (  # noqa: F401
    avg_pool, avg_pool2d, batch_normalization, bias_add, compute_average_loss, conv2d,
    dropout, elu, gelu, l2_loss, leaky_relu, log_softmax, max_pool, max_pool2d, moments, relu, relu6, selu,
    sigmoid_cross_entropy_with_logits, silu, softmax, softmax_cross_entropy_with_logits, softsign,
    sparse_softmax_cross_entropy_with_logits, swish)
from .ops.nn_ops import scale_regularization_loss  # noqa: F401
from .ops.conv_ops import (  # noqa: F401
    conv1d, conv2d_transpose, convolution, depthwise_conv2d, separable_conv2d)
from .ops.conv3d_ops import avg_pool3d, conv3d, conv3d_transpose, max_pool3d  # noqa: F401
from .ops.math_ops import sigmoid, softplus, tanh  # noqa: F401
from .ops.sort_ops import top_k  # noqa: F401
from .ops.stats_ops import l2_normalize  # noqa: F401
