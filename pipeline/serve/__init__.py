"""`vetreport serve`: a local web application over an output folder and its vetreport.duckdb.

Pages (templates/, static/ — every asset is served from the package; the compare page's
diff_body.html and app.css are the writers', shared with diff.html):
reports, one report (findings that need a look with their evidence and the
review buttons, the appendix indicators, sections and cases), compare two
reports (the audit diff), and one indicator across reports (a chart drawn
as SVG on the server). The JSON API under /api is what the pages use.

Modules: ``templating`` (the writers' Jinja2 environment with these templates), ``data`` (reading the
store and the report folders), ``chart`` (SVG), ``app`` (routes and the
security checks). Only ``app`` needs Starlette; importing this package
imports nothing heavy.
"""
