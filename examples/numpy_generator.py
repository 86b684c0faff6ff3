# NumPy's Generator API on every bit generator.
import numpy as np
rng = np.random.default_rng(7)
print(rng.random(4))
print(rng.standard_normal(3, dtype=np.float32))
print(rng.integers(0, 100, 8))
print(rng.choice(20000, 5, replace=False))
print(np.random.Generator(np.random.Philox(1)).random(2))
print(np.random.Generator(np.random.SFC64(1)).standard_normal(2))
print(np.random.Generator(np.random.MT19937(1)).integers(0, 10, 5))
