"""The reuse graphs: who reused whom, as graphs and as files.

* :mod:`overlap.graph.build`: matches and documents -> the document graph
  and the source (outlet) graph (networkx ``DiGraph``), and a layout for
  drawing one;
* :mod:`overlap.graph.formats`: those graphs as GEXF 1.3, GraphML,
  node-link JSON and CSV;
* :mod:`overlap.graph.dates`: ordering publication dates, shared with the
  reports' timelines.

networkx is imported in this package only.
"""
