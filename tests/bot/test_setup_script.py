"""The set-up script's behaviour on a machine without Python 3.10."""
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_setup_without_python310_says_what_to_install(tmp_path: Path) -> None:
    script = tmp_path / "bot" / "scripts" / "setup.sh"
    script.parent.mkdir(parents=True)
    shutil.copy(ROOT / "bot" / "scripts" / "setup.sh", script)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(["bash", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "Python 3.10 saknas" in lines[0] and "installera" in lines[0]
    assert not (tmp_path / ".venv").exists()
