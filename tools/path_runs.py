#!/usr/bin/env python3
"""One run of the series' two longest fits on the numeric path this process is on, as JSON on stdout.

    tools/numeric_path.py run -- python tools/path_runs.py     (with ATEN_CPU_CAPABILITY etc. set as wanted)

The post's recipe on `pair_dls(seed=42)` (05's 30 rows) and 07's `fit_one_cycle(10, 6e-3)` on all ten classes
(batches of 512), built exactly as the notebooks build them, then 07's confusion matrix. nbs/93_numeric_paths.ipynb
runs it on several paths and compares the results.
"""
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import numeric_path

def main():
    from fashion_nn.learner import fit_post
    from fashion_nn.ten_classes import ten_class_dls, ten_class_learner, confusion_matrix
    post = fit_post(seed=42)
    dls = ten_class_dls(bs=512, seed=42)
    dls.one_batch()  # as 07 does before building its learner: it draws from the same random state
    learn = ten_class_learner(dls)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(10, 6e-3)
    ten = [list(map(float, r)) for r in learn.recorder.values]  # before get_preds, which starts a new recording
    with learn.no_bar(): probs, targs = learn.get_preds(dl=dls.valid)
    json.dump(dict(path=numeric_path.current(), post=[list(map(float, r)) for r in post.recorder.values], ten=ten,
                   cm=confusion_matrix(probs, targs).tolist()), sys.stdout)

if __name__ == '__main__': main()
