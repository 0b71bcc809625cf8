"""Artefacts a run can be taken away as, each reproducible from its own contents.

* the step log as CSV, settings in a ``#`` header, read back by :func:`read_csv`;
* the figures as one offline HTML page (plotly.js embedded);
* PNG/SVG figures through kaleido (Chromium), in a chosen style;
* a PyTorch script and a Jupyter notebook that re-run the training with torch
  alone, in the seed notebook's style, printing the same step log as
  ``python -m sgdlab run --format notebook``.
"""

from __future__ import annotations

import html
import io
import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

import nbformat
import numpy as np
import pandas as pd

from sgdlab import i18n
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import Data, make_data
from sgdlab.history import COLUMNS, History

if TYPE_CHECKING:
    import plotly.graph_objects as go

CSV_MAGIC = "# sgdlab step log"

# ---------------------------------------------------------------- CSV


def to_csv(history: History, data_config: DataConfig | None) -> str:
    """The per-step log as CSV, preceded by ``#`` lines holding the settings as JSON.

    Floats are written with Python's shortest round-trip repr, so
    :func:`read_csv` gives back the very same numbers.
    """
    head = [CSV_MAGIC,
            "# data: " + (json.dumps(asdict(data_config)) if data_config else "null"),
            "# data_name: " + json.dumps(history.data.name),
            "# train: " + json.dumps(asdict(history.config)),
            "# diverged_at: " + json.dumps(history.diverged_at)]
    body = history.to_frame().to_csv(index=False, lineterminator="\n")
    return "\n".join(head) + "\n" + body


def read_csv(text: str, data: Data | None = None) -> History:
    """The :class:`History` written by :func:`to_csv`.

    ``data`` is needed only when the run was not on synthetic data (the header
    then has no data settings to regenerate the points from).
    """
    meta: dict[str, object] = {}
    lines = text.splitlines()
    if not lines or lines[0].strip() != CSV_MAGIC:
        raise ValueError("not an sgdlab step log (its first line should be "
                         f"{CSV_MAGIC!r})")
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        try:
            meta[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"unreadable header line {line!r}") from None
    try:
        config = TrainConfig(**meta["train"])  # type: ignore[arg-type]
        if data is None:
            if meta.get("data") is None:
                raise ValueError("this log was made on uploaded data: pass the data too")
            data = make_data(DataConfig(**meta["data"]))  # type: ignore[arg-type]
    except (KeyError, TypeError) as e:
        raise ValueError(f"missing or unknown setting in the header: {e}") from None
    frame = pd.read_csv(io.StringIO(text), comment="#")
    if tuple(frame.columns) != COLUMNS:
        raise ValueError(f"expected columns {', '.join(COLUMNS)}")
    if not np.array_equal(frame["step"].to_numpy(), np.arange(1, len(frame) + 1)):
        raise ValueError("the step column must count 1, 2, 3, ...")
    cols: dict[str, Any] = {name: frame[name].to_numpy(dtype=np.float64)
                            for name in COLUMNS[1:-1]}
    diverged = meta.get("diverged_at")
    return History(data=data, config=config, **cols,
                   batch_size=frame["batch_size"].to_numpy(dtype=np.int64),
                   diverged_at=int(diverged) if isinstance(diverged, int) else None)


# ---------------------------------------------------------------- HTML


def to_html(figures: Sequence[go.Figure], title: str, lang: str, note: str = "") -> str:
    """One self-contained page with every figure, interactive and offline (plotly.js inlined)."""
    import plotly.io as pio

    from sgdlab.styles import BASE_CONFIG

    parts = [pio.to_html(fig, full_html=False, include_plotlyjs=i == 0,
                         config={**BASE_CONFIG, "responsive": True})
             for i, fig in enumerate(figures)]
    note_html = f"<p><code>{html.escape(note)}</code></p>\n" if note else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n"
            '<body style="font-family: sans-serif; max-width: 60em; margin: auto">\n'
            f"<h1>{html.escape(title)}</h1>\n{note_html}"
            + "\n".join(parts) + "\n</body>\n</html>\n")


# ---------------------------------------------------------------- code

TEXT: i18n.Text = {
    "title": ("Fit y = a * x + b with mini-batch gradient descent (exported from sgdlab)",
              "用小批量梯度下降拟合 y = a * x + b（由 sgdlab 导出）"),
    "run": ("Needs only PyTorch. It prints the same step log as\n    python -m sgdlab {cmd}",
            "只需要 PyTorch。打印的每一步结果与下面的命令相同：\n    python -m sgdlab {cmd}"),
    "run_points": ("Needs only PyTorch. The data points ({name}) are written out below, so "
                   "nothing else is needed to re-run the training.",
                   "只需要 PyTorch。数据点（{name}）都写在下面，重新训练不需要其他文件。"),
    "seed": ("Fix the random seed so that the results can be reproduced",
             "固定随机种子,使得运行结果可以稳定复现"),  # verbatim: the notebook's
    "data": ("Generate the training data", "产生训练用的数据"),
    "standardize": ("Standardize x, otherwise gradient descent easily becomes unstable",
                    "将变量x归一化，否则梯度下降法很容易不稳定"),
    "raw": ("x is used as it is (not standardized): gradient descent may be unstable",
            "x 保持原样（没有归一化）：梯度下降可能不稳定"),
    "given": ("The data points of the run ({name}), as float32 values",
              "这次训练用的数据点（{name}），float32 数值"),
    "model": ("Subclass torch.nn.Module to use PyTorch's high-level tools",
              "为了使用PyTorch的高层封装函数,我们通过继承Module类来定义函数"),  # verbatim
    "params": ("The model's parameters a and b, both starting at zero",
               "定义线性回归模型的参数：a, b，初始值都是 0"),
    "forward": ("The model's prediction for the current a and b",
                "根据当前的参数估计值,得到模型的预测结果"),  # verbatim
    "string": ("The current model as text", "输出当前模型的结果"),
    "mse": ("The loss function: mean squared error", "定义损失函数：均方误差"),
    "mse_fused": ("Equals (y - y_pred).pow(2).mean(); PyTorch's fused version is what "
                  "sgdlab uses, so the gradients agree to the last bit",
                  "等于 (y - y_pred).pow(2).mean()；这里用 PyTorch 的合并实现，"
                  "与 sgdlab 相同，梯度精确到最后一位都一致"),
    "batch_size": ("Number of points in each batch", "定义每批次用到的数据量"),
    "define_model": ("Define the model", "定义模型"),
    "optimizer": ("Choose the optimization algorithm", "确定最优化算法"),
    "schedule": ("Learning-rate schedule", "学习率调度"),
    "shuffle": ("Reshuffle the points every epoch: each epoch's order sorts the points by "
                "their keys for (sampling_seed, epoch), so the run can be reproduced",
                "每一轮（epoch）重新打乱数据的顺序："
                "按 (sampling_seed, epoch) 的随机键给数据点排序，"
                "结果可以复现"),
    "replacement": ("Draw each batch with replacement: the keys for (sampling_seed, step), "
                    "scaled to 0 .. len(x) - 1, so the run can be reproduced",
                    "每个批次都有放回地随机抽取：（sampling_seed，步数）的随机键缩放到 "
                    "0 .. len(x) - 1，结果可以复现"),
    "keys": ("A shuffle anyone can recompute: random keys from two published integer hashes, "
             "splitmix64 and lowbias32",
             "任何人都能重算的洗牌：随机键来自两个公开的整数哈希 splitmix64 和 lowbias32"),
    "mix": ("splitmix64's mixing step on int64 tensors: products wrap around, the masks "
            "make >> shift in zeros",
            "splitmix64 的混合步骤，作用于 int64 张量：乘积自动回绕，掩码让 >> 补零"),
    "lowbias32": ("lowbias32 on whole numbers 0 .. 2**32 - 1 in int64 tensors: the mask keeps "
                  "a product's low 32 bits",
                  "lowbias32 哈希，作用于 int64 张量中 0 .. 2**32 - 1 的整数："
                  "掩码保留乘积的低 32 位"),
    "sample_keys": ("count random whole numbers in 0 .. 2**32 - 1 for (seed, k), all "
                    "different: the same as sgdlab's",
                    "(seed, k) 对应的 count 个互不相同的随机整数，范围 0 .. 2**32 - 1，"
                    "与 sgdlab 的相同"),
    "micro": ("Gradient accumulation: each batch is split into {k} micro-batches",
              "梯度累积：每个批次拆成 {k} 个小批次"),
    "stats": ("Record the loss on the batch and on all the data",
              "记录模型在批量数据和整体数据上的损失"),
    "pick": ("Pick this step's batch of data", "选取当前批次的数据,用于训练模型"),  # verbatim
    "zero_grad": ("Clear the previous step's gradients", "将上一次的梯度清零"),
    "loss": ("Loss on the current batch", "计算当前批次数据的损失"),
    "backward": ("Gradient of the loss", "计算损失函数的梯度"),
    "accumulate": ("Each micro-batch's loss, weighted by its share of the batch, adds up "
                   "to the batch loss: the summed gradient equals the whole batch's",
                   "每个小批次的损失按它占批次的比例加权，加起来就是批次损失："
                   "累加的梯度与整个批次一次算出的相同"),
    "step": ("Update the parameter estimates", "迭代更新模型参数的估计值"),
    "lr_step": ("Move the learning rate along its schedule", "按调度更新学习率"),
    "total": ("Loss of the model on all the data", "预估模型在整个数据集上面的损失"),
    "diverge": ("Too large a learning rate makes training diverge: stop",
                "学习率过大时训练会发散，此时停止"),
    "note": ("Note! loss is the loss on the current batch; it fluctuates a lot",
             "注意!loss记录的是模型在当前批次数据上的损失,该数值的波动较大"),  # verbatim
    "plot": ("Plot both losses, like the seed notebook (needs matplotlib)",
             "画出两种损失，与原笔记本相同（需要 matplotlib）"),
    "xlabel": ("Step", "训练步数"),
    "ylabel": ("Loss", "模型损失"),
    "batch_loss": ("Batch loss", "批次损失"),
    "total_loss": ("Whole-data loss", "整体损失"),
}


def _num(v: float) -> str:
    """A float as a Python literal, integral values without '.0' as the notebook writes them."""
    return str(int(v)) if float(v).is_integer() and abs(v) < 2**53 else repr(float(v))


def _f32(t: object) -> str:
    """float32 values as the shortest literals that read back to the same float32."""
    return ", ".join(np.format_float_positional(v, unique=True, trim="-")
                     for v in np.asarray(t, dtype=np.float32))


def _safe(name: str) -> str:
    """A data set's name, safe inside a comment or docstring: one line, no quotes or escapes."""
    return " ".join(name.replace("\\", "/").replace('"', "'").split())[:120]


def cli_command(data_config: DataConfig | None, train_config: TrainConfig) -> str:
    """``run --format notebook`` plus every flag whose value differs from its default."""
    args = ["run", "--format", "notebook"]
    for config in (data_config, train_config):
        if config is None:
            continue
        for f in fields(config):
            value = getattr(config, f.name)
            if value != f.default:
                name = "--" + f.name.replace("_", "-")
                if isinstance(value, bool):
                    args.append(name if value else "--no-" + name[2:])
                else:
                    args += [name, _num(value) if isinstance(value, float) else str(value)]
    return " ".join(args)


def _cells(data: Data, data_config: DataConfig | None, c: TrainConfig,
           lang: str) -> list[str]:
    """The program as cells of source, each opening with a comment (the notebook's layout)."""

    def t(key: str, indent: str = "", **values: object) -> str:
        """A comment in the reader's language, wrapped to fit the line, at ``indent``."""
        text = i18n.tr(TEXT, key, lang, **values)
        return "\n".join(indent + "# " + line
                         for line in textwrap.wrap(text, 90 - len(indent)))

    cells = ["import math\n\nimport torch" + (
        f"\n\n{t('seed')}\ntorch.manual_seed({data_config.seed})" if data_config else "")]
    if data_config is not None:
        d = data_config
        noise = "epsilon" if d.noise == 1 else f"{_num(d.noise)} * epsilon"
        sign = "-" if d.intercept < 0 else "+"
        cells.append("\n".join([
            t("data"), f"x_origin = torch.linspace({_num(d.x_min)}, {_num(d.x_max)}, {d.n})",
            t("standardize") if d.standardize else t("raw"),
            "x = (x_origin - torch.mean(x_origin)) / torch.std(x_origin)"
            if d.standardize else "x = x_origin",
            "epsilon = torch.randn(x.shape)",
            f"y = {_num(d.slope)} * x {sign} {_num(abs(d.intercept))} + {noise}"]))
    else:
        cells.append("\n".join([t("given", name=_safe(data.name)),
                                f"x = torch.tensor([{_f32(data.x)}])",
                                f"y = torch.tensor([{_f32(data.y)}])"]))
    cells.append(f'''{t("model")}
class Linear(torch.nn.Module):

    def __init__(self):
        """{i18n.tr(TEXT, "params", lang)}"""
        super().__init__()
        self.a = torch.nn.Parameter(torch.zeros(()))
        self.b = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        """{i18n.tr(TEXT, "forward", lang)}"""
        return self.a * x + self.b

    def string(self):
        """{i18n.tr(TEXT, "string", lang)}"""
        return f'y = {{self.a.item():.2f}} * x + {{self.b.item():.2f}}'


{t("mse")}
def mse(y, y_pred):
{t("mse_fused", "    ")}
    return torch.nn.functional.mse_loss(y_pred, y)''')
    if c.sampling != "sequential":
        cells[-1] += "\n\n\n" + _keys_code(lang, t)
    cells.append(_training_cell(c, t))
    cells.append(_plot_cell(lang, t))
    return cells


def _keys_code(lang: str, t: Callable[..., str]) -> str:
    """The keys in torch: the same numbers as :func:`sgdlab.sampling.sample_keys`."""
    return f'''{t("keys")}
def splitmix64(z):
    """{i18n.tr(TEXT, "mix", lang)}"""
    z = (z ^ ((z >> 30) & (2**34 - 1))) * (0xBF58476D1CE4E5B9 - 2**64)
    z = (z ^ ((z >> 27) & (2**37 - 1))) * (0x94D049BB133111EB - 2**64)
    return z ^ ((z >> 31) & (2**33 - 1))


def lowbias32(z):
    """{i18n.tr(TEXT, "lowbias32", lang)}"""
    z = ((z ^ (z >> 16)) * 0x7FEB352D) & (2**32 - 1)
    z = ((z ^ (z >> 15)) * 0x846CA68B) & (2**32 - 1)
    return z ^ (z >> 16)


def sample_keys(seed, k, count):
    """{i18n.tr(TEXT, "sample_keys", lang)}"""
    golden = 0x9E3779B97F4A7C15 - 2**64
    state = (splitmix64(splitmix64(torch.tensor(seed) + golden) + k) >> 32) & (2**32 - 1)
    return lowbias32(state ^ lowbias32(torch.arange(count)))'''


def _optimizer(c: TrainConfig) -> str:
    head = "torch.optim.{}(model.parameters(), lr=learning_rate{})"
    if c.optimizer in ("momentum", "nesterov"):
        nesterov = ", nesterov=True" if c.optimizer == "nesterov" and c.momentum > 0 else ""
        return head.format("SGD", f", momentum={_num(c.momentum)}{nesterov}")
    name = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
    return head.format(name[c.optimizer], "")


def _scheduler(c: TrainConfig) -> str | None:
    sched = "torch.optim.lr_scheduler."
    if c.schedule == "step":
        return f"{sched}StepLR(optimizer, step_size={c.decay_every}, gamma={_num(c.gamma)})"
    if c.schedule == "exponential":
        return (f"{sched}ExponentialLR(optimizer, "
                f"gamma={_num(c.gamma)} ** (1 / {c.decay_every}))")
    if c.schedule == "cosine":
        return f"{sched}CosineAnnealingLR(optimizer, T_max={c.steps})"
    return None  # constant: no scheduler at all, as in the notebook


def _training_cell(c: TrainConfig, tt: Callable[..., str]) -> str:
    scheduler = _scheduler(c)
    lines = [tt("batch_size"), f"batch_size = {c.batch_size}", tt("define_model"),
             "model = Linear()", tt("optimizer"), f"learning_rate = {_num(c.lr)}",
             f"optimizer = {_optimizer(c)}"]
    if scheduler:
        lines += [tt("schedule"), f"scheduler = {scheduler}"]
    if c.sampling == "shuffle":
        lines += [tt("shuffle"), f"sampling_seed = {c.sampling_seed}", "order_epoch = -1"]
    elif c.sampling == "replacement":
        lines += [tt("replacement"), f"sampling_seed = {c.sampling_seed}"]
    if c.accumulation > 1:
        lines += [tt("micro", k=c.accumulation),
                  f"micro_batch = batch_size // {c.accumulation}"]
    lines += [tt("stats"), "stats = {'batch_loss': [], 'total_loss': []}", "",
              f"for t in range({c.steps}):", tt("pick", "    ")]
    if c.sampling == "sequential":
        lines += ["    ix = (t * batch_size) % len(x)", "    xx = x[ix: ix + batch_size]",
                  "    yy = y[ix: ix + batch_size]"]
    elif c.sampling == "shuffle":
        lines += ["    epoch, ix = divmod(t * batch_size, len(x))",
                  "    if epoch != order_epoch:",
                  "        keys = sample_keys(sampling_seed, epoch, len(x))",
                  "        order, order_epoch = torch.argsort(keys, stable=True), epoch",
                  "    batch = order[ix: ix + batch_size]", "    xx, yy = x[batch], y[batch]"]
    else:
        lines += ["    keys = sample_keys(sampling_seed, t, batch_size)",
                  "    batch = (keys * len(x)) >> 32",
                  "    xx, yy = x[batch], y[batch]"]
    lines += [tt("zero_grad", "    "), "    optimizer.zero_grad()"]
    if c.accumulation == 1:
        lines += [tt("loss", "    "), "    loss = mse(yy, model(xx))",
                  tt("backward", "    "), "    loss.backward()"]
    else:
        lines += [tt("accumulate", "    "), "    loss = torch.zeros(())",
                  "    for xs, ys in zip(xx.split(micro_batch), yy.split(micro_batch)):",
                  "        part = mse(ys, model(xs)) * (len(xs) / len(xx))",
                  "        part.backward()", "        loss = loss + part.detach()"]
    lines += [tt("step", "    "), "    optimizer.step()"]
    if scheduler:
        lines += [tt("lr_step", "    "), "    scheduler.step()"]
    lines += [tt("total", "    "), "    total_loss = mse(y, model(x)).item()",
              tt("diverge", "    "),
              "    if not (loss.item() <= 1e10 and total_loss <= 1e10",
              "            and math.isfinite(model.a.item()) and math.isfinite(model.b.item())):",
              "        print(f'Diverged at step {t + 1}')", "        break",
              "    stats['batch_loss'].append(loss.item())",
              "    stats['total_loss'].append(total_loss)",
              tt("note", "    "),
              "    print(f'Step {t + 1}, Loss: {loss: .2f}; Result: {model.string()}')"]
    return "\n".join(lines)


def _plot_cell(lang: str, tt: Callable[..., str]) -> str:
    w = {k: i18n.tr(TEXT, k, lang) for k in ("xlabel", "ylabel", "batch_loss", "total_loss")}
    fonts = "['SimHei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'DejaVu Sans']"
    return f"""{tt("plot")}
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    fig = plt.figure(figsize=(6, 6), dpi=100)
    ax = fig.add_subplot(111)
    plt.rcParams['font.sans-serif'] = {fonts}
    plt.rcParams['axes.unicode_minus'] = False
    plt.rcParams.update({{'font.size': 13}})
    ax.set_xlabel('{w["xlabel"]}', fontsize=18)
    ax.set_ylabel('{w["ylabel"]}', fontsize=18)
    ax.plot(stats['batch_loss'], 'k', label='{w["batch_loss"]}')
    ax.plot(stats['total_loss'], 'r-.', label='{w["total_loss"]}')
    plt.legend(shadow=True)
    plt.show()"""


def _header(data: Data, data_config: DataConfig | None, c: TrainConfig, lang: str) -> str:
    if data_config is None:  # no command line can load those points: they are in the file
        how = i18n.tr(TEXT, "run_points", lang, name=_safe(data.name))
    else:
        how = i18n.tr(TEXT, "run", lang, cmd=cli_command(data_config, c))
    return i18n.tr(TEXT, "title", lang) + "\n\n" + how


def to_script(data: Data, data_config: DataConfig | None, train_config: TrainConfig,
              lang: str) -> str:
    """A standalone PyTorch script (needs torch only) that re-runs this training."""
    head = '"""' + _header(data, data_config, train_config, lang) + '\n"""\n\n'
    return head + "\n\n\n".join(_cells(data, data_config, train_config, lang)) + "\n"


def to_notebook(data: Data, data_config: DataConfig | None, train_config: TrainConfig,
                lang: str) -> str:
    """The same program as a Jupyter notebook (.ipynb JSON), one cell per step of the recipe."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    title, _, rest = _header(data, data_config, train_config, lang).partition("\n\n")
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}\n\n```\n{rest.strip()}\n```"))
    nb.cells += [nbformat.v4.new_code_cell(src)
                 for src in _cells(data, data_config, train_config, lang)]
    return nbformat.writes(nb)


# ---------------------------------------------------------------- figures

KINDS = ("fit", "loss", "params")


def make_figures(history: History, kinds: Sequence[str], lang: str, style: str = "screen",
                 stamp: str = "", true_line: tuple[float, float] | None = None,
                 step: int | None = None) -> list[go.Figure]:
    """The figures of ``kinds`` at ``step`` (default: the last), in ``style``, each with
    ``stamp`` when it is not empty."""
    from sgdlab import figures, styles

    build = {"fit": lambda: figures.fit_figure(history, step, lang, true_line=true_line),
             "loss": lambda: figures.loss_figure(history, lang, step=step),
             "params": lambda: figures.params_figure(history, lang, step=step)}
    out = []
    for kind in kinds:
        fig = styles.apply_style(build[kind](), style, lang)
        out.append(styles.add_stamp(fig, stamp) if stamp else fig)
    return out


class NoBrowserError(RuntimeError):
    """kaleido found no Chrome/Chromium to draw PNG or SVG files with."""


def write_images(figs: Sequence[go.Figure], paths: Sequence[str], scale: float) -> None:
    """PNG/SVG files through kaleido (one browser session for all), at each figure's own size."""
    import plotly.io as pio

    sizes = [(f.layout.width or 800, f.layout.height or 520) for f in figs]
    try:
        pio.write_images(list(figs), list(paths), scale=scale,
                         width=[w for w, _ in sizes], height=[h for _, h in sizes])
    except Exception as e:  # kaleido wraps a missing browser in several ways
        if "chrome" in str(e).lower() or "browser" in str(e).lower():
            raise NoBrowserError(str(e)) from None
        raise
