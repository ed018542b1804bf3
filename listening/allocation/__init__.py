"""Vote allocation: a fixed quota per clip, or adaptive to each system's target half-width.

policy.py and simulation.py are pure (numpy, scipy, analysis.stats; no Django), so the
simulation that shows adaptive allocation is honest runs the same decisions as the server.
state.py keeps a test's estimates in the cache and refreshes them in the background.
"""
