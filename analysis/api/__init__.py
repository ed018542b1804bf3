"""The REST API's results and reports: analysts and organizers read every table of a test's
report (the same ReportResults as its page and files, from screened votes) and build reports.
results.py: the tables, the ranking, the exclusions and the metrics; reports.py: the builds
and their files."""
