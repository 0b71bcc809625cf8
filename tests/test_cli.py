import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from sgdlab.cli import flag, main
from sgdlab.config import DataConfig, TrainConfig

GOLDEN = Path(__file__).parent / "golden" / "notebook_steps.txt"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as e:
            code = int(e.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_module_entry_prints_the_notebooks_lines():
    done = subprocess.run([sys.executable, "-m", "sgdlab", "run", "--format", "notebook"],
                          capture_output=True, text=True, check=True)
    assert done.stdout == GOLDEN.read_text()


def test_csv_has_a_header_and_one_row_per_update():
    code, out, _ = run("run", "--format", "csv", "--steps", "35", "--batch-size", "30")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns[:5]) == ["step", "batch_loss", "total_loss", "a", "b"]
    assert len(frame) == 35 and frame["batch_size"].tolist()[6] == 20


def test_json_carries_settings_and_history():
    code, out, _ = run("run", "--format", "json", "--optimizer", "adam", "--no-standardize",
                       "--lr", "0.001", "--steps", "3")
    doc = json.loads(out)
    assert code == 0 and doc["train"]["optimizer"] == "adam" and not doc["data"]["standardize"]
    assert len(doc["history"]) == len(doc["history"]) and "initial_total_loss" in doc


def test_diverged_run_exits_zero_and_says_where():
    code, out, err = run("run", "--lr", "10", "--steps", "100")
    assert code == 0 and "Diverged at step" in err


@pytest.mark.parametrize("argv, named", [
    (["--lr", "0"], "--lr"), (["--lr", "-0.1"], "--lr"), (["--lr", "nan"], "--lr"),
    (["--lr", "abc"], "--lr"), (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "-3"], "--batch-size"), (["--batch-size", "500"], "--batch-size"),
    (["--optimizer", "lbfgs"], "--optimizer"), (["--sampling", "x"], "--sampling"),
    (["--steps", "0"], "--steps"), (["--steps", "1e9"], "--steps"),
    (["--noise", "inf"], "--noise"), (["--n", "1"], "--n"),
    (["--x-min", "300"], "--x-max"), (["--accumulation", "3"], "--accumulation"),
    (["--schedule", "warmup"], "--schedule"), (["--momentum", "2"], "--momentum"),
    (["--bogus", "1"], "--bogus"),
])
def test_invalid_flags_exit_2_with_one_line_naming_the_flag(argv, named):
    code, out, err = run("run", *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and named in err and "Traceback" not in err


def test_help_documents_every_flag_with_its_default():
    code, out, _ = run("--help")
    assert code == 0
    for cls in (DataConfig, TrainConfig):
        for f in fields(cls):
            assert flag(f.name) in out, f.name
    assert "(default: 1024)" in out and "(default: 0.1)" in out and "--no-standardize" in out
