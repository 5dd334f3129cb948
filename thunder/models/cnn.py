"""A small convolutional network for the benchmarks: two conv-BatchNorm-ReLU blocks (and optionally
more), pooling and a linear classifier (images of 3 x 32 x 32, 10 classes)."""

import torch
from torch import nn


class SmallCNN(nn.Module):
    """``extra_blocks`` more conv-BatchNorm-ReLU blocks (2 x channels, stride 1) make it deeper."""

    def __init__(self, channels: int = 16, classes: int = 10, extra_blocks: int = 0):
        super().__init__()
        self.conv1 = nn.Conv2d(3, channels, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, 2 * channels, 3, padding=1, stride=2)
        self.bn2 = nn.BatchNorm2d(2 * channels)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(2 * channels, 2 * channels, 3, padding=1),
                          nn.BatchNorm2d(2 * channels), nn.ReLU())
            for _ in range(extra_blocks))
        self.head = nn.Linear(2 * channels, classes)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        for block in self.blocks:
            x = block(x)
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.head(x)
