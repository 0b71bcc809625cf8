"""The "explain" panel of each view: what it shows and why, as Markdown and LaTeX blocks.

    for kind, body in explain("loss", "zh", optimizer="sgd", limit=1.0):
        st.latex(body) if kind == "latex" else st.markdown(body)

Pure text: the UI layer (``sgdlab.ui.classroom.explain_ui``) renders the
blocks. LaTeX holds only symbols; every word lives in :data:`TEXT`.
"""

from __future__ import annotations

from sgdlab import i18n
from sgdlab.config import OPTIMIZERS, choice_label

# The dashboard's views (issue 3) and the analysis views (issue 4), by URL name.
VIEWS = ("fit", "loss", "params", "stability", "compare", "seeds", "noise")

Block = tuple[str, str]  # ("md" | "latex", content)

LOSS = (r"L(a, b) = \frac{1}{n} \sum_{i=1}^{n} \left(y_i - a x_i - b\right)^2"
        r"\qquad L_{B}(a, b) = \frac{1}{|B|} \sum_{i \in B} \left(y_i - a x_i - b\right)^2")
GRADIENT = (r"\frac{\partial L_B}{\partial a} = -\frac{2}{|B|} \sum_{i \in B} "
            r"\left(y_i - a x_i - b\right) x_i \qquad \frac{\partial L_B}{\partial b} = "
            r"-\frac{2}{|B|} \sum_{i \in B} \left(y_i - a x_i - b\right)")
VARIANCE = (r"\mathbb{E}\left[L_B\right] = L \qquad \operatorname{Var}\left[L_B\right] "
            r"\approx \frac{\operatorname{Var}_i\left[\ell_i\right]}{|B|}")
HESSIAN = (r"H = 2 \begin{pmatrix} \overline{x^2} & \bar{x} \\ \bar{x} & 1 \end{pmatrix}"
           r"\qquad \eta < \frac{2}{\lambda_{\max}(H)}")
ACCUMULATION = (r"g_t = \sum_{k=1}^{K} \frac{|B_k|}{|B_t|} \nabla L_{B_k}(\theta_t)"
                r" = \nabla L_{B_t}(\theta_t)")
COSINE = r"\cos \varphi_t = \frac{g_B \cdot g}{\lVert g_B \rVert \, \lVert g \rVert}"
_G = r"g_t = \nabla_\theta L_{B_t}(\theta_t),\quad \theta = (a, b)"
UPDATE_RULES = {  # torch.optim's own forms
    "sgd": _G + r"\qquad \theta_{t+1} = \theta_t - \eta_t\, g_t",
    "momentum": _G + r"\qquad v_{t+1} = \mu v_t + g_t \qquad \theta_{t+1} = \theta_t - "
                    r"\eta_t\, v_{t+1}",
    "nesterov": _G + r"\qquad v_{t+1} = \mu v_t + g_t \qquad \theta_{t+1} = \theta_t - "
                    r"\eta_t \left(g_t + \mu v_{t+1}\right)",
    # two lines: \\ breaks a line only inside an environment (bare, KaTeX warned on the
    # console and drew one over-long line)
    "adam": r"\begin{gathered}" + _G + r"\qquad m_{t+1} = \beta_1 m_t + (1 - \beta_1) g_t "
            r"\qquad v_{t+1} = \beta_2 v_t + (1 - \beta_2) g_t^2 \\ \theta_{t+1} = \theta_t - "
            r"\eta_t \frac{m_{t+1} / (1 - \beta_1^{t+1})}"
            r"{\sqrt{v_{t+1} / (1 - \beta_2^{t+1})} + \epsilon}\end{gathered}",
    "rmsprop": _G + r"\qquad v_{t+1} = \alpha v_t + (1 - \alpha) g_t^2 \qquad "
                   r"\theta_{t+1} = \theta_t - \eta_t \frac{g_t}{\sqrt{v_{t+1}} + \epsilon}",
    "adagrad": _G + r"\qquad s_{t+1} = s_t + g_t^2 \qquad "
                   r"\theta_{t+1} = \theta_t - \eta_t \frac{g_t}{\sqrt{s_{t+1}} + \epsilon}",
}
assert set(UPDATE_RULES) == set(OPTIMIZERS)

TEXT: i18n.Text = {
    "title": ("Explain this view", "讲解这张图"),
    "title.fit": ("Explain: the fit", "讲解：拟合图"),
    "title.loss": ("Explain: the loss curves", "讲解：损失曲线"),
    "title.params": ("Explain: parameter space", "讲解：参数空间"),
    "rule": ("**The update rule** ({optimizer}): each step moves (a, b) against the gradient "
             "of the batch loss, scaled by the learning rate η.",
             "**更新规则**（{optimizer}）：每一步让 (a, b) 沿批次损失梯度的反方向移动，"
             "步长由学习率 η 决定。"),
    "accumulation": ("With gradient accumulation the batch is split into K = {k} "
                     "micro-batches whose weighted gradients add up to the batch's own:",
                     "梯度累积把批次拆成 K = {k} 个小批次，"
                     "它们加权后的梯度之和正好等于整个批次的梯度："),
    "loss": ("**The loss** is the mean squared error: L on all n points (whole-data loss), "
             "$L_B$ on the batch B of the step (batch loss).",
             "**模型损失**是均方误差：L 用全部 n 个点（整体损失），$L_B$ 只用这一步的批次 B"
             "（批次损失）。"),
    "fit.what": ("Dots are the data, the highlighted ones the current batch. The thick line "
                 "is y = a x + b at the chosen step; the quiet lines are the true line the "
                 "data were drawn from and the least-squares line, the best any line can do "
                 "on these points. Training heads for the least-squares line, not the true one.",
                 "点是数据，高亮的是当前批次。粗线是所选训练步数时的 y = a x + b；"
                 "两条浅色线分别是生成数据的真实直线和最小二乘直线（在这些点上最好的直线）。"
                 "训练逼近的是最小二乘直线，而不是真实直线。"),
    "fit.gradient": ("The gradient only sees the batch: a batch from one end of x pulls the "
                     "line toward that end.",
                     "梯度只看得到这个批次：来自 x 一端的批次会把直线拉向那一端。"),
    "loss.what": ("**Batch loss** (the notebook's printed Loss) is $L_B$ on the step's batch, "
                  "measured before the update. **Whole-data loss** is L on every point after "
                  "the update. The green dotted line is the least-squares minimum: no line can "
                  "go below it. Grey dotted verticals are epoch boundaries, where the batches "
                  "start over.",
                  "**批次损失**（笔记本打印的 Loss）是这一步批次上的 $L_B$，在更新之前计算。"
                  "**整体损失**是更新之后在全部数据上的 L。"
                  "绿色点线是最小二乘最小值：任何直线都低不过它。"
                  "灰色竖直点线是轮次边界，批次从头开始。"),
    "loss.noise": ("**Why the batch loss is noisier.** The whole-data loss always averages the "
                   "same n points, so it changes only because a and b changed. The batch loss "
                   "averages a few points that change every step: even for a fixed line it "
                   "depends on which points were drawn. It is right on average, but its variance "
                   "shrinks only like 1/|B| (its spread like 1/√|B|: four times the batch, "
                   "half the jitter). Batches in the notebook's order also cover a "
                   "narrow slice of x, so their loss swings with where the slice lies.",
                   "**为什么批次损失更抖**。整体损失总是对同样的 n 个点求平均，只会因为 a、b 的变化"
                   "而变化。批次损失只平均几个点，而且每一步换一批：即使直线不变，它也取决于抽到了"
                   "哪些点。它平均来说是对的，但方差只按 1/|B| 缩小"
                   "（标准差按 1/√|B|：批次大 4 倍，抖动减半）。按笔记本顺序取的批次还只覆盖"
                   " x 的一小段，所以损失会随这一段的位置起伏。"),
    "params.what": ("Contours are equal whole-data loss over (a, b); the path is (a, b) step "
                    "by step from (0, 0); the star is the least-squares optimum. L is a "
                    "quadratic, so the contours are ellipses whose shape is set by the "
                    "Hessian H.",
                    "等高线是 (a, b) 上整体损失相等的点；路径是 (a, b) 从 (0, 0) 出发的每一步；"
                    "星号是最小二乘最优点。"
                    "L 是二次函数，所以等高线是椭圆，形状由黑塞矩阵 H 决定。"),
    "params.limit": ("Full-batch gradient descent shrinks the error along each eigenvector of H "
                     "by (1 − η λ): it converges only while "
                     "η < $2 / \\lambda_{{\\max}}$ = {limit:.4g} here. "
                     "Standardized x makes H nearly round; raw x makes a long narrow valley.",
                     "全量梯度下降每一步把沿 H 各特征向量方向的误差乘以 (1 − η λ):"
                     "只有 η < $2 / \\lambda_{{\\max}}$ = {limit:.4g} 时才收敛。"
                     "归一化后的 x 让 H 接近圆形；"
                     "原始 x 则形成又长又窄的山谷。"),
    "stability.what": ("Each cell is one run at that learning rate and batch size; its colour "
                       "is the final whole-data loss, crossed cells diverged, and a triangle "
                       "marks a run that ends above the loss it started from (heading for "
                       "divergence, as the page warns). The line is the "
                       "full-batch limit $2 / \\lambda_{\\max}$; a single batch of sorted x has "
                       "its own, "
                       "usually lower limit, which is why small ordered batches break first.",
                       "每个格子是一次训练（对应的学习率和批次大小），颜色是最终整体损失，打叉的已发散，"
                       "三角标记的最终比开始时还高（正如页面警告的，正在走向发散）。"
                       "直线是全量梯度下降的上限 $2 / \\lambda_{\\max}$；"
                       "按顺序取的单个批次有自己的、通常更低的上限，"
                       "所以小批次最先失稳。"),
    "compare.what": ("Pinned runs are drawn as faded ghosts under the current run: change one "
                     "setting and compare the two curves.",
                     "固定的训练以淡色显示在当前训练下方：改一个设置，对比两条曲线。"),
    "seeds.what": ("The band is the spread of the whole-data loss over several seeds, the line "
                   "their mean: what changes with the seed is luck, what the band keeps is the "
                   "setting's real effect.",
                   "色带是多个随机种子下整体损失的范围，线是平均值：随种子变化的是运气，"
                   "色带保持不变的才是设置的真实效果。"),
    "noise.what": ("The batch gradient $g_B$ and the whole-data gradient g as arrows at the "
                   "current step, and their cosine over the run: near 1 the batch points the "
                   "right way, near 0 or below it pulls sideways or back.",
                   "当前步的批次梯度 $g_B$ 与整体梯度 g 用箭头表示，"
                   "下方是整个训练中二者夹角的余弦："
                   "接近 1 说明批次方向正确，接近 0 或为负则偏向一侧甚至反向。"),
}


def update_rule(optimizer: str) -> str:
    """LaTeX of the update rule of ``optimizer`` (one of config.OPTIMIZERS)."""
    return UPDATE_RULES[optimizer]


def explain(view: str, lang: str, *, optimizer: str = "sgd", accumulation: int = 1,
            limit: float | None = None) -> list[Block]:
    """The explain blocks of ``view`` in ``lang``.

    ``limit`` is the largest stable full-batch learning rate of the data on
    screen (see :func:`sgdlab.theory.max_stable_lr`); its sentence is left out
    when it is None.
    """
    if view not in VIEWS:
        raise KeyError(view)

    def md(key: str, **values: object) -> Block:
        return "md", i18n.tr(TEXT, key, lang, **values)

    blocks = [md(f"{view}.what")]
    if view == "fit":
        blocks += [md("fit.gradient"), ("latex", GRADIENT)]
    if view in ("fit", "loss", "params"):
        blocks += [md("rule", optimizer=choice_label(optimizer, lang)),
                   ("latex", update_rule(optimizer))]
        if accumulation > 1:
            blocks += [md("accumulation", k=accumulation), ("latex", ACCUMULATION)]
        blocks += [md("loss"), ("latex", LOSS)]
    if view == "loss":
        blocks += [md("loss.noise"), ("latex", VARIANCE)]
    if view in ("params", "stability"):
        blocks += [("latex", HESSIAN)]
        if limit is not None:
            blocks += [md("params.limit", limit=limit)]
    if view == "noise":
        blocks += [("latex", COSINE)]
    return blocks
