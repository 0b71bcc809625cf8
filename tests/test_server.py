"""sgdlab/ui/server.py: the first request meets a server that has done its first run's work.

The browser tests serve the app through it (tests/browser/conftest.py's app_url).
"""

from __future__ import annotations

import pytest

from sgdlab import DataConfig, TrainConfig, i18n


def test_the_warm_up_leaves_a_first_visitors_page_in_the_caches(monkeypatch) -> None:
    from sgdlab.ui import live, process, server

    server.warm_up()

    def no_training(*args: object) -> None:
        raise AssertionError("trained again: the warm-up left nothing for this")

    monkeypatch.setattr(process, "in_worker", no_training)
    monkeypatch.setattr(process, "train_run", no_training)
    history = live.cached_train(DataConfig(), TrainConfig())
    assert live.cached_family(history.data, live.family_config(TrainConfig())) is not None
    for lang in i18n.LANGS:
        blob = live.cached_blob(history.data, DataConfig(), TrainConfig(), history, lang, 20,
                                False, False, "png")
        assert blob[:4] == b"SGDL"
    with pytest.raises(AssertionError):  # (what is not warmed does train)
        live.cached_train(DataConfig(seed=77), TrainConfig())
