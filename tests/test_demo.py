"""The README's main job runs end to end and leaves its files."""

import numpy as np

from nn import demo


def test_demo_trains_saves_and_reloads(tmp_path, capsys):
    demo.main(["--epochs", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "predicts identically: True" in out
    assert "df/dx = 0.922050396876" in out
    acc = float(out.split("test accuracy ")[1].split("%")[0]) / 100
    assert acc > 0.9
    assert (tmp_path / "digits_mlp.npz").exists()
    with np.load(tmp_path / "digits_mlp.npz", allow_pickle=False) as f:
        assert "__format__" in f.files
