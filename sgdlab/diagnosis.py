"""What is wrong with a run that diverged or is heading there, and its cure, in words.

    warning(train(DataConfig(), TrainConfig(lr=10)), "en")
    # 'Training diverged at step 1: ... Cure: a smaller learning rate. ...'

The cure's rate comes from the run's own batches: gradient descent on all the data
tolerates up to 2 / lambda_max, but a step on an ordered batch from one end of x sees a
steeper loss, so a rate below the full-data limit can still blow up. Plain SGD's limits
from the curvature do not cover momentum, Nesterov or the adaptive optimizers: their cure
names a rate found by training (:func:`sgdlab.sweep.tried_rates`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sgdlab import i18n
from sgdlab.config import TrainConfig, choice_label, spec
from sgdlab.history import History
from sgdlab.sweep import (
    TRIED_HALVINGS,
    Bounds,
    TriedRate,
    stability_bounds,
    tried_rates,
    tried_steps,
)

TEXT: i18n.Text = {
    "diverged": ("Training diverged at step {step}: the loss blew up, so the run is shown "
                 "up to step {last}. ",
                 "训练在第 {step} 步发散：损失爆炸，所以只显示到第 {last} 步。"),
    "diverged_first": ("Training diverged at the first update: the loss blew up at once. ",
                       "训练在第一次更新就发散：损失立刻爆炸。"),
    "blowup": ("That update threw (a, b) from ({a0}, {b0}) to ({a}, {b}), and the whole-data "
               "loss from {before} to {after}. ",
               "这一步把 (a, b) 从 ({a0}, {b0}) 甩到了 ({a}, {b})，整体损失从 {before} "
               "变成了 {after}。"),
    "rising": ("The whole-data loss ends at {end:.3g}, above the {start:.3g} it started from "
               "(a = b = 0), after coming down to {low:.3g}: this run is heading for "
               "divergence. ",
               "整体损失最后是 {end:.3g}，比开始时(a = b = 0)的 {start:.3g} 还高，"
               "而中途曾降到 {low:.3g}：这次训练正在走向发散。"),
    # "no step blows up", not "safe": below that rate, in-order batch-1 SGD still circles
    # far from the optimum (loss 9.6 after 10,000 steps at 0.25, against a minimum of 1.1)
    "cure": ("Cure: a smaller learning rate; below {batch_lr:.3g} no step blows up. On all "
             "the data, "
             "gradient descent converges below {max_lr:.4g} (2 / largest eigenvalue of the "
             "loss's Hessian), but each step here sees a batch of {batch}, and the steepest "
             "batch this run uses is stable only below {batch_lr:.3g}.",
             "解决办法：减小学习率；小于 {batch_lr:.3g} 时，没有哪一步会让损失爆炸。"
             "在全部数据上，梯度下降在学习率小于 "
             "{max_lr:.4g}（2 / 损失的黑塞矩阵 H 的最大特征值）时收敛；但这里每一步只看到 {batch} "
             "个点的批次，本次训练用到的最陡的批次只在学习率小于 {batch_lr:.3g} 时稳定。"),
    "cure_full": ("Cure: a smaller learning rate. For these data, plain gradient descent "
                  "converges only for a learning rate below {max_lr:.4g} (2 / largest "
                  "eigenvalue of the loss's Hessian).",
                  "解决办法：减小学习率。对这些数据，梯度下降只有在学习率小于 {max_lr:.4g}"
                  "（2 / 损失的黑塞矩阵 H 的最大特征值）时才收敛。"),
    "cure_tried": ("Cure: a smaller learning rate. Tried by training at halved rates, "
                   "{lr:.3g} lasts {steps} steps of these batches without blowing up.",
                   "解决办法：减小学习率。把学习率逐次减半来试训练：{lr:.3g} 能在这些批次上"
                   "训练 {steps} 步而不发散。"),
    "not_sgd": (" (The limits from the loss's curvature, {batch_lr:.3g} for these batches, "
                "are plain SGD's: {optimizer} has its own.)",
                "(由损失曲率算出的上限，对这些批次是 {batch_lr:.3g}，只适用于普通 SGD；"
                "{optimizer} 有自己的上限。)"),
    "cure_none": ("Cure: a smaller learning rate; halving it {halvings} times was not "
                  "enough to last {steps} steps.",
                  "解决办法：减小学习率；把它减半 {halvings} 次仍不能稳定训练 {steps} 步。"),
    "standardize_hint": (" Or switch 'Standardize x' on, which makes much larger rates stable.",
                         "或者打开“归一化 x”，可以用大得多的学习率。"),
    "too_small": (" That is below the smallest rate this app offers ({lo:g}): switch "
                  "'Standardize x' on, and rates near 1 become stable.",
                  "这比本应用能设的最小学习率（{lo:g}）还小：请打开“归一化 x”，"
                  "学习率接近 1 也能稳定。"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def _limits(history: History, bounds: Bounds | None) -> tuple[float, float, bool]:
    """(full-batch limit, steepest batch's limit, whether the batch is the weaker)."""
    config = history.config
    bounds = bounds or stability_bounds(history.data, config, [config.batch_size])
    max_lr, batch_lr = bounds.full_batch, float(bounds.worst_batch[0])
    partial = config.batch_size < history.data.n and batch_lr < 0.999 * max_lr
    return max_lr, batch_lr, partial


def needs_tried_rate(history: History, bounds: Bounds | None = None) -> bool:
    """Does this run's cure name a rate found by training (theory does not explain it)?"""
    if not history.troubled:
        return False
    config = history.config
    max_lr, batch_lr, partial = _limits(history, bounds)
    return not (config.optimizer == "sgd" and config.lr > (batch_lr if partial else max_lr))


def warning(history: History, lang: str, tried: TriedRate | None = None,
            bounds: Bounds | None = None) -> str | None:
    """The warning for a run that diverged or is heading there (None for a calm run).

    ``tried`` is :func:`sgdlab.sweep.tried_rate` of the run when
    :func:`needs_tried_rate`; ``bounds``: :func:`sgdlab.sweep.stability_bounds` of its
    batch size, when the caller has them.
    """
    h, config = history, history.config
    if h.diverged_at is not None:
        head = tr("diverged" if h.steps else "diverged_first", lang, step=h.diverged_at,
                  last=h.steps) + blowup_text(h, lang)
    elif h.rising:
        head = tr("rising", lang, start=h.initial_total_loss, end=float(h.total_loss[-1]),
                  low=float(np.min(h.total_loss)))
    else:
        return None
    max_lr, batch_lr, partial = _limits(h, bounds)
    if not needs_tried_rate(h, bounds):
        cure = (tr("cure", lang, batch_lr=batch_lr, max_lr=max_lr, batch=config.batch_size)
                if partial else tr("cure_full", lang, max_lr=max_lr))
    else:
        cure = (tr("cure_none", lang, halvings=TRIED_HALVINGS, steps=tried_steps(config))
                if tried is None else tr("cure_tried", lang, lr=tried.lr, steps=tried.steps))
        if config.optimizer != "sgd":
            cure += tr("not_sgd", lang, batch_lr=min(batch_lr, max_lr),
                       optimizer=choice_label(config.optimizer, lang))
    raw_x = not h.data.standardized
    lowest = float(spec(TrainConfig, "lr").lo or 0.0)
    if raw_x and min(max_lr, batch_lr) < lowest:
        cure += tr("too_small", lang, lo=lowest)  # no rate on the slider would do
    elif raw_x:
        cure += tr("standardize_hint", lang)
    return head + cure


def blowup_text(history: History, lang: str) -> str:
    """What the diverging update did, in numbers: where it threw (a, b) and the loss.

    Empty when the history does not know.
    """
    if history.blowup is None:
        return ""
    a, b, after = history.blowup
    if history.steps:
        a0, b0 = float(history.a[-1]), float(history.b[-1])
        before = float(history.total_loss[-1])
    else:
        a0 = b0 = 0.0
        before = history.initial_total_loss
    return tr("blowup", lang, a0=_num(a0), b0=_num(b0), a=_num(a), b=_num(b),
              before=_num(before), after=_num(after))


def _num(value: float) -> str:
    """A number that may have blown up: 3 significant digits, or ∞ / NaN."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    return f"{value:.3g}"


def warnings(members: Sequence[History], langs: Sequence[str] = i18n.LANGS
             ) -> dict[str, list[str | None]]:
    """The warning of each of ``members`` (runs that differ only in the rate) in each
    language, the rates their cures name found by training in one batched call."""
    if not members:
        return {lang: [] for lang in langs}
    c = members[0].config
    bounds = stability_bounds(members[0].data, c, [c.batch_size])
    asking = [i for i, m in enumerate(members) if needs_tried_rate(m, bounds)]
    tried = dict(zip(asking, tried_rates(members[0].data, [members[i].config for i in asking]),
                     strict=True))
    return {lang: [warning(m, lang, tried.get(i), bounds) for i, m in enumerate(members)]
            for lang in langs}
