# What a training script's first line seeds, reproduced exactly.
import random
import numpy as np
import torch
from lightning import seed_everything
seed_everything(42)
print(random.random(), np.random.rand(2), torch.rand(2))
random.seed(7)
print(random.sample(range(100), 5), random.gauss(0, 1))
