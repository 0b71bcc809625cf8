"""sgdlab/ui/server.py: the first request meets a server that has done its first run's work.

The browser tests serve the app through it (tests/browser/conftest.py's app_url).
"""

from __future__ import annotations



def test_the_warm_up_fills_the_caches_a_first_visitor_reads() -> None:
    from sgdlab import DataConfig, TrainConfig
    from sgdlab.ui import live, server

    server.warm_up()
    history = live.cached_train(DataConfig(), TrainConfig())
    assert live.cached_family(history.data, live.family_config(TrainConfig())) is not None
