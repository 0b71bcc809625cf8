"""Shared test settings: one torch thread (as the app uses) and a fast hypothesis profile."""

import torch
from hypothesis import HealthCheck, settings

torch.set_num_threads(1)
settings.register_profile("sgdlab", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sgdlab")
