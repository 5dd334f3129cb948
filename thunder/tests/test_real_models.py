"""Real model code run unmodified: an LSTM, a CNN with BatchNorm, a pipeline, model idioms.

Each test runs ``thunder.jit`` of the model (or function) next to the eager original and
compares outputs, gradients and side effects (BatchNorm running statistics), and checks that
the number of compilations stays bounded (``thunder.cache_misses``).
"""

import copy

import pytest
import torch
from torch import nn
import torch.nn.functional as F

import thunder
from thunder.tests.framework import assert_close


# nn.LSTM (batch_first, 2 layers).


def _lstm():
    torch.manual_seed(0)
    return nn.LSTM(input_size=4, hidden_size=8, num_layers=2, batch_first=True)


def _initial_states(batch):
    return torch.randn(2, batch, 8), torch.randn(2, batch, 8)


@pytest.mark.parametrize("with_initial_states", [False, True])
def test_lstm_forward_matches_eager(with_initial_states):
    lstm = _lstm()
    x = torch.randn(3, 5, 4)
    args = (x, _initial_states(3)) if with_initial_states else (x,)
    jlstm = thunder.jit(lstm)
    with torch.no_grad():
        out, (h, c) = jlstm(*args)
        expected, (expected_h, expected_c) = lstm(*args)
    assert_close(out, expected)
    assert_close(h, expected_h)
    assert_close(c, expected_c)


# nn.LSTM calls torch._VF.lstm, which Thunder does not define: it runs by eager fallback and
# its gradient re-runs it under torch's autograd (NOTE [gradients of eager fallbacks]).
@pytest.mark.parametrize("with_initial_states", [False, True])
def test_lstm_gradients_match_eager(with_initial_states):
    lstm = _lstm()
    x = torch.randn(3, 5, 4, requires_grad=True)
    states = _initial_states(3) if with_initial_states else None

    def loss_of(module):
        out, (h, c) = module(x, states) if states is not None else module(x)
        return out.pow(2).sum() + h.sum() + c.mean()

    loss = loss_of(thunder.jit(lstm))
    grads = torch.autograd.grad(loss, [x, *lstm.parameters()])
    expected = loss_of(lstm)
    expected_grads = torch.autograd.grad(expected, [x, *lstm.parameters()])
    assert_close(loss, expected)
    for grad, expected_grad in zip(grads, expected_grads):
        assert_close(grad, expected_grad, atol=1e-5, rtol=1e-4)


def _assert_grads_and_buffers_match(model, eager_model):
    """Parameter gradients and buffers (running statistics) of a jitted model match eager's."""
    for (name, p), expected_p in zip(model.named_parameters(), eager_model.parameters()):
        assert_close(p.grad, expected_p.grad, atol=1e-5, rtol=1e-4), name
    for (name, b), expected_b in zip(model.named_buffers(), eager_model.buffers()):
        assert_close(b, expected_b), name


# A small CNN with BatchNorm in train mode.


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = nn.functional.relu(self.bn2(self.conv2(x)), inplace=True)
        x = nn.functional.max_pool2d(x, 2)
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def test_cnn_with_batchnorm_training_steps_match_eager():
    torch.manual_seed(0)
    cnn = SmallCNN().train()
    eager_cnn = copy.deepcopy(cnn)
    jcnn = thunder.jit(cnn)
    optimizer = torch.optim.SGD(cnn.parameters(), lr=0.1)
    eager_optimizer = torch.optim.SGD(eager_cnn.parameters(), lr=0.1)
    for _ in range(3):
        x = torch.randn(4, 3, 10, 10)
        labels = torch.randint(0, 4, (4,))
        out = jcnn(x)
        expected = eager_cnn(x)
        assert_close(out, expected)
        nn.functional.cross_entropy(out, labels).backward()
        nn.functional.cross_entropy(expected, labels).backward()
        _assert_grads_and_buffers_match(cnn, eager_cnn)
        optimizer.step()
        eager_optimizer.step()
        optimizer.zero_grad()
        eager_optimizer.zero_grad()
    assert cnn.bn1.num_batches_tracked.item() == 3
    assert thunder.cache_misses(jcnn) == 1


# InstanceNorm with running statistics in train mode (then eval mode, which uses them).


class InstanceNormNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.norm = nn.InstanceNorm2d(4, affine=True, track_running_stats=True, momentum=0.2)

    def forward(self, x):
        return torch.tanh(self.norm(self.conv(x))).mean((2, 3))


def test_instance_norm_running_stats_training_steps_match_eager():
    torch.manual_seed(0)
    net = InstanceNormNet().train()
    eager_net = copy.deepcopy(net)
    jnet = thunder.jit(net)
    for _ in range(3):
        x = torch.randn(2, 3, 5, 5)
        out, expected = jnet(x), eager_net(x)
        assert_close(out, expected)
        (out * torch.arange(4.0)).sum().backward()
        (expected * torch.arange(4.0)).sum().backward()
        _assert_grads_and_buffers_match(net, eager_net)
        net.zero_grad()
        eager_net.zero_grad()
    assert not torch.equal(net.norm.running_var, torch.ones(4))
    net.eval()
    eager_net.eval()
    x = torch.randn(2, 3, 5, 5)
    with torch.no_grad():
        assert_close(jnet(x), eager_net(x))
    assert thunder.cache_misses(jnet) == 2


def test_functional_instance_norm_updates_running_statistics_as_eager():
    def fn(x, running_mean, running_var):
        return F.instance_norm(x, running_mean, running_var, momentum=0.3)

    x = torch.randn(3, 2, 6, requires_grad=True)
    stats, expected_stats = (torch.zeros(2), torch.ones(2)), (torch.zeros(2), torch.ones(2))
    out = thunder.jit(fn)(x, *stats)
    expected = fn(x, *expected_stats)
    assert_close(out, expected)
    assert_close(stats, expected_stats)
    grad, = torch.autograd.grad(out.pow(2).sum(), x)
    expected_grad, = torch.autograd.grad(expected.pow(2).sum(), x)
    assert_close(grad, expected_grad)
    with pytest.raises(ValueError, match="both be None"):
        thunder.jit(fn)(x, stats[0], None)


# A pipeline: pure-Python tokenization, a model, and the argmax mapped back to strings.


VOCAB = {"<pad>": 0, "<unk>": 1, "the": 2, "cat": 3, "sat": 4, "on": 5, "mat": 6, "a": 7,
         "dog": 8, "ran": 9}
WORDS = {index: word for word, index in VOCAB.items()}


class TinyTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(len(VOCAB), 16, padding_idx=0)
        self.proj = nn.Linear(16, len(VOCAB))

    def forward(self, ids):
        return self.proj(torch.tanh(self.embedding(ids)))


def tokenize(texts):
    """Word ids per text, padded with ``<pad>`` to the longest text."""
    rows = [[VOCAB.get(word, VOCAB["<unk>"]) for word in text.lower().split()] for text in texts]
    longest = max(len(row) for row in rows)
    return [row + [VOCAB["<pad>"]] * (longest - len(row)) for row in rows]


def make_pipeline(model):
    def pipeline(texts):
        ids = torch.tensor(tokenize(texts), dtype=torch.long)
        predicted = model(ids).argmax(-1)
        return [" ".join(WORDS[i] for i in row) for row in predicted.tolist()]
    return pipeline


def test_pipeline_with_python_tokenizer_matches_eager():
    torch.manual_seed(0)
    tagger = TinyTagger().eval()
    pipeline = make_pipeline(tagger)
    jpipeline = thunder.jit(pipeline)
    calls = [
        ["the cat sat on the mat", "a dog ran"],
        ["A dog sat on a cat", "the mat ran"],
        ["the zebra ran", "cat"],  # a different shape and an unknown word
        ["the cat sat on the mat", "a dog ran"],  # seen before: a cache hit
    ]
    with torch.no_grad():
        for texts in calls:
            out = jpipeline(texts)
            assert isinstance(out, list) and all(isinstance(s, str) for s in out)
            assert out == pipeline(texts)
    # Python strings are specialised by value (the prologue compares them), so each distinct
    # list of texts is one compilation and a repeated one is a cache hit.
    assert thunder.cache_misses(jpipeline) == 3
    assert thunder.cache_hits(jpipeline) == 1
