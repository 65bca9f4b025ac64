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

#: The graph file formats a scan or ``overlap graph`` can write. Defined here, not in
#: :mod:`overlap.graph.formats`, so the command line can offer them without importing networkx.
GRAPH_FORMATS = ("gexf", "graphml", "json", "csv")
