"""TFRecord files and ``tf.train.Example`` protocol buffers, in pure Python.

A TFRecord file is a sequence of records: ``uint64 length``, ``uint32 masked_crc32c(length)``,
the bytes, ``uint32 masked_crc32c(bytes)`` (little endian; CRC-32C, masked as TensorFlow masks it).
Reading checks both checksums (a ``DataLossError`` names the file and offset); writing goes to a
temporary file renamed on ``close`` (``files.py``). ``Example`` messages are encoded and decoded
with the protobuf wire format (``tensorflow/core/example/example.proto``); ``parse_single_example``
reads ``FixedLenFeature``s as TensorFlow does (string features as scalar byte-string tensors).
"""
import gzip
import os
import struct
import zlib

import numpy as np

from . import dtypes as _dtypes
from .errors import DataLossError, InvalidArgumentError
from .tensor import Tensor


# ---------------------------------------------------------------- CRC-32C and the record framing

def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _open_read(path, compression_type):
    if compression_type in (None, ""):
        return open(path, "rb")
    if compression_type == "GZIP":
        return gzip.open(path, "rb")
    if compression_type == "ZLIB":
        with open(path, "rb") as fh:
            import io
            return io.BytesIO(zlib.decompress(fh.read()))
    raise ValueError(f"compression_type must be '', 'ZLIB' or 'GZIP', got {compression_type!r}")


def read_records(path, compression_type=None):
    """The records of one TFRecord file, as ``bytes``, checked against their CRCs."""
    path = os.fspath(path)
    with _open_read(path, compression_type) as fh:
        offset = 0
        while True:
            head = fh.read(12)
            if not head:
                return
            if len(head) < 12:
                raise DataLossError(f"truncated record at {offset} in {path}")
            length, length_crc = struct.unpack("<QI", head)
            if masked_crc32c(head[:8]) != length_crc:
                raise DataLossError(f"corrupted record at {offset} in {path} (length checksum)")
            data, tail = fh.read(length), fh.read(4)
            if len(data) < length or len(tail) < 4:
                raise DataLossError(f"truncated record at {offset} in {path}")
            if masked_crc32c(data) != struct.unpack("<I", tail)[0]:
                raise DataLossError(f"corrupted record at {offset} in {path} (data checksum)")
            offset += 16 + length
            yield data


def frame(record):
    """One record's bytes in the file: length, its CRC, the data, its CRC."""
    head = struct.pack("<Q", len(record))
    return head + struct.pack("<I", masked_crc32c(head)) + record + struct.pack("<I", masked_crc32c(record))


class TFRecordWriter:
    """``tf.io.TFRecordWriter(path, options=None)``: ``write(record)`` then ``close()`` (or ``with``)."""

    def __init__(self, path, options=None):
        compression = getattr(options, "compression_type", options) or None
        if compression not in (None, "GZIP", "ZLIB"):
            raise ValueError(f"TFRecordWriter: compression must be None, 'ZLIB' or 'GZIP', got {compression!r}")
        self._path, self._compression, self._chunks, self._closed = os.fspath(path), compression, [], False

    def write(self, record):
        if self._closed:
            raise ValueError(f"TFRecordWriter: {self._path} is closed")
        if isinstance(record, Tensor):
            record = record.numpy()
        if isinstance(record, str):
            record = record.encode("utf-8")
        if not isinstance(record, (bytes, bytearray)):
            raise TypeError(f"TFRecordWriter.write: record must be bytes, got {type(record).__name__}")
        self._chunks.append(frame(bytes(record)))

    def flush(self):
        pass

    def close(self):
        if self._closed:
            return
        from .files import atomic_write
        data = b"".join(self._chunks)
        if self._compression == "GZIP":
            data = gzip.compress(data)
        elif self._compression == "ZLIB":
            data = zlib.compress(data)
        with atomic_write(self._path) as fh:
            fh.write(data)
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# ---------------------------------------------------------------- protobuf wire format

def _varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _read_varint(buf, pos):
    shift = value = 0
    while True:
        if pos >= len(buf):
            raise InvalidArgumentError("Could not parse example input: truncated varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of a message: ints for varints, bytes otherwise."""
    pos, n = 0, len(buf)
    while pos < n:
        key, pos = _read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise InvalidArgumentError(f"Could not parse example input: wire type {wire}")
        if pos > n:
            raise InvalidArgumentError("Could not parse example input: truncated field")
        yield field, wire, value


def _ld(field, payload):
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


class BytesList:
    def __init__(self, value=()):
        self.value = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in value]

    def SerializeToString(self):
        return b"".join(_ld(1, v) for v in self.value)


class FloatList:
    def __init__(self, value=()):
        self.value = [float(v) for v in np.asarray(value, np.float32).ravel()]

    def SerializeToString(self):
        return _ld(1, np.asarray(self.value, "<f4").tobytes()) if self.value else b""


class Int64List:
    def __init__(self, value=()):
        self.value = [int(v) for v in np.asarray(value, np.int64).ravel()]

    def SerializeToString(self):
        return _ld(1, b"".join(_varint(v) for v in self.value)) if self.value else b""


class Feature:
    """One of ``bytes_list``, ``float_list``, ``int64_list`` (the others read as empty lists)."""

    def __init__(self, bytes_list=None, float_list=None, int64_list=None):
        given = [(k, v) for k, v in (("bytes_list", bytes_list), ("float_list", float_list),
                                     ("int64_list", int64_list)) if v is not None]
        if len(given) > 1:
            raise ValueError("Feature: give one of bytes_list, float_list, int64_list")
        self.kind, self.list = given[0] if given else (None, None)

    @property
    def bytes_list(self):
        return self.list if self.kind == "bytes_list" else BytesList()

    @property
    def float_list(self):
        return self.list if self.kind == "float_list" else FloatList()

    @property
    def int64_list(self):
        return self.list if self.kind == "int64_list" else Int64List()

    def SerializeToString(self):
        if self.kind is None:
            return b""
        return _ld({"bytes_list": 1, "float_list": 2, "int64_list": 3}[self.kind], self.list.SerializeToString())


class Features:
    def __init__(self, feature=None):
        self.feature = dict(feature or {})

    def SerializeToString(self):
        return b"".join(_ld(1, _ld(1, k.encode("utf-8")) + _ld(2, f.SerializeToString()))
                        for k, f in self.feature.items())


class Example:
    """``tf.train.Example(features=tf.train.Features(feature={...}))``; ``SerializeToString()`` and
    ``Example.FromString(data)``."""

    def __init__(self, features=None):
        self.features = features if features is not None else Features()

    def SerializeToString(self):
        return _ld(1, self.features.SerializeToString())

    @classmethod
    def FromString(cls, data):
        return cls(Features(_decode_example(bytes(data))))

    def ParseFromString(self, data):
        self.features = Features(_decode_example(bytes(data)))


def _decode_list(kind, buf):
    values = []
    for field, wire, v in _fields(buf):
        if field != 1:
            continue
        if kind == 1:
            values.append(bytes(v))
        elif kind == 2:
            values.extend(np.frombuffer(v, "<f4").tolist() if wire == 2 else
                          [struct.unpack("<f", v)[0]])
        else:
            ints, pos = [], 0
            if wire == 2:
                while pos < len(v):
                    x, pos = _read_varint(v, pos)
                    ints.append(x)
            else:
                ints = [v]
            values.extend(x - (1 << 64) if x >= 1 << 63 else x for x in ints)
    return values


_KIND_NAMES = ("bytes_list", "float_list", "int64_list")


def _decode_example(data):
    """``{name: Feature}`` of a serialized Example."""
    out = {}
    for field, _, features in _fields(data):
        if field != 1:
            continue
        for f2, _, entry in _fields(features):
            if f2 != 1:
                continue
            key, feature = "", Feature()
            for f3, _, v in _fields(entry):
                if f3 == 1:
                    key = bytes(v).decode("utf-8")
                elif f3 == 2:
                    for kind, _, lst in _fields(v):
                        if kind in (1, 2, 3):
                            cls = (BytesList, FloatList, Int64List)[kind - 1]
                            feature = Feature(**{_KIND_NAMES[kind - 1]: cls(_decode_list(kind, lst))})
            out[key] = feature
    return out


# ---------------------------------------------------------------- parsing with a feature spec

class FixedLenFeature:
    """``tf.io.FixedLenFeature(shape, dtype, default_value=None)``."""

    def __init__(self, shape, dtype, default_value=None):
        self.shape = tuple(int(d) for d in (shape if isinstance(shape, (list, tuple)) else [shape]))
        self.dtype = _dtype_name(dtype, "FixedLenFeature")
        self.default_value = default_value

    def __repr__(self):
        return f"FixedLenFeature(shape={list(self.shape)}, dtype=tf.{self.dtype}, default_value={self.default_value!r})"


def _dtype_name(dtype, what):
    name = getattr(dtype, "name", dtype)
    if name not in ("string", "int64", "float32"):
        raise ValueError(f"{what}: dtype must be tf.string, tf.int64 or tf.float32, got {dtype!r}")
    return name


_KINDS = {"string": "bytes_list", "float32": "float_list", "int64": "int64_list"}


def _as_array(values, dtype, shape):
    if dtype == "string":
        a = np.empty(len(values), dtype=object)
        a[:] = [bytes(v) for v in values]
    else:
        a = np.asarray(values, dtype=np.float32 if dtype == "float32" else np.int64)
    return a.reshape(shape)


def parse_single_example(serialized, features, example_names=None, name=None):
    """A dict ``{key: Tensor}`` of one serialized Example, as ``features`` describes it."""
    data = serialized.numpy() if isinstance(serialized, Tensor) else serialized
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"parse_single_example: serialized must be a scalar string, got {type(data).__name__}")
    found = _decode_example(bytes(data))
    out = {}
    for key, spec in features.items():
        if not isinstance(spec, FixedLenFeature):
            raise NotImplementedError(f"parse_single_example: {type(spec).__name__} (feature {key!r}) is not "
                                      "supported; tinytf reads FixedLenFeature")
        size = int(np.prod(spec.shape)) if spec.shape else 1
        feature = found.get(key)
        if feature is None or feature.kind is None:
            if spec.default_value is None:
                raise InvalidArgumentError(f"Feature: {key} (data type: {spec.dtype}) is required but could not "
                                           "be found.")
            value = np.broadcast_to(np.asarray(spec.default_value, dtype=object if spec.dtype == "string" else
                                               (np.float32 if spec.dtype == "float32" else np.int64)), spec.shape)
            out[key] = Tensor(np.array(value))
            continue
        if feature.kind != _KINDS[spec.dtype]:
            raise InvalidArgumentError(f"Name: <unknown>, Feature: {key}.  Data types don't match. Expected type: "
                                       f"{spec.dtype}, Actual type: {feature.kind.split('_')[0]}")
        values = feature.list.value
        if len(values) != size:
            raise InvalidArgumentError(f"Name: <unknown>, Key: {key}, Index: 0.  Number of {spec.dtype} values != "
                                       f"expected.  Values size: {len(values)} but output shape: {list(spec.shape)}")
        out[key] = Tensor(_as_array(values, spec.dtype, spec.shape))
    return out
