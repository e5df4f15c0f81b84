"""`vetreport serve`: a local web application over an output folder and its vetreport.duckdb.

Pages (templates/, static/ — every asset is served from the package; the compare page's
diff_body.html and app.css are the writers', shared with diff.html):
reports (with each report's title, district or school, year and why it is partial), one report
(findings that need a look with their evidence and the review buttons, the appendix indicators,
sections and cases), the findings of every report in one queue (facets, search, sort, pages, review
from the keyboard), a page of a report's PDF with boxes drawn (the page behind every number: every
finding, appendix row, case and diff row links to it), compare two reports (the audit diff), and one
indicator across reports (a chart drawn as SVG on the server). The JSON API under /api is what the
pages use.

Modules: ``templating`` (the writers' Jinja2 environment with these templates), ``data`` (reading the
store and the report folders), ``queue`` (the findings of every report, filtered and counted),
``pages`` (a PDF page rendered and cached, boxes drawn), ``links`` (where a finding or row is in its
PDF), ``chart`` (SVG), ``redraw`` (a review's effects), ``app`` (routes and the security checks). Only
``app`` needs Starlette; importing this package imports nothing heavy.
"""
