# The question seedbridge answers: the same seed in NumPy and PyTorch.
import numpy as np, torch
np.random.seed(42);  print(np.random.rand(5))   # [0.37454012 0.95071431 0.73199394 0.59865848 0.15601864]
torch.manual_seed(42); print(torch.rand(5))     # tensor([0.8823, 0.9150, 0.3829, 0.9593, 0.3904])
