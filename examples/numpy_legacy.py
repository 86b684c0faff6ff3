# NumPy's legacy global stream (np.random.*), exactly.
import numpy as np
np.random.seed(0)
print(np.random.rand(3))
print(np.random.randn(2, 3))
print(np.random.randint(0, 10, 10))
print(np.random.choice(10, 5, replace=False))
print(np.random.permutation(10))
state = np.random.get_state()
a = np.random.standard_normal(4)
np.random.set_state(state)
b = np.random.standard_normal(4)
print(a)
print(b)
