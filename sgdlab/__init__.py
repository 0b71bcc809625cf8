"""sgdlab: an interactive lab for how stochastic gradient descent behaves.

    >>> from sgdlab import DataConfig, TrainConfig, train
    >>> history = train(DataConfig(), TrainConfig())
    >>> history.notebook_lines()[-1]
    'Step 20, Loss:  1.27; Result: y = 9.94 * x + 5.21'
"""

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import Data, make_data
from sgdlab.history import History
from sgdlab.train import train

__all__ = ["Data", "DataConfig", "History", "TrainConfig", "make_data", "train"]
