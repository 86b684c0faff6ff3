# torch's CPU generator: every dtype; results change at 16 elements, as in torch.
import torch
torch.manual_seed(42)
print(torch.rand(5))
print(torch.randn(3, dtype=torch.float64))
print(torch.randn(17)[-3:])
print(torch.randint(0, 10, (2, 4)))
x = torch.empty(6, dtype=torch.bfloat16).normal_(0, 1)
print(x)
state = torch.get_rng_state()
a = torch.rand(2)
torch.set_rng_state(state)
print(a, torch.rand(2))
