"""What a scan leaves for people and programs: the scan folder and the reports in it.

* :mod:`overlap.report.folder`: the scan folder format, written
  (:func:`~overlap.report.folder.write_scan`) and read back
  (:func:`~overlap.report.folder.load_scan`) in one module;
* :mod:`overlap.report.markdown`: ``report.md``;
* :mod:`overlap.report.html`: ``report.html`` and its further pages, made
  with :mod:`overlap.report.pages` and the pictures of :mod:`overlap.report.svg`;
* :mod:`overlap.report.terminal`: the summary printed after a scan;
* :mod:`overlap.report.journey`: which outlets carried a claim, and when;
* :mod:`overlap.report.highlight`: the words two passages share;
* :mod:`overlap.report.escape`: untrusted text made safe for HTML, Markdown
  and spreadsheets;
* :mod:`overlap.report.phrases`: the wording both reports share.
"""
