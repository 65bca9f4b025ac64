"""Time and size of report and graph generation for a scan, against the plain networkx way.

Usage:
    python bench/report.py ../shared/data/reuters21578/reuters21578_docs.jsonl.gz \
        --id-field newid --text-field body

Scans the input once, then times each renderer on the result (best of
--repeat runs): report.md, report.html, the document and source graphs, our
GEXF 1.3 writer against networkx's own ``write_gexf`` (GEXF 1.2draft) on the
same graph, and the whole ``write_scan``. Prints sizes of the files written,
then reads graph.gexf back with ``networkx.read_gexf`` and checks that its
edges' counts add up to matches.jsonl.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import networkx as nx

from overlap.graph.build import KINDS, document_graph, source_graph
from overlap.graph.formats import gexf_bytes
from overlap.report.html import render_html
from overlap.ingest import FieldMap, read_documents
from overlap.pipeline import scan
from overlap.report.folder import write_scan
from overlap.report.markdown import render_markdown


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    fields = FieldMap(id=args.id_field, text=args.text_field)
    t = time.perf_counter()
    with scan(read_documents([args.path], fields=fields)) as result:
        print(f"scan: {len(result.documents):,} documents, {len(result.matches):,} matches, "
              f"{time.perf_counter() - t:.2f}s")
        rows = []
        t_md, md = _best(lambda: render_markdown(result), args.repeat)
        rows.append(("report.md", t_md, len(md.encode())))
        t_html, page = _best(lambda: render_html(result), args.repeat)
        rows.append(("report.html", t_html, len(page.encode())))
        t_dg, dg = _best(lambda: document_graph(result), args.repeat)
        rows.append(("document graph (networkx)", t_dg, dg.number_of_edges()))
        t_sg, _ = _best(lambda: source_graph(result, dg), args.repeat)
        rows.append(("source graph", t_sg, 0))
        t_ours, gexf = _best(lambda: gexf_bytes(dg), args.repeat)
        rows.append(("graph.gexf, our GEXF 1.3 writer", t_ours, len(gexf)))

        def plain() -> bytes:
            buf = io.BytesIO()
            nx.write_gexf(dg, buf)
            return buf.getvalue()

        t_plain, plain_gexf = _best(plain, args.repeat)
        rows.append(("graph.gexf, networkx write_gexf 1.2draft", t_plain, len(plain_gexf)))
        with tempfile.TemporaryDirectory() as tmp:
            t_all, _ = _best(lambda: write_scan(result, Path(tmp) / "out"), args.repeat)
            sizes = {p.name: p.stat().st_size for p in sorted((Path(tmp) / "out").iterdir())}
            back = nx.read_gexf(Path(tmp) / "out" / "graph.gexf", version="1.3")
            kinds = Counter(json.loads(l)["kind"] for l in (Path(tmp) / "out" / "matches.jsonl").open())
        rows.append(("write_scan (all files)", t_all, sum(sizes.values())))
    for name, secs, size in rows:
        print(f"{name:<42} {secs * 1000:9.1f} ms  {size:>12,}")
    print(f"GEXF writer ratio ours/networkx: {t_ours / t_plain:.2f}x time, {len(gexf) / len(plain_gexf):.2f}x size")
    for name, size in sizes.items():
        print(f"  {name:<20} {size:>12,} bytes")
    got = Counter()
    for _, _, d in back.edges(data=True):
        for k in KINDS:
            got[k] += d[k]
    ok = all(got[k] == kinds.get(k, 0) for k in KINDS)
    print(f"graph.gexf read back: {back.number_of_nodes():,} nodes, {back.number_of_edges():,} edges, "
          f"counts {dict(got)} vs matches.jsonl {dict(kinds)}: {'OK' if ok else 'MISMATCH'}")


if __name__ == "__main__":
    main()
