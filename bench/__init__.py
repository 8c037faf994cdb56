"""Benchmarks of the toolkit: `python -m bench` (or `./bench/run`) prints one markdown table.

Everything runs on loopback, every run is bounded in time, and every comparison (emulator vs Prism,
emulator vs a bare Starlette handler, client vs raw httpx) is measured in the same run, because the
machines this runs on are shared and noisy: the ratios are what count, not the absolute figures.
"""
