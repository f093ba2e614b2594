"""Benches: `make bench` (bench.http) and `make bench-realtime` (bench.realtime)."""
