"""TFRecord files and tf.train.Example against TF 2.21 (tests/fixtures/record_tf_records.py): files TF
wrote read and parsed as TF parses them, a file tinytf wrote read by TF, checksums, errors; gfile."""
import os

import numpy as np
import pytest

import tinytf as tf

D = os.path.join(os.path.dirname(__file__), "fixtures", "records")
PARSED = np.load(os.path.join(D, "tf_parsed.npz"))
STRING = getattr(tf, "string", "string")
SPEC = {"image": tf.io.FixedLenFeature([], STRING), "label": tf.io.FixedLenFeature([], tf.int64),
        "box": tf.io.FixedLenFeature([4], tf.float32), "names": tf.io.FixedLenFeature([2], STRING),
        "missing": tf.io.FixedLenFeature([], tf.int64, default_value=7)}


@pytest.mark.parametrize("name, compression", [("tf_written.tfrecord", None), ("tf_written.tfrecord.gz", "GZIP")])
def test_reads_and_parses_tensorflows_files(name, compression):
    ds = tf.data.TFRecordDataset([os.path.join(D, name)], compression_type=compression, num_parallel_reads=4)
    rows = [tf.io.parse_single_example(r, SPEC) for r in ds]
    assert len(rows) == 3
    for i, r in enumerate(rows):
        assert r["image"].numpy() == PARSED["image"][i].tobytes()
        assert int(r["label"].numpy()) == PARSED["label"][i] and r["label"].numpy().dtype == np.int64
        np.testing.assert_array_equal(r["box"].numpy(), PARSED["box"][i])
        assert r["names"].numpy().tolist() == PARSED["names"][i].tolist()
        assert int(r["missing"].numpy()) == 7


def test_written_records_round_trip_and_tensorflow_reads_them(tmp_path):
    theirs = np.load(os.path.join(D, "tf_read_tinytf.npz"))  # TF reading tinytf's file of the same rows
    np.testing.assert_array_equal(theirs["label"], PARSED["label"])
    np.testing.assert_array_equal(theirs["box"], PARSED["box"])
    np.testing.assert_array_equal(theirs["image"], PARSED["image"])
    path = tmp_path / "x.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as w:
        for i in range(3):
            w.write(tf.train.Example(features=tf.train.Features(feature={
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(PARSED["label"][i])])),
                "box": tf.train.Feature(float_list=tf.train.FloatList(value=PARSED["box"][i]))})).SerializeToString())
    ex = tf.train.Example.FromString(next(iter(tf.data.TFRecordDataset(str(path)))).numpy())
    assert ex.features.feature["label"].int64_list.value == [int(PARSED["label"][0])]
    assert ex.features.feature["label"].bytes_list.value == []
    np.testing.assert_array_equal(ex.features.feature["box"].float_list.value, PARSED["box"][0])
    spec = {"label": SPEC["label"], "box": SPEC["box"]}
    got = [tf.io.parse_single_example(r, spec) for r in tf.data.TFRecordDataset(str(path))]
    np.testing.assert_array_equal([int(g["label"].numpy()) for g in got], PARSED["label"])


def test_corruption_and_spec_errors(tmp_path):
    data = bytearray(open(os.path.join(D, "tf_written.tfrecord"), "rb").read())
    data[20] ^= 0xFF
    bad = tmp_path / "bad.tfrecord"
    bad.write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="data checksum"):
        list(tf.data.TFRecordDataset(str(bad)))
    record = next(iter(tf.data.TFRecordDataset(os.path.join(D, "tf_written.tfrecord"))))
    with pytest.raises(tf.errors.InvalidArgumentError, match="is required but could not be found"):
        tf.io.parse_single_example(record, {"nope": tf.io.FixedLenFeature([], tf.int64)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Values size: 4 but output shape: \\[3\\]"):
        tf.io.parse_single_example(record, {"box": tf.io.FixedLenFeature([3], tf.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Data types don't match"):
        tf.io.parse_single_example(record, {"label": tf.io.FixedLenFeature([], tf.float32)})
    with pytest.raises(ValueError, match="dtype must be"):
        tf.io.FixedLenFeature([], tf.int32)


def test_gfile_on_local_paths(tmp_path):
    g = tf.io.gfile
    g.makedirs(str(tmp_path / "a" / "b"))
    for n in ("x.tfrec", "y.tfrec", "z.txt"):
        (tmp_path / "a" / n).write_text(n)
    assert g.glob(str(tmp_path / "a" / "*.tfrec")) == [str(tmp_path / "a" / "x.tfrec"), str(tmp_path / "a" / "y.tfrec")]
    assert g.exists(str(tmp_path / "a")) and g.isdir(str(tmp_path / "a" / "b"))
    assert g.listdir(str(tmp_path / "a")) == ["b", "x.tfrec", "y.tfrec", "z.txt"]
    with g.GFile(str(tmp_path / "a" / "z.txt")) as fh:
        assert fh.read() == "z.txt"
    g.rmtree(str(tmp_path / "a"))
    assert not g.exists(str(tmp_path / "a"))
    with pytest.raises(tf.errors.NotFoundError):
        g.rmtree(str(tmp_path / "a"))
    with pytest.raises(tf.errors.UnimplementedError, match="local files only"):
        g.glob("gs://bucket/*.tfrec")
