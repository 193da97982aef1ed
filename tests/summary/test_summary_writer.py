"""tf.summary's writers and state: default writer and step, record_if, queueing and flushing, the
noop writer, closing, graphs and traces, the missing package, the import cost, and crash safety
(a writer killed with SIGKILL leaves files TensorBoard reads up to the last flush)."""
import glob
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("tensorboard")
sys.path.insert(0, os.path.dirname(__file__))

import tinytf as tf  # noqa: E402
from tb_read import load, plugin, scalars  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_python(code, timeout=120, **kw):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=timeout, **kw)


def test_file_writer_makes_one_v2_event_file_with_the_version_event(tmp_path):
    logdir = tmp_path / "a" / "b"
    w = tf.summary.create_file_writer(str(logdir))
    files = os.listdir(logdir)
    assert len(files) == 1 and files[0].startswith("events.out.tfevents.") and files[0].endswith(".v2")
    assert f".{os.getpid()}." in files[0]
    assert load(logdir).file_version == 2.0  # "brain.Event:2", written and flushed at creation
    w.close()
    w2 = tf.summary.create_file_writer(str(logdir), filename_suffix=".x")
    assert len(os.listdir(logdir)) == 2 and any(f.endswith(".x") for f in os.listdir(logdir))
    w2.close()


def test_default_writer_and_step_nest_and_restore(tmp_path):
    a = tf.summary.create_file_writer(str(tmp_path / "a"))
    b = tf.summary.create_file_writer(str(tmp_path / "b"))
    assert tf.summary.scalar("none", 1.0, step=0) is False  # no default writer: nothing, no error
    with a.as_default(step=4):
        assert tf.summary.experimental.get_step() == 4
        tf.summary.scalar("x", 1.0)
        with b.as_default():
            tf.summary.scalar("x", 2.0)  # b, at a's step
            with tf.summary.record_if(False):
                assert tf.summary.scalar("x", 9.0) is False
                assert not tf.summary.should_record_summaries()
            state = {"n": 0}
            with tf.summary.record_if(lambda: state["n"] % 2 == 0):  # asked at each write
                for n in range(4):
                    state["n"] = n
                    tf.summary.scalar("every2", float(n), step=n)
        tf.summary.scalar("x", 3.0, step=5)
    assert tf.summary.experimental.get_step() is None
    assert scalars(load(tmp_path / "a"), "x") == [(4, 1.0), (5, 3.0)]
    acc_b = load(tmp_path / "b")
    assert scalars(acc_b, "x") == [(4, 2.0)] and scalars(acc_b, "every2") == [(0, 0.0), (2, 2.0)]


def test_missing_step_is_an_error_only_when_writing(tmp_path):
    assert tf.summary.scalar("x", 1.0) is False  # no writer
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        v = tf.Variable(np.int64(7))
        tf.summary.experimental.set_step(v)  # a variable is read at each write
        tf.summary.scalar("x", 1.0)
        v.assign(8)
        tf.summary.scalar("x", 2.0)
        tf.summary.experimental.set_step(None)
    assert scalars(load(tmp_path), "x") == [(7, 1.0), (8, 2.0)]


def test_set_as_default_and_flush(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10 ** 6)
    w.set_as_default(step=2)
    try:
        tf.summary.scalar("x", 1.0)
        assert load(tmp_path).Tags()["tensors"] == []  # queued, not yet on disk
        tf.summary.flush()
        assert scalars(load(tmp_path), "x") == [(2, 1.0)]
    finally:
        tf.summary.create_noop_writer().set_as_default()
        tf.summary.experimental.set_step(None)
    assert tf.summary.scalar("y", 1.0, step=0) is True  # the noop writer "writes" and writes nothing
    w.close()
    assert scalars(load(tmp_path), "x") == [(2, 1.0)] and "y" not in load(tmp_path).Tags()["tensors"]


def test_queue_of_max_queue_events_is_flushed_when_full(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), max_queue=3, flush_millis=10 ** 6)
    w.set_as_default()
    try:
        tf.summary.scalar("x", 0.0, step=0)
        tf.summary.scalar("x", 1.0, step=1)
        assert load(tmp_path).Tags()["tensors"] == []
        tf.summary.scalar("x", 2.0, step=2)
        assert [s for s, _ in scalars(load(tmp_path), "x")] == [0, 1, 2]
    finally:
        tf.summary.create_noop_writer().set_as_default()
    w.close()


def test_flush_millis_zero_writes_every_event(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), flush_millis=0)
    w.set_as_default()
    try:
        tf.summary.scalar("x", 1.0, step=0)
        assert scalars(load(tmp_path), "x") == [(0, 1.0)]
    finally:
        tf.summary.create_noop_writer().set_as_default()
    w.close()


def test_closed_writer(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    w.init()
    w.close()
    w.close()  # twice is fine
    with pytest.raises(RuntimeError, match="already closed"):
        with w.as_default():
            pass


@pytest.mark.parametrize("kwargs,message", [
    (dict(logdir=""), "logdir must be a non-empty path"),
    (dict(logdir=None), "logdir must be a non-empty path"),
    (dict(logdir="x", max_queue=-1), "max_queue must be a non-negative integer, got -1"),
    (dict(logdir="x", flush_millis=1.5), "flush_millis must be a non-negative integer, got 1.5"),
])
def test_create_file_writer_checks_its_arguments(tmp_path, monkeypatch, kwargs, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=message):
        tf.summary.create_file_writer(**kwargs)


def test_logdir_that_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="cannot create the log folder"):
        tf.summary.create_file_writer(str(tmp_path / "f"))


def _functional():
    k = tf.keras
    inp = k.Input((4,), name="x")
    a = k.layers.Dense(3, name="a")(inp)
    b = k.layers.Dense(3, name="b")(inp)
    out = k.layers.Add(name="sum")([a, b])
    return k.Model(inp, out, name="fork")


def test_graph_of_a_keras_model_and_trace_export(tmp_path):
    model = _functional()
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        assert tf.summary.graph(model)
        tf.summary.trace_on(graph=True)
        model(np.zeros((2, 4), np.float32))
        model(np.zeros((1, 4), np.float32))  # the same model once
        assert tf.summary.trace_export("step_trace", step=3)
        with pytest.warns(UserWarning, match="no trace is running"):
            assert tf.summary.trace_export("again", step=4) is False
    acc = load(tmp_path)
    graph = acc.Graph()
    inputs = {n.name: (n.op, list(n.input)) for n in graph.node}
    assert inputs == {"fork/x": ("InputLayer", []), "fork/a": ("Dense", ["fork/x"]),
                      "fork/b": ("Dense", ["fork/x"]), "fork/sum": ("Add", ["fork/a", "fork/b"])}
    assert plugin(acc, "step_trace") == "graph_run_metadata_graph"
    from tensorboard.compat.proto import config_pb2
    (event,) = acc.Tensors("step_trace")
    run = config_pb2.RunMetadata.FromString(event.tensor_proto.string_val[0])
    assert event.step == 3 and len(run.function_graphs) == 1
    assert {n.name for n in run.function_graphs[0].pre_optimization_graph.node} == set(inputs)


def test_sequential_graph_is_a_chain(tmp_path):
    k = tf.keras
    model = k.Sequential([k.Input((3,)), k.layers.Dense(2, name="d1"), k.layers.Dense(1, name="d2")], name="seq")
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        tf.summary.graph(model)
    nodes = [(n.name, list(n.input)) for n in load(tmp_path).Graph().node]
    assert nodes[1:] == [("seq/d1", [nodes[0][0]]), ("seq/d2", ["seq/d1"])]


def test_write_raw_pb_name_scope_and_summary_scope(tmp_path):
    from tensorboard.compat.proto import summary_pb2
    raw = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="raw", simple_value=1.25)]).SerializeToString()
    with tf.summary.create_file_writer(str(tmp_path)).as_default(step=6):
        assert tf.summary.experimental.write_raw_pb(raw)
        with tf.name_scope("outer"):
            with tf.summary.experimental.summary_scope("name") as (tag, scope):
                assert (tag, scope) == ("outer/name", "outer/name/")
                tf.summary.scalar("inside", 1.0)
            tf.summary.write("as_given", 2.0)  # write takes its tag as given (as TF)
    acc = load(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("raw")] == [(6, 1.25)]
    assert sorted(acc.Tags()["tensors"]) == ["as_given", "outer/name/inside"]


def test_without_tensorboard_the_first_writer_names_the_package(tmp_path):
    res = run_python(f"""
        import sys
        sys.modules["tensorboard"] = None  # as if not installed
        import tinytf as tf
        assert tf.summary.scalar("x", 1.0, step=0) is False  # no writer: no package needed
        try:
            tf.summary.create_file_writer({str(tmp_path)!r})
        except ImportError as e:
            print(e)
    """)
    assert res.returncode == 0, res.stderr
    assert "pip install 'tinytf[tensorboard]'" in res.stdout


def test_import_tinytf_and_tf_summary_do_not_import_tensorboard():
    res = run_python("""
        import sys
        import tinytf as tf
        tf.summary.scalar("x", 1.0, step=0)
        tf.keras.callbacks.TensorBoard
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("tensorboard", "tensorflow", "google")))
    """)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_kill_9_leaves_files_tensorboard_reads_up_to_the_last_flush(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        import tinytf as tf
        w = tf.summary.create_file_writer({str(tmp_path)!r}, max_queue=1000, flush_millis=10 ** 7)
        with w.as_default():
            for step in range(5):
                tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
                tf.summary.histogram("w", [1.0, 2.0, float(step)], step=step)
        w.set_as_default()
        for step in range(5, 9):  # queued, never flushed
            tf.summary.scalar("loss", 0.0, step=step)
        print("ready", flush=True)
        time.sleep(120)
    """)], env=dict(os.environ, PYTHONPATH=ROOT), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    acc = load(tmp_path)
    assert scalars(acc, "loss") == [(s, np.float32(1.0 / (s + 1))) for s in range(5)]
    assert [e.step for e in acc.Tensors("w")] == list(range(5))


def test_events_still_queued_at_exit_are_written(tmp_path):
    res = run_python(f"""
        import tinytf as tf
        w = tf.summary.create_file_writer({str(tmp_path)!r}, max_queue=1000, flush_millis=10 ** 7)
        w.set_as_default(step=3)
        tf.summary.scalar("late", 4.0)  # never flushed or closed by the program
    """)
    assert res.returncode == 0, res.stderr
    assert scalars(load(tmp_path), "late") == [(3, 4.0)]
