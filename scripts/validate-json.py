#!/usr/bin/env python3
"""Validates each line of an NDJSON file against a JSON Schema (draft 2020-12) with the `jsonschema`
package, a validator independent of our Swift code.

    python3 scripts/validate-json.py SCHEMA.json FILE.ndjson

Prints one line per invalid document (`line N: path: message`) and a summary `N valid, M invalid`;
exits 1 when any document is invalid, 2 when the files cannot be read or jsonschema is missing.
"""
import json
import sys

try:
    from jsonschema import Draft202012Validator
except ImportError:
    print("python3 module jsonschema is missing: pip install jsonschema (scripts/test.sh installs it)")
    sys.exit(2)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    try:
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
    except OSError as e:
        print(f"cannot read: {e}")
        sys.exit(2)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    valid = invalid = 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: list(e.absolute_path))
        if errors:
            invalid += 1
            for e in errors[:5]:
                path = ".".join(str(p) for p in e.absolute_path) or "(document)"
                print(f"line {n}: {path}: {e.message[:200]}")
        else:
            valid += 1
    print(f"{valid} valid, {invalid} invalid")
    sys.exit(1 if invalid else 0)


if __name__ == "__main__":
    main()
