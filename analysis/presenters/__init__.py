"""Three ways to show one ReportResults: the page (page.py), the files (files.py) and the API
(api.py). They format what the results hold and compute no statistics."""
