"""TensorFlow's error classes (the ones tinytf raises)."""


class OpError(Exception):
    """Base of TensorFlow-style errors."""


class InvalidArgumentError(OpError, ValueError):
    """An op got an argument it cannot use (a ``ValueError`` too)."""


class NotFoundError(OpError, FileNotFoundError):
    """A file or entry was not found."""


class UnimplementedError(OpError, NotImplementedError):
    """The operation is not implemented in tinytf."""


class DataLossError(OpError):
    """A file's data is corrupted or truncated (a TFRecord checksum does not match)."""


class OutOfRangeError(OpError):
    """An index or iteration went past the end (a ``TensorArray`` read or write)."""
