# torch.cuda streams without a GPU (CPU emulation; pass --gpu to pick the GPU's launch geometry).
import torch
torch.manual_seed(0)
print(torch.rand(4, device='cuda'))    # tensor([0.3990, 0.5167, 0.0249, 0.9401], device='cuda:0')
print(torch.rand(4, device='cuda'))    # tensor([0.9722, 0.7910, 0.4690, 0.3300], device='cuda:0')
print(torch.cuda.get_rng_state())
g = torch.Generator(device='cuda').manual_seed(7)
print(torch.randint(0, 100, (6,), device='cuda', generator=g))
print(g.get_offset())
