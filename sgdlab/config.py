"""Frozen settings for data and training: the single owner of every default.

Each field carries its meaning, range and labels in ``metadata`` (see
:func:`spec`), so the CLI flags, the sidebar widgets and the URL parameters
are all derived from here, never typed out again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

# Guards that protect a shared server from one user (and a laptop from a typo).
MAX_POINTS = 100_000
MAX_STEPS = 10_000
MAX_SEED = 2**31 - 1
DIVERGENCE_LOSS = 1e10  # a loss above this counts as diverged

SAMPLINGS = ("sequential", "shuffle", "replacement")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad")
SCHEDULES = ("constant", "step", "exponential", "cosine")
# How each choice of the choice settings reads, (English, Chinese): the menus,
# pinned-run labels and explanations use these, the CLI the code names.
CHOICE_LABELS: dict[str, tuple[str, str]] = {
    "sequential": ("in order (as the notebook)", "按顺序（同笔记本）"),
    "shuffle": ("reshuffled every epoch", "每轮重新打乱"),
    "replacement": ("drawn with replacement", "有放回抽取"),
    "sgd": ("SGD", "SGD（随机梯度下降）"),
    "momentum": ("SGD with momentum", "带动量的 SGD"),
    "nesterov": ("Nesterov momentum", "Nesterov 动量"),
    "adam": ("Adam", "Adam 自适应矩估计"),
    "rmsprop": ("RMSprop", "RMSprop 均方根传播"),
    "adagrad": ("Adagrad", "Adagrad 自适应梯度"),
    "constant": ("constant", "不变"),
    "step": ("step decay", "阶梯衰减"),
    "exponential": ("exponential decay", "指数衰减"),
    "cosine": ("cosine annealing", "余弦退火"),
}


def choice_label(choice: str, lang: str) -> str:
    """How a choice (e.g. 'shuffle') reads in ``lang``; the code name when it has no words."""
    words = CHOICE_LABELS.get(choice)
    return choice if words is None else words[1] if lang == "zh" else words[0]


@dataclass(frozen=True)
class Spec:
    """What a setting means: labels and help in both languages, and its range."""

    en: str
    zh: str
    help_en: str
    help_zh: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    log: bool = False  # a slider over orders of magnitude

    def label(self, lang: str) -> str:
        """The setting's name in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def help(self, lang: str) -> str:
        """The setting's help text in ``lang``."""
        return self.help_zh if lang == "zh" else self.help_en


def _f(default: Any, spec: Spec) -> Any:
    return field(default=default, metadata={"spec": spec})


@dataclass(frozen=True)
class DataConfig:
    """The synthetic data y = slope * x + intercept + noise, as in the notebook."""

    seed: int = _f(1024, Spec(
        "Data seed", "数据随机种子",
        "torch.manual_seed before the data is drawn; 1024 is the notebook's.",
        "生成数据前调用 torch.manual_seed 的种子；笔记本用的是 1024。",
        0, MAX_SEED))
    n: int = _f(200, Spec(
        "Points", "数据点数",
        "How many points, evenly spaced in x.",
        "数据点的个数，x 均匀分布。",
        2, MAX_POINTS))
    x_min: float = _f(100.0, Spec(
        "x from", "x 起点", "Smallest raw x (before standardizing).",
        "原始 x 的最小值（归一化之前）。", -1e6, 1e6))
    x_max: float = _f(300.0, Spec(
        "x to", "x 终点", "Largest raw x (before standardizing).",
        "原始 x 的最大值（归一化之前）。", -1e6, 1e6))
    slope: float = _f(10.0, Spec(
        "True slope", "真实斜率", "The a in y = a*x + b + noise.",
        "y = a*x + b + 噪声 中的 a。", -1e4, 1e4))
    intercept: float = _f(5.0, Spec(
        "True intercept", "真实截距", "The b in y = a*x + b + noise.",
        "y = a*x + b + 噪声 中的 b。", -1e4, 1e4))
    noise: float = _f(1.0, Spec(
        "Noise std", "噪声标准差",
        "Standard deviation of the Gaussian noise added to y.",
        "加到 y 上的高斯噪声的标准差。", 0.0, 1e3))
    standardize: bool = _f(True, Spec(
        "Standardize x", "归一化 x",
        "Centre x and divide by its std. Off keeps raw x (100..300), where "
        "plain gradient descent is unstable, as the notebook warns.",
        "把 x 减去均值再除以标准差。关闭后保留原始 x(100..300)，"
        "正如笔记本所说，梯度下降会很不稳定。"))

    def __post_init__(self) -> None:
        check(self)
        if not self.x_max > self.x_min:
            raise ValueError("x_max must be greater than x_min (an x range of zero width "
                             "has no slope to learn)")


@dataclass(frozen=True)
class TrainConfig:
    """How the line is fitted: the notebook's mini-batch SGD and its variations."""

    lr: float = _f(0.1, Spec(
        "Learning rate", "学习率",
        "Step size of each update. Too large and training diverges.",
        "每次更新的步长。太大会发散。", 1e-6, 10.0, log=True))
    batch_size: int = _f(20, Spec(
        "Batch size", "批次大小",
        "Points per update. Equal to the number of points = full-batch gradient descent. "
        "In order, a batch that runs past the last point stops there (the notebook's "
        "x[ix:ix+batch_size]), so a size that does not divide the points gives some "
        "shorter batches.",
        "每次更新用的数据点数。等于数据点总数时就是全量梯度下降。"
        "按顺序取样时，批次到最后一个点就截止（笔记本的 x[ix:ix+batch_size]），"
        "所以不能整除数据点数时，有些批次会更小。", 1, MAX_POINTS))
    steps: int = _f(20, Spec(
        "Steps", "训练步数", "How many updates to run.",
        "参数更新的次数。", 1, MAX_STEPS))
    sampling: str = _f("sequential", Spec(
        "Sampling", "取样方式",
        "In order (sequential): batches as in the notebook; reshuffled (shuffle): a new "
        "order every epoch; with replacement (replacement): each batch drawn at random.",
        "按顺序（sequential）：按顺序取批次，同笔记本；每轮重新打乱（shuffle）；"
        "有放回抽取（replacement）：每个批次随机抽取。", choices=SAMPLINGS))
    optimizer: str = _f("sgd", Spec(
        "Optimizer", "优化算法",
        "A torch.optim optimizer; SGD with momentum (momentum) and Nesterov momentum "
        "(nesterov) are SGD with the momentum below.",
        "torch.optim 中的优化器；带动量的 SGD（momentum）和 Nesterov 动量（nesterov）"
        "使用下面的动量系数。",
        choices=OPTIMIZERS))
    momentum: float = _f(0.9, Spec(
        "Momentum", "动量",
        "Momentum coefficient of SGD with momentum and Nesterov momentum (ignored "
        "otherwise).",
        "带动量的 SGD 与 Nesterov 动量的动量系数（其他优化器不用）。", 0.0, 0.999))
    accumulation: int = _f(1, Spec(
        "Gradient accumulation", "梯度累积",
        "Split each update's batch into this many micro-batches and add up their "
        "gradients; 1 = off. The batch size must divide evenly. The update is the same as "
        "the whole batch's (the numbers do not change): it is how a batch too big for "
        "memory is trained.",
        "把每次更新的批次拆成这么多个小批次并累加梯度；1 表示不拆。批次大小必须能整除。"
        "更新与整个批次的完全相同（数字不会变）：这是训练内存装不下的大批次的办法。",
        1, 1024))
    schedule: str = _f("constant", Spec(
        "LR schedule", "学习率调度",
        "Constant (constant); step decay (step): multiply by the decay factor every "
        "'decay every' steps; exponential decay (exponential): the same decay, smoothly; "
        "cosine annealing (cosine): down to zero over the run.",
        "不变（constant）；阶梯衰减（step）：每隔“衰减间隔”步乘以“衰减系数”；"
        "指数衰减（exponential）：同样的衰减但平滑；余弦退火（cosine）：在整个训练中降到零。",
        choices=SCHEDULES))
    gamma: float = _f(0.5, Spec(
        "Decay factor", "衰减系数",
        "For step and exponential decay: the learning rate is multiplied by this "
        "every 'decay every' steps.",
        "阶梯衰减和指数衰减：学习率每隔“衰减间隔”步乘以该系数。", 0.01, 1.0))
    decay_every: int = _f(10, Spec(
        "Decay every", "衰减间隔",
        "For step and exponential decay: steps per multiplication by the decay factor.",
        "阶梯衰减和指数衰减：每隔多少步乘一次衰减系数。", 1, MAX_STEPS))
    sampling_seed: int = _f(0, Spec(
        "Sampling seed", "取样种子",
        "Seed of the batch order when batches are reshuffled or drawn with replacement.",
        "每轮重新打乱或有放回抽取时，批次顺序的随机种子。", 0, MAX_SEED))

    def __post_init__(self) -> None:
        check(self)
        if self.batch_size % self.accumulation:
            raise ValueError(
                f"accumulation ({self.accumulation}) must divide batch_size "
                f"({self.batch_size}) evenly")


def log_marks(lo: float = 1e-4, hi: float = 10.0) -> list[float]:
    """What a log-scale slider steps through (rates, step counts): 1, 1.5, 2, 3, 5, 7 per
    decade, lo..hi."""
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    marks = [m * 10.0 ** e for e in decades for m in (1, 1.5, 2, 3, 5, 7)]
    return [float(f"{v:.6g}") for v in marks if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]


def nearest_mark(value: float, marks: Sequence[float]) -> float:
    """The mark closest to ``value`` on a log scale."""
    logs = [math.log10(m) for m in marks]
    target = math.log10(max(value, 1e-12))
    return marks[min(range(len(marks)), key=lambda i: abs(logs[i] - target))]


def lr_marks() -> list[float]:
    """The learning rates the rate slider and the live view's scrubber step through."""
    s = spec(TrainConfig, "lr")
    return log_marks(s.lo or 1e-6, s.hi or 10.0)


def spec(config: Any, name: str) -> Spec:
    """The :class:`Spec` of field ``name`` of a config class or instance."""
    for f in fields(config):
        if f.name == name:
            return f.metadata["spec"]
    raise KeyError(name)


def check(config: Any) -> None:
    """Raise ValueError naming the first field whose value is of the wrong type or out of range."""
    for f in fields(config):
        s: Spec = f.metadata["spec"]
        value = getattr(config, f.name)
        kind = type(f.default)
        if kind is bool:
            ok = isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ValueError(f"{f.name} must be {kind.__name__}, got {value!r}")
        if kind in (int, float):
            if not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number, got {value!r}")
            if s.lo is not None and value < s.lo:
                raise ValueError(f"{f.name} must be at least {s.lo:g}, got {value!r}")
            if s.hi is not None and value > s.hi:
                raise ValueError(f"{f.name} must be at most {s.hi:g}, got {value!r}")
        if s.choices and value not in s.choices:
            raise ValueError(f"{f.name} must be one of {', '.join(s.choices)}, got {value!r}")
