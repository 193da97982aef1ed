"""tinytf.files: atomic writes (old or new file, never half of one; no temp left behind)."""
import os

import numpy as np
import pytest

from tinytf import files


def test_an_interrupted_write_leaves_the_old_file_and_no_temp(tmp_path):
    path = tmp_path / "w.npz"
    files.write_npz_atomic(path, {"a": np.arange(3)})
    with pytest.raises(RuntimeError):
        with files.atomic_write(path) as f:
            f.write(b"half")
            raise RuntimeError("killed")
    assert os.listdir(tmp_path) == ["w.npz"]
    np.testing.assert_array_equal(files.read_npz(path)["a"], np.arange(3))


def test_text_and_temp_names(tmp_path):
    files.write_text_atomic(tmp_path / "r.md", "ok\n")
    assert (tmp_path / "r.md").read_text() == "ok\n" and os.listdir(tmp_path) == ["r.md"]
    assert files.is_temp_file(files.TEMP_PREFIX + "r.md.abc123")
    assert files.is_temp_file(".tmp-abcd1234.npz") and files.is_temp_file("history.csv.tmp")
    for users in ("notes.tmp", ".tmp-mine", "report.md", ".tinytf.lock"):
        assert not files.is_temp_file(users), users
