#!/usr/bin/python3
"""ResNet152 (torchvision, random weights, fc = Identity -> 2048-d) in Python torch: traces it in
eval mode to a TorchScript file for DJL, and measures Python's own forward throughput on the same
input size, batch and thread count. Prints one line in the format of 'xray-drift bench embed'.

usage: resnet152_torch.py OUT.pt BATCH N THREADS
"""
import sys
import time

import torch
import torchvision

out, batch, n, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torchvision.models.resnet152(weights=None)
model.fc = torch.nn.Identity()
model.eval()
x = torch.rand(batch, 3, 224, 224)
with torch.no_grad():
    traced = torch.jit.trace(model, x[:1])
    traced.save(out)
    for _ in range(3):
        traced(x)
    batches = max(1, (n + batch - 1) // batch)
    times = []
    began = time.perf_counter()
    for _ in range(batches):
        t0 = time.perf_counter()
        traced(x)
        times.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - began
times.sort()
print("model=resnet152 device=cpu batch=%d threads=%d img_per_s=%.2f p50_ms=%.1f p99_ms=%.1f dim=2048 runtime=python-torch-%s"
      % (batch, threads, batches * batch / seconds, times[len(times) // 2],
         times[min(len(times) - 1, int(len(times) * 0.99 + 0.999) - 1)], torch.__version__))
