"""A real TensorBoard server (``python -m tensorboard.main --host 127.0.0.1 --port 0``) on tinytf's
logs: its HTTP data API lists the runs, the plugins with data, and the scalar values that fit
logged. Loopback only; the test stops the server it started."""
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import tinytf as tf  # noqa: E402


def _logs(logdir):
    k = tf.keras
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 5, 5, 1)).astype(np.float32), rng.integers(0, 2, 32)
    model = k.Sequential([k.Input((5, 5, 1), name="pixels"), k.layers.Conv2D(2, 3, name="conv"),
                          k.layers.Flatten(name="flat"), k.layers.Dense(2, name="logits")], name="net")
    model.compile("sgd", k.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0,
                        callbacks=[k.callbacks.TensorBoard(os.path.join(logdir, "fit"), histogram_freq=1,
                                                           write_images=True)])
    with tf.summary.create_file_writer(os.path.join(logdir, "custom")).as_default(step=0):
        tf.summary.text("note", "hello")
        tf.summary.audio("tone", np.zeros((1, 100, 1), np.float32), 8000)
    return history.history


class Server:
    def __init__(self, logdir):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output, found = [], threading.Event()

        def read():  # TensorBoard prints "TensorBoard 2.x at http://127.0.0.1:PORT/"
            for line in self.proc.stdout:
                self.output.append(line)
                if re.search(r"http://127\.0\.0\.1:\d+/", line):
                    found.set()
        threading.Thread(target=read, daemon=True).start()
        if not found.wait(90):
            self.stop()
            raise AssertionError("TensorBoard did not start:\n" + "".join(self.output))
        self.base = re.search(r"http://127\.0\.0\.1:\d+", "".join(self.output)).group(0)

    def get(self, path, **query):
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.loads(r.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def test_tensorboard_serves_the_runs_and_scalars(tmp_path):
    history = _logs(str(tmp_path))
    server = Server(str(tmp_path))
    try:
        want_runs = {"fit/train", "fit/validation", "custom"}
        deadline = time.monotonic() + 90
        while True:  # the server loads the logs in the background
            runs = set(server.get("/data/runs"))
            tags = server.get("/data/plugin/scalars/tags")
            if (runs >= want_runs and "epoch_loss" in tags.get("fit/validation", {})) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert runs == want_runs
        assert set(tags["fit/train"]) == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
        assert set(tags["fit/validation"]) == {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                                               "evaluation_accuracy_vs_iterations"}
        for run, prefix in (("fit/train", ""), ("fit/validation", "val_")):
            rows = server.get("/data/plugin/scalars/scalars", run=run, tag="epoch_loss")
            assert [r[1] for r in rows] == [0, 1, 2]
            np.testing.assert_array_equal(np.float32([r[2] for r in rows]), np.float32(history[prefix + "loss"]))
        rows = server.get("/data/plugin/scalars/scalars", run="fit/validation", tag="evaluation_loss_vs_iterations")
        assert [r[1] for r in rows] == [3, 6, 9]  # optimizer.iterations: 24 samples, batches of 8
        url = server.base + "/data/plugin/graphs/graph?" + urllib.parse.urlencode(
            {"run": "fit/train", "tag": "keras", "conceptual": "true"})
        with urllib.request.urlopen(url, timeout=30) as r:  # the Keras conceptual graph, as a GraphDef pbtxt
            graph = r.read().decode()
        assert re.findall(r'name: "(\S+)"', graph) == ["net/pixels", "net/conv", "net/flat", "net/logits"]
        listing = server.get("/data/plugins_listing")
        for plugin in ("scalars", "histograms", "distributions", "images", "text", "audio", "graphs"):
            assert listing[plugin]["enabled"], plugin
    finally:
        server.stop()
    assert server.proc.returncode is not None
