"""The data-source view driven as a user would: AppTest through the upload path, and a
few files through the real browser upload control (Chromium, marked ``browser``).

The harness app fits whatever data the view returns (the synthetic data when
it returns None) and prints one RESULT line, so a test sees what was trained.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from sgdlab import datasets
from sgdlab.datasets import BUILTINS, DataError, read_csv, to_data
from sgdlab.ui.data_source import _guess_columns
from tests.servers import streamlit_server
from tests.test_datasets import CORPUS

ROOT = Path(__file__).resolve().parent.parent
GOOD = b"height,weight,name\n150,50,a\n160,56,b\n170,66,c\n180,71,d\n190,80,e\n"


def harness() -> None:
    """A stand-in for app.py: the view, then training on what it returned."""
    import streamlit as st

    from sgdlab import DataConfig, TrainConfig, make_data, theory, train
    from sgdlab.ui.data_source import data_source_ui

    data = data_source_ui(st.session_state.get("test_lang", "en"))
    data = make_data(DataConfig()) if data is None else data
    lr = min(0.5, 0.5 * theory.max_stable_lr(theory.data_hessian(data)))
    history = train(data, TrainConfig(batch_size=min(20, data.n), steps=200, lr=lr))
    st.markdown(f"RESULT {data.name} | n={data.n} | a={history.a[-1]:.5f} | "
                f"b={history.b[-1]:.5f} | x0={float(data.x[0]):.5f}")


def result(at: AppTest) -> dict[str, str]:
    assert not at.exception, [e.value for e in at.exception]
    (line,) = [m.value for m in at.markdown if m.value.startswith("RESULT")]
    name, *fields = line.removeprefix("RESULT ").split(" | ")
    return {"name": name, **dict(f.split("=") for f in fields)}


def upload(at: AppTest, name: str, raw: bytes) -> AppTest:
    return at.file_uploader(key="data_upload").set_value((name, raw, "text/csv")).run()


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_function(harness, default_timeout=60).run()
    assert result(app)["name"] == "synthetic"
    return app


def test_builtin_sets_each_train_to_their_least_squares_line(at):
    at.sidebar.radio(key="data_source").set_value("builtin").run()
    for key in BUILTINS:
        at.sidebar.selectbox(key="data_builtin").set_value(key).run()
        got = result(at)
        spec = BUILTINS[key]
        data = datasets.builtin_data(key)
        assert got["name"] == data.name and got["name"].endswith(f"{spec.x_label} → {spec.y}")
        assert int(got["n"]) == data.n
        assert [c.value for c in at.caption][0] == spec.about("en")


def test_upload_trains_on_the_file_and_survives_reruns(at):
    at.sidebar.radio(key="data_source").set_value("upload").run()
    assert result(at)["name"] == "synthetic" and at.info  # nothing uploaded yet
    upload(at, "people.csv", GOOD)
    got = result(at)
    assert got["name"] == "people.csv: height → weight" and got["n"] == "5"
    # Standardized x, fitted by the least-squares line of the raw columns.
    x = np.array([150, 160, 170, 180, 190.0])
    y = np.array([50, 56, 66, 71, 80.0])
    slope, intercept = np.polyfit(x, y, 1)
    assert float(got["a"]) == pytest.approx(slope * x.std(ddof=1), rel=1e-4)
    assert float(got["b"]) == pytest.approx(y.mean(), rel=1e-4)
    at.run()
    assert result(at) == got
    at.sidebar.radio(key="data_source").set_value("synthetic").run()
    assert result(at)["name"] == "synthetic"
    at.sidebar.radio(key="data_source").set_value("upload").run()
    assert result(at) == got  # the uploader is empty again, the data is not
    assert any("people.csv" in c.value for c in at.caption)


def test_columns_and_standardize_switch(at):
    at.sidebar.radio(key="data_source").set_value("upload").run()
    upload(at, "people.csv", GOOD)
    assert at.sidebar.selectbox(key="data_x").options == ["height", "weight"]
    assert at.sidebar.selectbox(key="data_y").options == ["weight"]  # never y = x
    at.sidebar.selectbox(key="data_x").set_value("weight").run()
    assert result(at)["name"] == "people.csv: weight → height"
    at.sidebar.toggle(key="data_standardize").set_value(False).run()
    assert float(result(at)["x0"]) == 50.0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_bad_file_says_why_and_keeps_the_previous_data(at, lang):
    at.session_state["test_lang"] = lang
    at.sidebar.radio(key="data_source").set_value("upload").run()
    upload(at, "people.csv", GOOD)
    good = result(at)
    bad = {n: c for n, c in CORPUS.items() if c.error and _error(c.raw) is not None}
    assert len(bad) >= 25
    for name, case in bad.items():
        upload(at, f"{name}.csv", case.raw)
        error = _error(case.raw)
        assert error is not None and error.message.key == case.error, name
        assert [e.value for e in at.error] == [error.text(lang)], name
        assert result(at) == good, name
    upload(at, "people.csv", GOOD)
    assert not at.error and result(at) == good  # and it still works afterwards


def test_a_bad_file_after_an_unfittable_one_says_only_its_own_fault(at):
    # a reviewer: one usable row, then a file with no numbers: the sidebar showed both
    # complaints, the first file's table still being fitted under the second file's name
    at.sidebar.radio(key="data_source").set_value("upload").run()
    upload(at, "one_row.csv", CORPUS["one_usable_row"].raw)
    assert [e.value for e in at.error] == [_error(CORPUS["one_usable_row"].raw).text("en")]
    upload(at, "text.csv", CORPUS["text_only"].raw)
    assert [e.value for e in at.error] == [_error(CORPUS["text_only"].raw).text("en")]
    assert result(at)["name"] == "synthetic"  # nothing fitted yet: the notebook's data
    assert [t.value for t in at.toast] == [_error(CORPUS["text_only"].raw).text("en")]
    # after a good file, a bad one keeps it, and so does clearing the bad one
    upload(at, "people.csv", GOOD)
    good = result(at)
    upload(at, "one_row.csv", CORPUS["one_usable_row"].raw)
    upload(at, "text.csv", CORPUS["text_only"].raw)
    assert len(at.error) == 1 and result(at) == good
    at.file_uploader(key="data_upload").clear().run()
    assert not at.error and result(at)["a"] == good["a"]


def test_bad_column_choice_says_why_and_keeps_the_data(at):
    at.sidebar.radio(key="data_source").set_value("upload").run()
    upload(at, "people.csv", GOOD)
    good = result(at)
    upload(at, "flat.csv", b"x,y,z\n1,2,3\n1,3,5\n1,4,8\n")
    assert [e.value for e in at.error] == [DataError("constant_x", x="x", value=1.0).text("en")]
    assert result(at) == good
    at.sidebar.selectbox(key="data_y").set_value("z").run()
    at.sidebar.selectbox(key="data_x").set_value("y").run()
    assert not at.error and result(at)["name"] == "flat.csv: y → z"
    at.sidebar.selectbox(key="data_x").set_value("z").run()  # x takes y's column: they swap
    assert result(at)["name"] == "flat.csv: z → y"


def test_notices_count_what_was_left_out(at):
    at.session_state["test_lang"] = "zh"
    at.sidebar.radio(key="data_source").set_value("upload").run()
    upload(at, "gaps.csv", GOOD + b"200,,f\n,90,g\n")
    assert result(at)["n"] == "5"
    (warning,) = [w.value for w in at.warning]
    assert "7 行中有 2 行" in warning


def _error(raw: bytes) -> DataError | None:
    """What the view should say about this file with its first guess of columns."""
    try:
        table = read_csv(raw)
        to_data(table, *_guess_columns(table))
    except DataError as e:
        return e
    return None


# ---------------------------------------------------------------- the real browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("browser test: /usr/bin/chromium is not installed")
    script = tmp_path_factory.mktemp("app") / "harness_app.py"
    script.write_text(inspect.getsource(harness) + "\n\nharness()\n")  # the same stand-in
    with streamlit_server(script) as url:
        yield url


@pytest.mark.browser
def test_real_upload_control(server, tmp_path, chromium):
    from playwright.sync_api import expect

    # Just over the app's limit, under the server's cap: the app must say so itself.
    big = b"x,y\n" + b"1,2\n" * ((datasets.MAX_MB * 2**20) // 4 + 100)
    files = {"people.csv": GOOD, "picture.csv": CORPUS["png_renamed"].raw,
             "gbk.csv": CORPUS["gbk_chinese"].raw, "empty.csv": b"", "big.csv": big}
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
    page = chromium.new_page()
    page.set_default_timeout(90_000)  # a loaded CI machine is slow, not wrong
    try:
        page.goto(server)
        result_line = page.get_by_text("RESULT", exact=False)
        expect(result_line).to_contain_text("synthetic", timeout=60_000)
        page.get_by_text("Your CSV file").click()
        file_input = page.locator("[data-testid='stFileUploader'] input[type='file']")
        file_input.set_input_files(str(tmp_path / "people.csv"))
        expect(result_line).to_contain_text("people.csv: height → weight", timeout=30_000)
        for name, key in (("picture.csv", "binary_image"), ("empty.csv", "empty")):
            file_input.set_input_files(str(tmp_path / name))
            message = DataError(key).text("en")
            expect(page.get_by_test_id("stAlertContentError").get_by_text(message)).to_be_visible(
                timeout=30_000)
            expect(result_line).to_contain_text("people.csv: height → weight")
        file_input.set_input_files(str(tmp_path / "big.csv"))
        message = DataError("too_big", mb=len(big) / 2**20, limit=datasets.MAX_MB).text("en")
        expect(page.get_by_test_id("stAlertContentError").get_by_text(message)).to_be_visible(
            timeout=60_000)
        expect(result_line).to_contain_text("people.csv: height → weight")
        file_input.set_input_files(str(tmp_path / "gbk.csv"))
        expect(result_line).to_contain_text("gbk.csv: 身高 → 体重", timeout=30_000)
        expect(page.get_by_text("encoding GBK", exact=False)).to_be_visible()
    finally:
        page.close()
