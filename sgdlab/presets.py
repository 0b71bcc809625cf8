"""Classroom presets: a named (DataConfig, TrainConfig) and what to notice, in both languages.

    for p in presets(): print(p.name, p.title("en"))
    p = preset("above_limit"); train(p.data, p.train).diverged_at   # it diverges

The learning rates of the stability presets come from :mod:`sgdlab.theory`
(2 / the largest curvature of the loss), so they stay right if the data change.
``tests/test_presets.py`` checks that each preset does what its text says.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sgdlab import i18n
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import make_data
from sgdlab.theory import data_hessian, max_stable_lr

BELOW, ABOVE = 0.9, 1.1  # fractions of the stable limit for the two limit presets

TEXT: i18n.Text = {
    "notebook.title": ("The notebook's run", "笔记本原版"),
    "notebook.text": (
        "Batches of 20 taken in order, learning rate 0.1, 20 steps: exactly the notebook. "
        "Step 20 should print y = 9.94 * x + 5.21; the batch loss (what the notebook prints) "
        "wobbles, the whole-data loss falls smoothly.",
        "按顺序取 20 个点一批，学习率 0.1，训练 20 步：与笔记本完全一致。第 20 步应输出 "
        "y = 9.94 * x + 5.21；批次损失（笔记本打印的那个）上下波动，整体损失则平稳下降。"),
    "full_batch.title": ("Full-batch gradient descent", "全量梯度下降"),
    "full_batch.text": (
        "Every update uses all {n} points, so each step follows the true gradient: batch loss "
        "and whole-data loss are the same curve, and the line lands on the least-squares "
        "solution.",
        "每次更新都用全部 {n} 个点，每一步都沿着真实梯度走：批次损失和整体损失是同一条曲线，"
        "直线最终落在最小二乘解上。"),
    "batch_1.title": ("Batch size 1, in the notebook's order", "批次大小 1（按笔记本顺序）"),
    "batch_1.text": (
        "Each update sees one point, and the notebook's order walks x from smallest to "
        "largest, so every step drags the line toward the current end of the data. The batch "
        "loss jumps wildly and the whole-data loss stays well above the best fit.",
        "每次更新只看一个点，而笔记本的顺序是 x 从小到大依次取，所以每一步都把直线拉向当前那一端。"
        "批次损失剧烈跳动，整体损失一直明显高于最优拟合。"),
    "shuffle.title": ("Batch size 1, shuffled", "批次大小 1（打乱顺序）"),
    "shuffle.text": (
        "The same single-point updates, but the points are reshuffled every epoch: the pulls "
        "toward either end cancel out, and the line jitters close to least squares. With the "
        "notebook's batches of 20 in order, the batch loss repeats one pattern every epoch.",
        "同样每次只用一个点，但每轮都重新打乱顺序：往两端的拉力相互抵消，直线在最小二乘解附近抖动。"
        "若按笔记本的顺序每批 20 个点，批次损失每一轮都重复同一个形状。"),
    "below_limit.title": ("Learning rate just below the stable limit", "学习率略低于稳定上限"),
    "below_limit.text": (
        "Full-batch gradient descent is stable only while lr < 2 / (largest curvature of the "
        "loss) = {limit:.4g} for this data. At lr = {lr:.4g} ({frac:.0%} of it) every step "
        "overshoots the minimum, but by less each time: a and b zig-zag in and the loss falls.",
        "全量梯度下降只有在 lr < 2 /（损失的最大曲率）= {limit:.4g} 时才稳定。lr = {lr:.4g}"
        "（上限的 {frac:.0%}）时每一步都越过最低点，但越过得越来越少：a 和 b 来回摆动着收敛，"
        "损失下降。"),
    "above_limit.title": ("Learning rate just above the stable limit", "学习率略高于稳定上限"),
    "above_limit.text": (
        "The same run at lr = {lr:.4g}, {frac:.0%} of the limit {limit:.4g}: each overshoot is "
        "larger than the last, a and b swing ever wider and the loss grows until the run is "
        "stopped as diverged.",
        "同样的训练，lr = {lr:.4g}，是上限 {limit:.4g} 的 {frac:.0%}：每次越过得比上次更远，"
        "a 和 b 越摆越大，损失不断增长，直到训练因发散而停止。"),
    "raw_x.title": ("No standardization", "不做归一化"),
    "raw_x.text": (
        "Raw x runs from 100 to 300, so the loss is a long, narrow valley: the largest stable "
        "learning rate is {limit:.3g}, thousands of times below the notebook's 0.1 (which "
        "diverges at once). At {lr:.3g} the slope settles quickly, but after {steps} steps the "
        "intercept b has hardly moved. This is why the notebook standardizes x.",
        "原始 x 从 100 到 300，损失曲面是一条又长又窄的山谷：最大稳定学习率只有 {limit:.3g}，"
        "比笔记本的 0.1 小几千倍（0.1 会立刻发散）。用 {lr:.3g} 时斜率很快就对了，但 {steps} "
        "步之后截距 b 几乎没动。这就是笔记本要对 x 做归一化的原因。"),
    "momentum.title": ("Momentum against plain SGD", "动量法与普通 SGD"),
    "momentum.text": (
        "At lr = {lr} plain SGD creeps (switch the optimizer to SGD to compare). Momentum "
        "{momentum} keeps adding up past steps, so it moves many times faster, overshoots the "
        "best slope and swings back before settling.",
        "lr = {lr} 时普通 SGD 走得很慢（把优化算法换成“SGD（随机梯度下降）”对比）。"
        "动量 {momentum} 会累加之前的步伐，所以快很多倍，会冲过最佳斜率再摆回来，然后才稳定。"),
    "adam.title": ("Adam against plain SGD", "Adam 与普通 SGD"),
    "adam.text": (
        "Adam divides each step by a running estimate of the gradient's size, so its first "
        "steps move a and b by about lr = {lr} each, however steep the loss. It reaches the "
        "line in a few dozen steps and then keeps hovering, because its step does not shrink "
        "as the gradient does the way plain SGD's does.",
        "Adam 把每一步除以梯度大小的滑动估计，所以无论损失多陡，最初几步 a 和 b 都各移动约 "
        "lr = {lr}。几十步就接近直线，"
        "之后一直在附近徘徊，因为它的步长不像普通 SGD 那样随梯度变小。"),
    "accumulation.title": ("Gradient accumulation equals a large batch", "梯度累积等于大批次"),
    "accumulation.text": (
        "Each update splits its batch of {batch} into {acc} micro-batches of {micro} (the "
        "notebook's size) and adds their gradients before stepping. The update is the same as "
        "one batch of {batch}; only the memory is that of a batch of {micro}. Set accumulation "
        "to 1 and the curves do not change.",
        "每次更新把 {batch} 个点的批次拆成 {acc} 个 {micro} 点的小批次（笔记本的大小），"
        "累加梯度后再更新。结果与一次用 {batch} 个点完全相同，只是内存只需 {micro} 个点。"
        "把梯度累积设为 1，曲线不变。"),
}


@dataclass(frozen=True)
class Preset:
    """A named setting for class, with its title and commentary."""

    name: str
    data: DataConfig
    train: TrainConfig
    values: tuple[tuple[str, object], ...] = ()  # numbers the commentary quotes

    def title(self, lang: str) -> str:
        return i18n.tr(TEXT, f"{self.name}.title", lang)

    def text(self, lang: str) -> str:
        """What to notice, in ``lang``."""
        return i18n.tr(TEXT, f"{self.name}.text", lang, **dict(self.values))


def _round(x: float) -> float:
    """Three significant digits: a rate that reads well in a link and on a slider."""
    return float(f"{x:.3g}")


def stable_limit(data: DataConfig) -> float:
    """Largest stable learning rate of full-batch gradient descent on this data."""
    return max_stable_lr(data_hessian(make_data(data)))


def _limit_preset(name: str, frac: float) -> Preset:
    data = DataConfig()
    limit = stable_limit(data)
    lr = _round(frac * limit)
    return Preset(name, data, TrainConfig(lr=lr, batch_size=data.n, steps=60),
                  (("limit", limit), ("lr", lr), ("frac", frac)))


@cache
def presets() -> tuple[Preset, ...]:
    """Every preset, in teaching order."""
    data, n = DataConfig(), DataConfig().n
    raw = DataConfig(standardize=False)
    raw_limit = stable_limit(raw)
    raw_train = TrainConfig(lr=_round(BELOW * raw_limit), batch_size=n, steps=200)
    accumulation = TrainConfig(batch_size=100, accumulation=5, steps=40)
    momentum = TrainConfig(lr=0.01, optimizer="momentum", momentum=0.9, steps=60)
    adam = TrainConfig(lr=0.5, optimizer="adam", steps=60)
    return (
        Preset("notebook", data, TrainConfig()),
        Preset("full_batch", data, TrainConfig(batch_size=n, steps=60), (("n", n),)),
        Preset("batch_1", data, TrainConfig(batch_size=1, lr=0.05, steps=400)),
        Preset("shuffle", data, TrainConfig(batch_size=1, lr=0.05, steps=400,
                                            sampling="shuffle")),
        _limit_preset("below_limit", BELOW),
        _limit_preset("above_limit", ABOVE),
        Preset("raw_x", raw, raw_train, (("limit", raw_limit), ("lr", raw_train.lr),
                                         ("steps", raw_train.steps))),
        Preset("momentum", data, momentum, (("lr", momentum.lr),
                                            ("momentum", momentum.momentum))),
        Preset("adam", data, adam, (("lr", adam.lr),)),
        Preset("accumulation", data, accumulation,
               (("batch", accumulation.batch_size), ("acc", accumulation.accumulation),
                ("micro", accumulation.batch_size // accumulation.accumulation))),
    )


def preset(name: str) -> Preset:
    """The preset called ``name``; KeyError when there is none."""
    for p in presets():
        if p.name == name:
            return p
    raise KeyError(name)


def names() -> tuple[str, ...]:
    """Every preset's name (the values ``?preset=`` accepts)."""
    return tuple(p.name for p in presets())
