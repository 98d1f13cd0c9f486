"""The README's Python examples run as written (training shortened)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks
    for i, block in enumerate(blocks):
        code = block.replace("epochs=20", "epochs=1")
        exec(compile(code, f"README block {i}", "exec"), {})
    assert (tmp_path / "digits.npz").exists()
