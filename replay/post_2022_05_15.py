# The code of "A neural network for Fashion MNIST data" (Alex Strick van Linschoten, 15 May 2022,
# https://mlops.systems/posts/2022-05-15-fashion-mnist-neural-network.html), its code cells in order, as published.
# Usage: python post_2022_05_15.py ROOT OUT.json  (ROOT: a folder whose FashionMNIST/raw/ holds the four verified
# files; run by replay/run.py with MPLBACKEND=Agg, on the 2022 stack and on today's). Runs on Python 3.8 and later.
# What differs from the post, as a diff (every other line of the post's code is verbatim):
#   - !pip install -Uqq fastbook nbdev torch     dropped: each environment is built from its lock file
#   -     root="data",                           (twice)
#   +     root=ROOT,                             the project's verified data root (fashion_nn.data.prepare_raw)
#   -     download=True,                         (twice)
#   +     download=False,                        never touch the network; the driver checked the raw files are there
#                                                (torchvision would skip the download for them anyway, but unchecked)
#   + the lines marked `# replay:` (ROOT and OUT from the command line, and writing learn.recorder.values to OUT)
import sys as _sys, json as _json, time as _time, platform as _platform  # replay: (underscored: star imports skip them)
ROOT, _OUT = _sys.argv[1], _sys.argv[2]  # replay:
_t0 = _time.time()  # replay:

import fastbook
fastbook.setup_book()

from fastai.vision.all import *
from fastbook import *
import torch
from torch.utils.data import Dataset
from torchvision import datasets
from torchvision.transforms import ToTensor
import matplotlib.pyplot as plt

training_data = datasets.FashionMNIST(
    root=ROOT,
    train=True,
    download=False,
    transform=ToTensor()
)

test_data = datasets.FashionMNIST(
    root=ROOT,
    train=False,
    download=False,
    transform=ToTensor()
)

training_dresses = [item[0][0] for item in training_data if item[1] == 3]
training_pullovers = [item[0][0] for item in training_data if item[1] == 2]
test_dresses = [item[0][0] for item in test_data if item[1] == 3]
test_pullovers = [item[0][0] for item in test_data if item[1] == 2]

training_dresses_tensor = torch.stack(training_dresses)
training_pullovers_tensor = torch.stack(training_pullovers)
test_dresses_tensor = torch.stack(test_dresses)
test_pullovers_tensor = torch.stack(test_pullovers)

train_x = torch.cat([training_dresses_tensor, training_pullovers_tensor]).view(-1, 28*28)
train_y = torch.cat([torch.ones(len(training_dresses)), torch.zeros(len(training_pullovers))]).unsqueeze(1)

valid_x = torch.cat([test_dresses_tensor, test_pullovers_tensor]).view(-1, 28*28)
valid_y = torch.cat([torch.ones(len(test_dresses)), torch.zeros(len(test_pullovers))]).unsqueeze(1)

train_dset = list(zip(train_x, train_y))
valid_dset = list(zip(valid_x, valid_y))

train_dl = DataLoader(train_dset, batch_size=256, shuffle=True)
valid_dl = DataLoader(valid_dset, batch_size=256, shuffle=True)

dls = DataLoaders(train_dl, valid_dl)

def initialise_params(size, std=1.0):
    return (torch.randn(size) * std).requires_grad_()

def fashion_mnist_loss(predictions, targets):
    predictions = predictions.sigmoid()
    return torch.where(targets==1, 1 - predictions, predictions).mean()

def batch_accuracy(x_batch, y_batch):
    preds = x_batch.sigmoid()
    correct = (preds > 0.5) == y_batch
    return correct.float().mean()

weights1 = initialise_params((28*28, 30))
bias1 = initialise_params(30)
weights2 = initialise_params((30, 1))
bias2 = initialise_params(1)

def simple_network(x_batch):
    result = x_batch@weights1 + bias1
    result = result.max(tensor(0.0))
    result = result@weights2 + bias2
    return result

plot_function(F.relu)

simple_net = nn.Sequential(
    nn.Linear(28*28, 30),
    nn.ReLU(),
    nn.Linear(30, 1)
)

learn = Learner(dls, simple_net, opt_func=SGD, loss_func=fashion_mnist_loss, metrics=batch_accuracy)
learn.fit(30, 0.1)

plt.plot(L(learn.recorder.values).itemgot(2))

learn.recorder.values[-1][2]

import importlib as _importlib  # replay: what ran, and what it gave
def _version(name):  # replay:
    try: return _importlib.import_module(name).__version__  # replay:
    except Exception: return None  # replay:
_pkgs = ['torch', 'torchvision', 'fastai', 'fastcore', 'fastbook', 'numpy', 'matplotlib', 'PIL']  # replay:
with open(_OUT, 'w') as f:  # replay:
    _json.dump(dict(python=_platform.python_version(), versions={p: _version(p) for p in _pkgs},  # replay:
                   threads=torch.get_num_threads(), seconds=round(_time.time() - _t0, 1),  # replay:
                   rows=[[float(v) for v in r] for r in learn.recorder.values]), f, indent=1)  # replay:
