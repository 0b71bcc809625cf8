"""Exported artefacts reproduce the run: scripts and notebooks re-run with torch alone,
the CSV reads back into the same history, the CLI writes real image and HTML files."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sgdlab import cli, export
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import Data, from_arrays, make_data
from sgdlab.train import train

GOLDEN = Path(__file__).parent / "golden" / "notebook_steps.txt"
CHROMIUM = "/usr/bin/chromium"
needs_browser = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                   reason=f"kaleido needs Chromium at {CHROMIUM}")

# (name, data settings or None for uploaded points, training settings)
CASES: list[tuple[str, DataConfig | None, TrainConfig]] = [
    ("notebook", DataConfig(), TrainConfig()),
    ("shuffle_adam_ragged", DataConfig(), TrainConfig(
        sampling="shuffle", optimizer="adam", batch_size=30, sampling_seed=7, lr=0.05,
        steps=40)),
    ("replacement_momentum_step_accum", DataConfig(seed=3, noise=2.5), TrainConfig(
        sampling="replacement", optimizer="momentum", momentum=0.8, schedule="step",
        gamma=0.3, decay_every=7, accumulation=4, steps=30, sampling_seed=123456)),
    ("raw_nesterov_exponential", DataConfig(seed=7, n=50, x_min=0.0, x_max=10.0, slope=-3.0,
                                            intercept=-2.25, noise=0.5, standardize=False),
     TrainConfig(optimizer="nesterov", lr=0.002, batch_size=8, schedule="exponential",
                 steps=25)),
    ("rmsprop_cosine_shuffle_accum", DataConfig(n=90), TrainConfig(
        optimizer="rmsprop", schedule="cosine", accumulation=3, batch_size=21,
        sampling="shuffle", steps=15)),
    ("adagrad", DataConfig(), TrainConfig(optimizer="adagrad", lr=0.7, steps=12)),
    ("diverges", DataConfig(standardize=False), TrainConfig(lr=0.01, steps=50)),
    ("uploaded", None, TrainConfig(batch_size=7, sampling="shuffle", steps=10)),
]


def _data(data_config: DataConfig | None) -> Data:
    if data_config is not None:
        return make_data(data_config)
    g = np.random.default_rng(5)
    x = np.sort(g.uniform(-40, 80, 33))
    return from_arrays(x, 0.3 * x - 7 + g.normal(0, 3, 33), name="upload.csv")


def _expected(data: Data, train_config: TrainConfig) -> str:
    """The CLI's view of the run: its printed lines, and its divergence note."""
    history = train(data, train_config)
    tail = [f"Diverged at step {history.diverged_at}"] if history.diverged_at else []
    return "\n".join(history.notebook_lines() + tail) + "\n"


def _run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


def test_cases_cover_what_they_claim() -> None:
    """The case list really contains the notebook's run, a divergence and uploaded data."""
    assert _expected(make_data(DataConfig()), TrainConfig()) == GOLDEN.read_text()
    diverges = dict((n, c) for n, _, c in CASES)["diverges"]
    assert train(DataConfig(standardize=False), diverges).diverged_at is not None


@pytest.mark.parametrize("name,data_config,train_config", CASES, ids=[c[0] for c in CASES])
def test_header_command_rebuilds_the_settings(name: str, data_config: DataConfig | None,
                                              train_config: TrainConfig) -> None:
    """The `sgdlab run` command quoted in each exported file has exactly these settings."""
    args = cli.make_parser().parse_args(export.cli_command(data_config, train_config).split())
    d, t = cli.configs_from(args)
    assert t == train_config
    assert data_config is None or d == data_config


# Run by a separate python (slow to start): the notebook's run and a run with most
# non-default features on. All cases, uploaded data included, also run in-process.
IN_SUBPROCESS = ("notebook", "replacement_momentum_step_accum")


def test_scripts_print_the_cli_log_in_a_fresh_python(tmp_path: Path) -> None:
    """The script, run by a plain isolated python with torch alone, prints the CLI's log."""
    procs = []
    for name, data_config, train_config in CASES:
        if name not in IN_SUBPROCESS:
            continue
        data = _data(data_config)
        path = tmp_path / f"{name}.py"
        path.write_text(export.to_script(data, data_config, train_config, "zh"),
                        encoding="utf-8")
        # -I: isolated, so the repository (and sgdlab) is not importable from the script.
        procs.append((name, _expected(data, train_config),
                      subprocess.Popen([sys.executable, "-I", str(path)], cwd=tmp_path,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)))
    for name, expected, proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name}: {err}"
        assert out == expected, name


@pytest.mark.parametrize("name,data_config,train_config", CASES, ids=[c[0] for c in CASES])
def test_scripts_print_the_cli_log(name: str, data_config: DataConfig | None,
                                   train_config: TrainConfig) -> None:
    """Every case's script, executed as a program of its own, prints the CLI's log."""
    data = _data(data_config)
    src = export.to_script(data, data_config, train_config, "en")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(src, f"{name}.py", "exec"), {"__name__": "__main__"})
    assert out.getvalue() == _expected(data, train_config)


def test_cli_prints_the_same_as_the_script_for_the_notebook() -> None:
    code, out, _ = _run_cli(export.cli_command(DataConfig(), TrainConfig()).split())
    assert code == 0 and out == GOLDEN.read_text()


def test_script_does_not_import_sgdlab() -> None:
    for name, data_config, train_config in CASES:
        src = export.to_script(_data(data_config), data_config, train_config, "en")
        imports = [ln for ln in src.splitlines() if ln.lstrip().startswith(("import", "from "))]
        assert all("sgdlab" not in ln for ln in imports), name
        compile(src, name, "exec")


def test_comments_follow_the_language() -> None:
    data = make_data(DataConfig())
    zh = export.to_script(data, DataConfig(), TrainConfig(), "zh")
    en = export.to_script(data, DataConfig(), TrainConfig(), "en")
    # The notebook's own comments, word for word.
    assert "# 固定随机种子,使得运行结果可以稳定复现" in zh
    assert "# 将上一次的梯度清零" in zh and "'整体损失'" in zh
    assert "# Fix the random seed" in en and "'Whole-data loss'" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)


@pytest.mark.parametrize("case", [0, 2], ids=[CASES[0][0], CASES[2][0]])
def test_notebook_runs_and_prints_the_cli_log(case: int) -> None:
    """The .ipynb, executed by nbclient in a fresh kernel, prints the same step log."""
    import nbclient
    import nbformat

    name, data_config, train_config = CASES[case]
    data = _data(data_config)
    nb = nbformat.reads(export.to_notebook(data, data_config, train_config, "zh"), as_version=4)
    nbformat.validate(nb)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for out in cell.outputs if out.get("name") == "stdout")
    assert printed == _expected(data, train_config)


@pytest.mark.parametrize("name,data_config,train_config", CASES, ids=[c[0] for c in CASES])
def test_csv_round_trips(name: str, data_config: DataConfig | None,
                         train_config: TrainConfig) -> None:
    data = _data(data_config)
    history = train(data, train_config)
    text = export.to_csv(history, data_config)
    back = export.read_csv(text, None if data_config else data)
    assert back.config == history.config
    assert back.diverged_at == history.diverged_at
    assert torch.equal(back.data.x, history.data.x) and torch.equal(back.data.y, history.data.y)
    frame, again = history.to_frame(), back.to_frame()
    assert list(again.columns) == list(frame.columns)
    for column in frame.columns:  # bit for bit, not within a tolerance
        np.testing.assert_array_equal(again[column].to_numpy(), frame[column].to_numpy())
        assert again[column].dtype == frame[column].dtype


def test_csv_header_is_json_settings_and_pandas_reads_the_body() -> None:
    import pandas as pd

    history = train(DataConfig(seed=9), TrainConfig(lr=0.2))
    text = export.to_csv(history, DataConfig(seed=9))
    meta = {ln[2:].split(":", 1)[0]: ln.split(":", 1)[1] for ln in text.splitlines()[1:5]}
    assert json.loads(meta["data"])["seed"] == 9 and json.loads(meta["train"])["lr"] == 0.2
    body = pd.read_csv(io.StringIO(text), comment="#")
    assert len(body) == 20 and body["batch_loss"].iloc[0] == history.batch_loss[0]


@pytest.mark.parametrize("text,words", [
    ("step,a\n1,2\n", "not an sgdlab step log"),
    (export.CSV_MAGIC + "\n# train: {\"lr\": 99}\n", "lr must be at most"),
    (export.CSV_MAGIC + "\n# train: {\"speed\": 1}\n", "unknown setting"),
    (export.CSV_MAGIC + "\n# data: null\n# train: {}\nstep\n", "uploaded data"),
    (export.CSV_MAGIC + "\n# data: {}\n# train: {}\nstep,a\n1,2\n", "expected columns"),
])
def test_csv_bad_input_is_a_clear_error(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        export.read_csv(text)


def test_code_command_writes_script_and_notebook(tmp_path: Path) -> None:
    py, nb = tmp_path / "run.py", tmp_path / "run.ipynb"
    flags = ["--lr", "0.05", "--sampling", "replacement", "--lang", "en"]
    assert _run_cli(["code", "--out", str(py), *flags])[0] == 0
    assert _run_cli(["code", "--out", str(nb), *flags])[0] == 0
    config = replace(TrainConfig(), lr=0.05, sampling="replacement")
    assert py.read_text(encoding="utf-8") == export.to_script(
        make_data(DataConfig()), DataConfig(), config, "en")
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    assert "".join(cells[-2]["source"]).count("sample_keys(sampling_seed, t, batch_size)") == 1
    assert "def sample_keys(seed, k, count):" in "".join(cells[-3]["source"])
    code, _, err = _run_cli(["code", "--out", str(tmp_path / "run.txt")])
    assert code == 2 and ".py or .ipynb" in err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_script_keys_are_sgdlabs_keys(lang: str) -> None:
    """The script's splitmix64 keys, in plain torch, equal sgdlab's over the whole ranges."""
    from sgdlab.config import MAX_SEED, MAX_STEPS
    from sgdlab.sampling import sample_keys

    config = TrainConfig(sampling="shuffle", steps=1)
    names: dict[str, object] = {"__name__": "exported"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(export.to_script(make_data(), DataConfig(), config, lang), "run.py",
                     "exec"), names)
    script_keys = names["sample_keys"]
    assert "sgdlab" not in str(getattr(script_keys, "__module__", ""))
    for seed in (0, 1, 99, MAX_SEED):
        for k in (0, 1, 7, MAX_STEPS):
            want = sample_keys(torch.tensor([seed]), torch.tensor([k]), 50)[0]
            assert torch.equal(script_keys(seed, k, 50), want), (seed, k)  # type: ignore[operator]


def _cli_with_browser(monkeypatch: pytest.MonkeyPatch, browser: str,
                      args: list[str]) -> tuple[int, str, str]:
    """`sgdlab ARGS` in this process, kaleido pointed at ``browser`` (read at draw time)."""
    monkeypatch.setenv("BROWSER_PATH", browser)
    return _run_cli(args)


@needs_browser
def test_figure_command_writes_sharp_pngs_that_are_not_blank(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    out = tmp_path / "run.png"
    code, _, err = _cli_with_browser(monkeypatch, CHROMIUM, [
        "figure", "--out", str(out), "--kind", "all", "--style", "notebook", "--stamp",
        "--lr", "0.05"])
    assert code == 0, err
    for kind in export.KINDS:
        path = tmp_path / f"run_{kind}.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        img = np.asarray(Image.open(path).convert("RGB")).astype(int)
        # scale 3: the loss figure is the notebook's 600 x 600, the others 800 x 520.
        assert img.shape[:2] == ((1800, 1800) if kind == "loss" else (1560, 2400))
        ink = (img < 200).any(axis=2).mean()
        assert 0.005 < ink < 0.5, (kind, ink)  # drawn on, but not a solid block
        if kind == "loss":  # the whole-data loss is red, the batch loss black
            red = (img[..., 0] > 200) & (img[..., 1] < 60) & (img[..., 2] < 60)
            black = (img < 40).all(axis=2)
            assert red.mean() > 0.001 and black.mean() > 0.001


@needs_browser
def test_figure_command_writes_svg_with_the_words(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "loss.svg"
    code, _, err = _cli_with_browser(monkeypatch, CHROMIUM, [
        "figure", "--out", str(out), "--style", "print", "--lang", "zh"])
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<svg") and "http://www.w3.org/2000/svg" in text
    assert "批次损失" in text and "整体损失" in text and len(text) > 10_000


def test_figure_command_without_a_browser_says_so_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _cli_with_browser(monkeypatch, str(tmp_path / "no-such-browser"),
                                     ["figure", "--out", str(tmp_path / "x.png")])
    assert code == 2
    assert "Traceback" not in err and "Chromium" in err
    assert ".html" in err  # and what works instead
    assert not (tmp_path / "x.png").exists()


def test_figure_command_writes_offline_html(tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    code, printed, err = _run_cli(["figure", "--out", str(out), "--kind", "all", "--lang",
                                   "en", "--batch-size", "40"])
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and printed.strip() == str(out)
    assert len(text) > 3_000_000  # plotly.js itself is inside
    assert "<script src=" not in text.replace('<script src="data:', "")  # nothing fetched
    assert text.count('class="plotly-graph-div"') == 3
    assert "run --format notebook --batch-size 40" in text  # how to re-make it
    assert "whole-data loss" in text and 'lang="en"' in text
    assert text.count('"showSendToCloud": false') == 3  # no "upload to Plotly Cloud" button


@pytest.mark.parametrize("style", ["print", "notebook"])
def test_figure_command_writes_offline_html_in_every_style(tmp_path: Path, style: str) -> None:
    # print and notebook restyle a figure built without validation: its template must
    # still be one that plotly's to_html can read (it crashed with a bare name).
    out = tmp_path / f"{style}.html"
    code, _, err = _run_cli(["figure", "--out", str(out), "--style", style, "--lang", "zh"])
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "整体损失" in text
    assert text.count('class="plotly-graph-div"') == 1


def test_figure_of_a_diverging_run_says_why_it_is_short(tmp_path: Path) -> None:
    code, _, err = _run_cli(["figure", "--out", str(tmp_path / "d.html"), "--lr", "5"])
    want = train(make_data(DataConfig()), TrainConfig(lr=5.0))
    assert code == 0 and f"diverged at step {want.diverged_at}" in err
    assert "--standardize" not in err  # x is standardized already: not a cure here


def test_an_unexpected_error_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(export, "make_figures", broken)
    code, _, err = _run_cli(["figure", "--out", str(tmp_path / "x.html")])
    assert code == 1 and err.count("\n") == 1
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_figure_command_refuses_unknown_formats(tmp_path: Path) -> None:
    code, _, err = _run_cli(["figure", "--out", str(tmp_path / "x.jpg")])
    assert code == 2 and ".png, .svg or .html" in err


@given(st.data())
def test_any_settings_script_prints_the_cli_log(draw: st.DataObject) -> None:
    """Random settings: the exported program and sgdlab agree line for line."""
    accumulation = draw.draw(st.sampled_from([1, 2, 3]))
    train_config = TrainConfig(
        lr=draw.draw(st.sampled_from([0.001, 0.03, 0.1, 0.37, 1.5])),
        batch_size=accumulation * draw.draw(st.integers(1, 12)),
        steps=draw.draw(st.integers(1, 30)),
        sampling=draw.draw(st.sampled_from(["sequential", "shuffle", "replacement"])),
        optimizer=draw.draw(st.sampled_from(["sgd", "momentum", "nesterov", "adam",
                                             "rmsprop", "adagrad"])),
        momentum=draw.draw(st.sampled_from([0.0, 0.5, 0.9])),
        accumulation=accumulation,
        schedule=draw.draw(st.sampled_from(["constant", "step", "exponential", "cosine"])),
        gamma=draw.draw(st.sampled_from([0.1, 0.5, 0.9])),
        decay_every=draw.draw(st.integers(1, 8)),
        sampling_seed=draw.draw(st.integers(0, 2**31 - 1)))
    data_config = DataConfig(
        seed=draw.draw(st.integers(0, 2**31 - 1)), n=draw.draw(st.integers(36, 80)),
        slope=draw.draw(st.sampled_from([-2.5, 0.0, 10.0])),
        intercept=draw.draw(st.sampled_from([-7.125, 0.0, 5.0])),
        noise=draw.draw(st.sampled_from([0.0, 0.3, 1.0])),
        standardize=draw.draw(st.booleans()))
    data = make_data(data_config)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(export.to_script(data, data_config, train_config, "en"), "run.py",
                     "exec"), {"__name__": "__main__"})
    assert out.getvalue() == _expected(data, train_config)


def test_a_hostile_data_name_cannot_break_out_of_a_comment() -> None:
    name = 'x.csv"""\nimport os; raise SystemExit("escaped")\n"""\\'
    data = from_arrays([1, 2, 3, 4], [2, 4, 7, 8], name=name)
    config = TrainConfig(batch_size=2, steps=3)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(export.to_script(data, None, config, "en"), "run.py", "exec"), {})
    assert out.getvalue() == _expected(data, config)
