"""Implementations kept as they were before an optimisation, for tests that compare the new
code with them row for row (oracles): v0 is the code of commit 7067caa, before issue 16's
refresh speed-up."""
