"""The explain panels: what a view shows, the update rule and the loss, in words and LaTeX."""

from __future__ import annotations

import streamlit as st

from sgdlab import explain, i18n, theory
from sgdlab.ui.context import Run


def explain_ui(run: Run, view: str) -> None:
    """An expander that explains ``view``: what it shows, the update rule and loss in LaTeX."""
    limit = theory.max_stable_lr(theory.data_hessian(run.data))
    blocks = explain.explain(view, run.lang, optimizer=run.train_config.optimizer,
                             accumulation=run.train_config.accumulation, limit=limit)
    # One markdown element, formulas as $$ display maths (KaTeX, as st.latex draws
    # them): an element per block is as many messages on every rerun.
    text = "\n\n".join(f"$$\n{body}\n$$" if kind == "latex" else body for kind, body in blocks)
    key = f"title.{view}" if f"title.{view}" in explain.TEXT else "title"  # three in one tab
    with st.expander(i18n.tr(explain.TEXT, key, run.lang), icon=":material/lightbulb:"):
        st.markdown(text)
