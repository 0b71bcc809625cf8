"""The live view as data: three panels for the run on screen, and every run of its family.

    blob = live_view(fam, "en", step=20)      # bytes for sgdlab/ui/live_view.js

The browser draws the three panels of the run on screen from their plotly specs as
they are. Scrubbing the rate, stepping and playing change only the traces that move
(the batch, the fitted line, the loss curves, the path and the two markers) and a few
axis settings: the browser rebuilds those from each member's arrays, with no server
round trip. What every member needs that only Python knows (its title, its warning,
its axes) comes along per member.

Members of long runs are sampled (every step of the first ones, then evenly, and every
step the player can show); the run on screen always comes whole, for its step table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sgdlab import i18n, theory
from sgdlab.config import choice_label
from sgdlab.family import Family
from sgdlab.figures import fit, loss, params
from sgdlab.figures.encode import encode, pack
from sgdlab.figures.layout import arrange
from sgdlab.figures.theme import NO_TEMPLATE, Ghosts, base_layout
from sgdlab.history import History

MAX_FRAMES = 200  # steps the player and the step slider stop on, for long runs
WHOLE_UP_TO = 600  # members of runs up to this many steps come whole; longer ones sampled
HEAD = 300  # a sampled member keeps every one of its first steps (where most happens) ...
SPREAD = 300  # ... and this many more, evenly over the rest
BATCH_SHOWN = 200  # batch points drawn per playable step when batches are random
PANEL_HEIGHT = {"fit": 330, "params": 330, "loss": 300}  # px; the page lays the panels out

TEXT: i18n.Text = {
    "run_title": ("lr = {lr} · batch = {batch} · {steps} steps",
                  "学习率 = {lr} · 批次大小 = {batch} · {steps} 步"),
    "diverged": ("diverged at step {step}", "第 {step} 步发散"),
    "accumulation": ("gradient accumulated over {k}", "梯度分 {k} 次累积"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def run_title(history: History, lang: str) -> str:
    """lr, batch and steps, then each training choice that is not the notebook's (momentum,
    Adam or a schedule change the run as much as the rate does), and where it diverged."""
    c = history.config
    words = tr("run_title", lang, lr=f"{c.lr:g}", batch=c.batch_size, steps=c.steps)
    if c.optimizer != "sgd":
        words += " · " + choice_label(c.optimizer, lang)
        if c.optimizer in ("momentum", "nesterov"):
            words += f" {c.momentum:g}"
    for name, plain in (("sampling", "sequential"), ("schedule", "constant")):
        if getattr(c, name) != plain:
            words += " · " + choice_label(getattr(c, name), lang)
    if c.accumulation > 1:
        words += " · " + tr("accumulation", lang, k=c.accumulation)
    if history.diverged_at is not None:
        words += " · ⚠ " + tr("diverged", lang, step=history.diverged_at)
    return words


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """1-based steps the player stops on: all, or an even subsample that keeps the last."""
    if steps <= max_frames:
        return np.arange(1, steps + 1)
    return np.unique(np.linspace(1, steps, max_frames).round().astype(int))


def playable(fam: Family, step: int) -> np.ndarray:
    """The steps the step slider and the player stop on, for every member: the frames, the
    committed step, and where each member stopped (a diverged run's last step)."""
    steps = fam.members[0].config.steps  # (the same for every member)
    ends = [m.steps for m in fam.members if 0 < m.steps < steps]
    return np.union1d(frame_steps(steps), [step, *ends]).astype(np.int64)


def samples(steps: int, keep: np.ndarray) -> np.ndarray | None:
    """The steps a sampled member keeps (None: all of them)."""
    if steps <= WHOLE_UP_TO:
        return None
    spread = np.linspace(1, steps, SPREAD).round().astype(np.int64)
    # with each stop the step before it: the arrows of a step start where it started
    stops = np.union1d(keep, keep[keep > 1] - 1)
    return np.union1d(np.union1d(np.arange(1, HEAD + 1), spread), stops)


def _index_kind(top: int) -> type:
    return np.uint16 if top < 2**16 else np.uint32


def _member(history: History, lang: str, name: str, kept: np.ndarray | None,
            whole: bool, warning: str | None, arrays: dict[str, np.ndarray],
            ghosts: Ghosts) -> dict[str, Any]:
    """One member's header, its arrays added to ``arrays`` under ``name``."""
    s = history.steps
    take = np.arange(s) if kept is None or whole else (
        np.union1d(kept[kept <= s], [s]) - 1 if s else np.zeros(0, dtype=np.int64))
    f4 = np.float32
    arrays[f"{name}.a"] = history.a[take].astype(f4)
    arrays[f"{name}.b"] = history.b[take].astype(f4)
    arrays[f"{name}.bl"] = history.batch_loss[take].astype(f4)
    arrays[f"{name}.ga"] = history.grad_a[take].astype(f4)
    arrays[f"{name}.gb"] = history.grad_b[take].astype(f4)
    full = kept is None or whole
    if not full:
        arrays[f"{name}.t"] = (take + 1).astype(_index_kind(s + 1))
    x_lin, y_lin = (_patch(ax) for ax in loss.axes(history, lang, log_y=False))
    y_log = _patch(loss.axes(history, lang, log_y=True)[1])
    box = params.landscape_box(history, ghosts)
    return {"lr": history.config.lr, "steps": s, "diverged_at": history.diverged_at,
            "whole": full, "title": run_title(history, lang), "warning": warning,
            "forced_log": loss.forced_log(history), "loss_x": x_lin,
            "loss_y": {"linear": y_lin, "log": y_log}, "box": [box[0], box[1]],
            "modes": {"loss": loss.mode(s), "path": params.mode(s)}}


def _patch(axis: dict[str, Any]) -> dict[str, Any]:
    """What of a loss axis differs between members: the rest comes with the panel."""
    out: dict[str, Any] = {k: axis[k] for k in ("type", "range", "dtick", "exponentformat")
                           if k in axis}
    return {**out, "title": {"text": axis["title"]["text"]}}


def _panels(history: History, fam: Family, step: int, lang: str, log_y: bool,
            ghosts: Ghosts, true_line: tuple[float, float] | None) -> dict[str, Any]:
    """The three panels of the run on screen as plotly specs, each trace's role named."""
    boxes = [params.landscape_box(m, ghosts) for m in fam.members if m.steps]
    box = params.landscape_box(history, ghosts)
    heights = params.levels(history.data, [box, *boxes])
    panels = {"fit": fit.fit_panel(history, step, lang, true_line),
              "loss": loss.loss_panel(history, step, lang, log_y or loss.forced_log(history),
                                      ghosts),
              "params": params.params_panel(history, step, lang, ghosts, box, heights)}
    out = {}
    for name, (traces, xaxis, yaxis) in panels.items():
        if name == "params":
            yaxis = {**yaxis, **params.equal_scale(history.data, "x")}
        layout = arrange(base_layout(height=PANEL_HEIGHT[name]), None, place="top")
        layout.update(xaxis=xaxis, yaxis=yaxis, template=NO_TEMPLATE,
                      uirevision=name)  # a zoom survives a new run: plotly keeps it
        out[name] = encode({"data": traces, "layout": layout})
    return out


def live_view(fam: Family, lang: str, step: int, log_y: bool = False, ghosts: Ghosts = (),
              true_line: tuple[float, float] | None = None,
              warnings: Sequence[str | None] = (), key: str = "",
              extra: dict[str, Any] | None = None) -> bytes:
    """The packed description of the live view (see :func:`sgdlab.figures.encode.pack`).

    ``step``: the step on screen (1-based) of the run at ``fam.values[fam.current]``;
    ``warnings``: each member's warning (:func:`sgdlab.diagnosis.warning`); ``key`` names
    the family, so the browser keeps what it decoded while only the step or the rate on
    screen change; ``extra`` goes into the header as it is (the page's words, say).

    A family of one member (``lone``) is the run on screen alone: the server draws each
    rate the reader chooses.
    """
    lone = len(fam.members) != len(fam.values)
    current = fam.members[0 if lone else fam.current]
    data = current.data
    x, y = data.xy64
    opt = theory.least_squares(data)
    c = current.config
    step = int(min(max(step, 1), max(current.steps, 1)))
    stops = playable(fam, step)
    kept = samples(c.steps, stops)
    arrays: dict[str, np.ndarray] = {}
    warnings = list(warnings) or [None] * len(fam.members)
    members = [_member(m, lang, f"m{i}", kept, m is current, warnings[i], arrays, ghosts)
               for i, m in enumerate(fam.members)]
    arrays["x"], arrays["y"] = x.astype(np.float32), y.astype(np.float32)
    arrays["stops"] = stops.astype(_index_kind(int(stops.max()) + 1))
    mx, my = x.mean(), y.mean()
    dx, dy = x - mx, y - my
    arrays["stats"] = np.array([mx, my, (dx * dx).mean(), (dx * dy).mean(), (dy * dy).mean()])
    if c.schedule != "constant":  # the rate at each step over the base rate
        longest = max(fam.members, key=lambda m: m.steps)
        arrays["factors"] = longest.lr / longest.config.lr
    batches: dict[str, Any] = {"kind": "window", "size": c.batch_size,
                               "shown": fit.MAX_POINTS_SHOWN}
    if c.sampling != "sequential":
        longest = max(fam.members, key=lambda m: m.steps)
        rows = [fit.batch_shown(longest, int(s))[:BATCH_SHOWN] for s in stops
                if s <= longest.steps]
        width = max((len(r) for r in rows), default=0)
        table = np.full((len(rows), width), data.n, dtype=np.int64)  # n: no point
        for i, r in enumerate(rows):
            table[i, :len(r)] = r
        arrays["batches"] = table.ravel().astype(_index_kind(data.n + 1))
        batches = {"kind": "table", "size": c.batch_size, "width": width,
                   "replacement": c.sampling == "replacement"}
    header = {
        "v": 1, "key": key, "lang": lang, "n": data.n, "setting": fam.setting,
        "values": list(fam.values), "current": fam.current, "step": step, "log_y": log_y,
        "steps": c.steps, "batches": batches, "opt": [opt.a, opt.b, opt.loss],
        "x_range": fit.ranges(data)[0], "members": members,
        "panels": _panels(current, fam, step, lang, log_y, ghosts, true_line), "lone": lone,
        **(extra or {}),
    }
    return pack(header, arrays)
