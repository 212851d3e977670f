"""Benchmarks: measured, reported, never asserted in tests."""
