#!/usr/bin/env bash
# The whole test suite: Rust format, lints and unit tests, Python lints and tests.
# Run from the repository root with qsample installed (pip install ".[test]").
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy -- -D warnings (core, benches, bindings)"
cargo clippy --all-targets -- -D warnings
cargo clippy --features python -- -D warnings
echo "== cargo test"
cargo test
echo "== ruff check, ruff format --check"
ruff check .
ruff format --check .
echo "== mypy (the annotations py.typed promises)"
mypy
echo "== pytest"
# pytest exits 5 when it collects no test; with `set -e` that fails the run.
python -m pytest
