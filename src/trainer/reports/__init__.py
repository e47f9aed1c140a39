"""Reports out: Jinja2 templates (the top-level reports/ folder, or a city's copy) to HTML and PDF.

``views`` turns the rules' results into plain rows for templates; ``render`` fills the templates
(autoescape on) and makes PDFs with WeasyPrint, with a Japanese font and no network access.
"""
