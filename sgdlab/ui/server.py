"""The dashboard's server: app.py behind Streamlit's ASGI app, warmed before it listens.

    streamlit run sgdlab/ui/server.py        # what `make run` and the Docker image run

A new server has nothing in its caches and no training worker yet: the first student
waited for torch to load, the workers to start and the notebook's run and its family to
be trained. The lifespan hook does all that before the server takes its first request,
so the first visitor meets the page as every later one does. ``streamlit run app.py``
still works, unwarmed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st

log = logging.getLogger(__name__)
APP = Path(__file__).resolve().parents[2] / "app.py"


def warm_up() -> None:
    """Start the training workers and compute what a first visitor's page opens on."""
    from sgdlab import i18n, styles
    from sgdlab.config import DataConfig, TrainConfig
    from sgdlab.ui import classroom, controls, data_source, export, lab, live, process  # noqa: F401

    start = time.perf_counter()
    process.per_run_settings()  # one torch thread here; starts the workers
    data_config, config = DataConfig(), TrainConfig()
    history = live.cached_train(data_config, config)
    for lang in i18n.LANGS:
        live.cached_blob(history.data, data_config, config, history, lang, history.steps,
                         False, False, styles.IMAGE_FORMATS[0])
    log.info("sgdlab warmed up in %.1f s", time.perf_counter() - start)


@asynccontextmanager
async def _warmed(_app: Any) -> AsyncIterator[None]:
    await asyncio.to_thread(warm_up)
    yield


app = st.App(str(APP), lifespan=_warmed)
