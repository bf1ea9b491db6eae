__version__ = "0.0.1"

# torch 2.14 deprecates `torch.jit.script`, which fastai calls as it is imported: a warning for fastai's maintainers,
# not for readers of the series. Set here, so that it holds whichever module of the package is imported first.
import warnings as _warnings
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
