"""Simulated crowds over real HTTP: raters with behaviours (behaviour.py) driving the rater pages
as a browser does (browser.py, page.py, rater.py), what they know (oracle.py), a crowd of them
(run.py) and the integrity check after it (integrity.py). `manage.py simulate_crowd`, the fault
tests and bench/soak.py use it."""
