"""Claims across a corpus: statements that say the same thing in other words.

The tier's stages, one module each, in the order they run
(:func:`overlap.claims.find.find_claims` composes them):

============== =================================================================
``statements`` sentences and quotes that may carry a claim, and their clauses
``gate``       which statements a model may score at all (English, not a list of names, ...)
``candidates`` content-word LSH with the template rule, nearest embeddings, filters
``signals``    what a pair model reads from two statements
``embed``      the optional ONNX sentence encoder (paraphrase-MiniLM-L3-v2)
``scorer``     the fitted same-statement (MRPC) and same-claim (STS-B) models
``score``      candidates to scores in batches; where a pair model plugs in
``decide``     scores to paraphrase and claim matches
``clusters``   anchored star claim clusters
``find``       the entry: documents in, matches, claim clusters and counts out
``pairs_io``   ``overlap score``: pairs of texts as JSON lines
============== =================================================================

This package's ``__init__`` imports nothing, so that its modules import one
another without a cycle through the package.
"""
