"""Shared passages: the same text, rewritten or not, in two documents.

- :mod:`~overlap.passages.align`: two texts -> their shared passages, with exact offsets in both;
- :mod:`~overlap.passages.corpus`: a whole corpus -> the pairs worth aligning (window LSH) -> passages;
- :mod:`~overlap.passages.pairfiles`: the pairs listed in a pairs file (``overlap compare --pairs``);
- :mod:`~overlap.passages.pool`: the worker processes those pairs are aligned in.
"""
