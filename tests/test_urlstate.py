"""URL state: every setting round-trips; malformed links never raise and say what they drop."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from urllib.parse import parse_qs, quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgdlab import i18n, urlstate
from sgdlab.config import MAX_STEPS, DataConfig, TrainConfig, spec
from sgdlab.data import make_data
from sgdlab.urlstate import MAX_MICRO_STEPS, MAX_PARAMS, MAX_POINT_STEPS, parse, to_query

VIEWS = ("fit", "loss", "params")
PRESETS = ("notebook", "full_batch")
FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def from_url(query: str) -> urlstate.UrlState:
    """What the app sees: the query string parsed the way Streamlit parses it."""
    return parse(parse_qs(query.lstrip("?"), keep_blank_values=True), views=VIEWS,
                 presets=PRESETS)


def all_settings() -> list[tuple[type, str]]:
    return [(cls, f.name) for cls in (DataConfig, TrainConfig) for f in fields(cls)]


def test_settings_are_every_config_field() -> None:
    assert sorted(urlstate.SETTINGS) == sorted(name for _, name in all_settings())


# ------------------------------------------------------------- valid values

def valid(cls: type, name: str) -> st.SearchStrategy:
    s = spec(cls, name)
    default = getattr(cls(), name)
    if isinstance(default, bool):
        return st.booleans()
    if s.choices:
        return st.sampled_from(s.choices)
    if isinstance(default, int):
        return st.integers(int(s.lo), int(s.hi))
    return st.floats(s.lo, s.hi, allow_nan=False, allow_infinity=False)


@st.composite
def configs(draw: st.DrawFn) -> tuple[DataConfig, TrainConfig]:
    """Any valid pair that a link may carry (within the work caps)."""
    values = {name: draw(valid(cls, name)) for cls, name in all_settings()}
    lo, hi = sorted((values["x_min"], values["x_max"]))
    if hi - lo < 1e-3 * max(1.0, abs(lo), abs(hi)):
        lo, hi = -1.0, 1.0
    values["x_min"], values["x_max"] = lo, hi
    n = values["n"]
    batch = draw(st.integers(1, n))
    divisors = [k for k in range(1, min(batch, 1024) + 1) if batch % k == 0]
    accumulation = draw(st.sampled_from(divisors))
    most = min(MAX_STEPS, MAX_POINT_STEPS // batch, MAX_MICRO_STEPS // accumulation)
    values.update(batch_size=batch, accumulation=accumulation,
                  steps=draw(st.integers(1, most)))
    data = DataConfig(**{f.name: values[f.name] for f in fields(DataConfig)})
    train = TrainConfig(**{f.name: values[f.name] for f in fields(TrainConfig)})
    return data, train


@settings(FUZZ, max_examples=150)
@given(configs(), st.booleans(), st.data())
def test_every_setting_round_trips(pair: tuple[DataConfig, TrainConfig], everything: bool,
                                   data: st.DataObject) -> None:
    d, t = pair
    names = sorted(urlstate.SETTINGS)
    extra = dict(lang=data.draw(st.sampled_from(("zh", "en"))),
                 step=data.draw(st.integers(1, t.steps)), view=data.draw(st.sampled_from(VIEWS)),
                 locked=data.draw(st.sets(st.sampled_from(names))),
                 hidden=data.draw(st.sets(st.sampled_from(names))))
    query = to_query(d, t, defaults=None if everything else (DataConfig(), TrainConfig()),
                     **extra)
    state = from_url(urlstate.query_string(query))
    assert state.notices == ()
    assert (state.data, state.train) == (d, t)
    assert (state.lang, state.step, state.view) == (extra["lang"], extra["step"], extra["view"])
    assert (state.locked, state.hidden) == (extra["locked"], extra["hidden"])


def test_defaults_make_an_empty_link_and_an_empty_link_the_defaults() -> None:
    assert to_query(DataConfig(), TrainConfig()) == {}
    state = from_url("")
    assert (state.data, state.train, state.notices) == (DataConfig(), TrainConfig(), ())


# ------------------------------------------------------------- malformed links

JUNK = ["abc", "nan", "NaN", "inf", "-Infinity", "1e999", "-1e999", "", "   ", "0x1F", "1,5",
        "--1", "1.2.3", "∞", "9" * 80, "%zz", "<script>", "None", "[1]", "1/2", "一"]


def bad_values(cls: type, name: str) -> st.SearchStrategy[str]:
    """Values this setting must refuse (or clamp), each with a notice."""
    s = spec(cls, name)
    default = getattr(cls(), name)
    if isinstance(default, bool):
        return st.sampled_from(["maybe", "2", "", "yes please", "tru", "x" * 70])
    if s.choices:
        return st.sampled_from(["SGD!", "", "adam2", "sequentially", "x" * 70, "1"])
    out: list[st.SearchStrategy[str]] = [st.sampled_from(JUNK)]
    if s.lo is not None:
        out.append(st.floats(-1e300, s.lo, exclude_max=True).map(repr))
    if s.hi is not None:
        out.append(st.floats(s.hi, 1e300, exclude_min=True).map(repr))
    if isinstance(default, int):
        out.append(st.integers(int(s.lo), int(s.hi) - 1).map(lambda k: f"{k}.5"))
    return st.one_of(out)


KNOWN = set(urlstate.SETTINGS) | set(urlstate.EXTRA) | urlstate.IGNORED


@st.composite
def malformed(draw: st.DrawFn) -> tuple[str, dict[str, object], set[str]]:
    """A query string, the good settings in it, and the keys that are bad."""
    good: dict[str, object] = {}
    bad: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for cls, name in draw(st.lists(st.sampled_from(all_settings()), unique=True, max_size=12)):
        if draw(st.booleans()):
            value = draw(bad_values(cls, name))
            bad.add(name)
        else:
            typed = draw(valid(cls, name))
            value = urlstate._fmt(typed)
            good[name] = typed  # the value itself, to check the parser against
        pairs.append((name, value))
    extras = {"lang": ["fr", "", "zh-TW-x-very-wrong-" + "z" * 60, "中文", "<script>"],
              "step": ["-3", "abc", "nan", "2.5", "1e999", "", "0"],
              "view": ["nope", "", "LOSS", "fit2", "x" * 300], "preset": ["nope", "", "../etc"],
              "lock": ["foo", "lr,foo", ",,bar", "everything"],
              "hide": ["nonsense", "noise,zz", "lr,,x"]}
    for key in draw(st.lists(st.sampled_from(sorted(extras)), unique=True, max_size=3)):
        pairs.append((key, draw(st.sampled_from(extras[key]))))
        bad.add(key)
    unknown = st.one_of(st.text(min_size=1, max_size=80), st.text(min_size=200, max_size=2000),
                        st.sampled_from(["lR", "batch-size", "🙂", "Lock", "STEP"])
                        ).filter(lambda k: k.strip() not in KNOWN)
    for key in draw(st.lists(unknown, max_size=3)):
        pairs.append((key, draw(st.sampled_from(JUNK))))
    if draw(st.integers(0, 9)) == 0:  # now and then, far too many parameters
        pairs += [(f"junk{i}", "1") for i in range(MAX_PARAMS + 5)]
    order = draw(st.permutations(pairs))
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe=',')}" for k, v in order)
    if draw(st.booleans()):
        query = draw(st.sampled_from(["&&", "=x&", "&=&", "%&", "a=b=c&"])) + query
    return query, good, bad


@FUZZ
@given(malformed())
def test_malformed_links_never_raise_and_always_say_why(case: tuple[str, dict, set]) -> None:
    query, good, bad = case
    params = parse_qs(query, keep_blank_values=True)
    state = parse(params, views=VIEWS, presets=PRESETS)
    d, t = state.data, state.train

    # Everything that comes out can run, quickly.
    assert t.batch_size <= d.n and t.batch_size % t.accumulation == 0
    assert t.steps * t.batch_size <= MAX_POINT_STEPS and t.steps * t.accumulation <= MAX_MICRO_STEPS
    assert make_data(d).n == d.n  # x range wide enough, every value finite
    assert state.step is None or 0 <= state.step <= t.steps
    assert state.lang in (None, "zh", "en") and state.view in (None, *VIEWS)
    assert state.locked <= set(urlstate.SETTINGS) and state.hidden <= set(urlstate.SETTINGS)

    # Each bad value leaves a notice naming it (or one for the parameters cut off).
    processed = [k for k in params if k.lower() not in urlstate.IGNORED][:MAX_PARAMS]
    noticed = {n.key for n in state.notices} | {
        n.key.split("=")[0] for n in state.notices if n.key.startswith(("lock=", "hide="))}
    cut = any(n.reason == "too_many" for n in state.notices)
    for key in bad:
        assert key in noticed or (cut and key not in processed), (key, state.notices)
    for key in processed:
        if key not in KNOWN:
            assert key in noticed or urlstate._short(key) in noticed
    # Each good value comes through as the value that was written, unless a notice says why not.
    for key, typed in good.items():
        if key not in noticed and key in processed:
            assert state.values()[key] == typed, (key, typed)
    for n in state.notices:
        for lang in ("zh", "en"):
            assert n.key[:10] in n.text(lang) or len(n.key) > 24


@FUZZ
@given(malformed(), st.sampled_from(["zh", "en"]))
def test_a_parsed_link_written_back_is_clean_and_the_same(case: tuple[str, dict, set],
                                                          lang: str) -> None:
    """What the app writes into the address bar after any link (to_query of the parsed
    state) parses to that same state, with no notice: a copied address is clean."""
    state = parse(parse_qs(case[0], keep_blank_values=True), views=VIEWS, presets=PRESETS)
    query = to_query(state.data, state.train, lang=state.lang or lang, step=state.step,
                     view=state.view, preset=state.preset, locked=state.locked,
                     hidden=state.hidden)
    again = from_url(urlstate.query_string(query))
    assert again.notices == ()
    assert (again.data, again.train, again.step, again.view, again.preset) == (
        state.data, state.train, state.step, state.view, state.preset)
    assert (again.locked, again.hidden, again.lang) == (state.locked, state.hidden,
                                                        state.lang or lang)


# ------------------------------------------------------------- specific cases

def reasons(state: urlstate.UrlState) -> dict[str, str]:
    return {n.key: n.reason for n in state.notices}


@pytest.mark.parametrize(("query", "name", "expect", "reason"), [
    ("lr=100", "lr", 10.0, "out_of_range"),
    ("lr=0", "lr", 1e-6, "out_of_range"),
    ("lr=-5", "lr", 1e-6, "out_of_range"),
    ("batch_size=0", "batch_size", 1, "out_of_range"),
    ("seed=-1", "seed", 0, "out_of_range"),
    ("seed=3.5", "seed", 3, "not_integer"),
    ("seed=-0.5", "seed", 0, "not_integer"),
    ("momentum=2", "momentum", 0.999, "out_of_range"),
    ("noise=1e999", "noise", 1.0, "not_finite"),
    ("noise=nan", "noise", 1.0, "not_finite"),
    ("steps=lots", "steps", 20, "not_number"),
    ("sampling=random", "sampling", "sequential", "not_choice"),
    ("standardize=maybe", "standardize", True, "not_bool"),
    ("lr=" + "1" * 100, "lr", 0.1, "too_long"),
    ("lr=", "lr", 0.1, "empty"),
])
def test_bad_values_are_clamped_or_dropped(query: str, name: str, expect: object,
                                           reason: str) -> None:
    state = from_url(query)
    got = getattr(state.data if name in {f.name for f in fields(DataConfig)} else state.train,
                  name)
    assert got == expect and reasons(state)[name] == reason


def test_forgiving_spellings_are_accepted_silently() -> None:
    state = from_url("sampling=Shuffle&standardize=0&lr=%200.5%20&steps=3e1&lang=en-US")
    assert state.notices == ()
    assert (state.train.sampling, state.data.standardize) == ("shuffle", False)
    assert (state.train.lr, state.train.steps, state.lang) == (0.5, 30, "en")


def test_repeated_parameters_keep_the_last_and_say_so() -> None:
    state = from_url("lr=0.5&lr=0.7")
    assert state.train.lr == 0.7 and reasons(state) == {"lr": "repeated"}


def test_combinations_that_cannot_run_are_fixed() -> None:
    state = from_url("n=50&batch_size=80&accumulation=7")
    assert (state.train.batch_size, state.train.accumulation) == (50, 5)
    assert reasons(state) == {"batch_size": "batch_gt_n", "accumulation": "accumulation_divides"}
    state = from_url("x_min=5&x_max=5")
    assert state.data.x_max > state.data.x_min and "x_max" in reasons(state)
    state = from_url("x_min=1000000&x_max=-1000000")
    assert make_data(state.data).n == 200 and "x_min" in reasons(state)
    for x_min in ("199801", "-5e5", "999999", "0"):  # the range fixed is wide enough itself
        state = from_url(f"x_min={x_min}&x_max=-1e6")
        assert urlstate.wide_enough(state.data.x_min, state.data.x_max), x_min


def test_no_link_starts_a_huge_job() -> None:
    top = {name: str(spec(cls, name).hi) for cls, name in all_settings()
           if spec(cls, name).hi is not None}
    state = parse(top)
    t = state.train
    assert t.steps * t.batch_size <= MAX_POINT_STEPS and t.steps * t.accumulation <= MAX_MICRO_STEPS
    assert reasons(state)["steps"] == "too_much_work"
    assert parse({"steps": "10000", "accumulation": "1024", "batch_size": "1024",
                  "n": "1024"}).train.steps == MAX_MICRO_STEPS // 1024


def test_step_beyond_the_run_is_clamped() -> None:
    state = from_url("steps=30&step=99")
    assert state.step == 30 and reasons(state) == {"step": "step_gt_steps"}


def test_teacher_lists() -> None:
    state = from_url("lock=lr,batch_size&hide=noise&hide=seed")
    assert state.locked == {"lr", "batch_size"} and state.hidden == {"noise", "seed"}
    assert from_url("lock=all").locked == set(urlstate.SETTINGS)
    assert to_query(DataConfig(), TrainConfig(), locked=urlstate.SETTINGS)["lock"] == "all"
    assert reasons(from_url("lock=lr,wings")) == {"lock=wings": "unknown_name"}


def test_unknown_and_streamlit_parameters() -> None:
    assert reasons(from_url("wings=2")) == {"wings": "unknown_name"}
    assert from_url("embed=true&embed_options=light_theme").notices == ()
    state = from_url("&".join(f"p{i}=1" for i in range(200)))
    assert [n.reason for n in state.notices].count("too_many") == 1
    assert len(state.notices) == 1 + MAX_PARAMS  # the first MAX_PARAMS are each unknown


def test_preset_and_view_names_are_checked() -> None:
    state = from_url("preset=full_batch&view=params")
    assert (state.preset, state.view, state.notices) == ("full_batch", "params", ())
    assert set(reasons(from_url("preset=nope&view=nope"))) == {"preset", "view"}


def test_floats_are_written_so_they_parse_back_exactly() -> None:
    for value in (0.1, 1 / 3, 2.0605720392015717e-05, 1e-6):
        assert float(urlstate._fmt(value)) == value
    assert math.isclose(from_url(urlstate.query_string({"lr": repr(1 / 3)})).train.lr, 1 / 3,
                        rel_tol=0)


def test_the_class_boards_parameters_are_known_and_leave_no_notice() -> None:
    state = urlstate.parse({"room": "AB12", "lock": "lr", "board": "1", "teacher": "k-y_9",
                            "lr": "0.3"})
    assert state.notices == ()
    assert state.locked == {"lr"} and state.train.lr == 0.3
    # they are not settings: a link written back from the state does not invent them
    assert not set(urlstate.to_query(state.data, state.train)) & set(urlstate.PASSED)


def code_spans(markdown: str) -> tuple[list[str], str]:
    """The code spans of a line of Markdown (CommonMark's rule: a backtick run closes at the
    next run of the same length) and the text outside them, a NUL where each span was."""
    spans, outside, i = [], [], 0
    while i < len(markdown):
        if markdown[i] != "`":
            outside.append(markdown[i])
            i += 1
            continue
        run = len(markdown[i:]) - len(markdown[i:].lstrip("`"))
        fence = "`" * run
        end = markdown.find(fence, i + run)
        while end != -1 and markdown[end + run:end + run + 1] == "`":
            end = markdown.find(fence, end + len(markdown[end:]) - len(markdown[end:].lstrip("`")))
        if end == -1:
            outside.append(fence)
            i += run
            continue
        body = markdown[i + run:end]
        if body.startswith(" ") and body.endswith(" ") and body.strip(" "):
            body = body[1:-1]
        spans.append(body)
        outside.append("\0")
        i = end + run
    return spans, "".join(outside)


# ------------------------------------------------------------- shown as written

@settings(FUZZ, max_examples=200)
@given(st.text(max_size=40))
def test_markdown_literal_is_one_code_span_of_the_text(text: str) -> None:
    spans, outside = code_spans(i18n.markdown_literal(text))
    assert outside == "\0"
    assert spans == [re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                            "\ufffd", text) or " "]


@settings(FUZZ, max_examples=200)
@given(st.text(min_size=1, max_size=30), st.text(max_size=30),
       st.sampled_from(sorted(urlstate.SETTINGS) + ["lock", "step", "view"]))
def test_a_notice_in_markdown_holds_the_link_s_words_only_in_code(key: str, value: str,
                                                                 setting: str) -> None:
    """Whatever a link says, its words reach a notice's Markdown only as code spans: the
    rest is the notice's own sentence."""
    state = parse({key: [value, value], setting: value}, views=VIEWS, presets=PRESETS)
    for n in state.notices:
        for lang in ("en", "zh"):
            spans, outside = code_spans(n.markdown(lang))
            assert outside == n._sentence(lang, lambda _: "\0", lambda _: "\0")
