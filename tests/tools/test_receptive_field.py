"""tinytf.tools.receptive_field: the text table, the command line, and the re-exported arithmetic
(tested in tests/kernels/test_kernel_receptive_field.py)."""
import pytest

import tinytf.kernels.receptive_field as kernels_receptive_field
from tinytf.tools import receptive_field as tools_receptive_field
from tinytf.tools.receptive_field import format_table, main, receptive_fields

LENET = "conv3,pool2/2,conv3,pool2/2"


def test_public_names_still_importable_from_tools():
    for name in tools_receptive_field.__all__:
        assert hasattr(tools_receptive_field, name)
    for name in kernels_receptive_field.__all__:
        assert getattr(tools_receptive_field, name) is getattr(kernels_receptive_field, name)


def test_format_table():
    text = format_table(receptive_fields(LENET + ",flatten", 28))
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "r", "j", "start", "out", "pad"]
    assert lines[2].split() == ["pool2/2", "4", "2", "1.5", "13", "0+0"]
    assert lines[-1].split() == ["flatten", "global", "-", "-", "-", "-"]
    assert "2x1" not in text and "1|2" in format_table(receptive_fields("conv1x2", 4))


def test_cli(capsys):
    main([LENET, "--input", "28", "--unit", "2", "2"])
    out = capsys.readouterr().out
    assert "pool2/2" in out and "rows 8..17" in out
    with pytest.raises(SystemExit):
        main(["conv3,bad"])
    assert "bad" in capsys.readouterr().err
