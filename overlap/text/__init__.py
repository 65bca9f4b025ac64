"""Text before any comparison: what is prose, its folded form, its units and its words.

``screen`` sets aside what is not prose; ``normalize`` folds text and keeps an offset map
to the original; ``segment`` cuts lines, paragraphs and sentences as spans of the original;
``shingle`` is the one definition of a word and a word shingle in every script
(``charclasses`` holds its Unicode tables); ``words`` is the one stemmer and stopword list;
``boilerplate`` recognises repeated lines; ``quotes`` finds statements and their speakers;
``language`` tells English statements from others. Modules here depend on nothing else
in the package but ``model``, ``params`` and ``errors``, so every later stage can use them.
"""
