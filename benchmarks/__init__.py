"""Benchmarks of the platform at a given history size (not part of the test suite).

    python -m benchmarks run --sizes 20000,100000 --repeat 1

Each measured step runs in its own subprocess so its wall time and peak RSS are its own; the
emulated vendor APIs run in the runner's process. Results go to a printed table and BENCHMARKS.md.
"""
