"""Validates manifests against the manifest's JSON Schema (`anx schema`, draft 2020-12).

Usage: manifest_schema.py SCHEMA FILE...
Prints one line per file: "valid FILE", "invalid FILE: REASON", or "unreadable FILE:
REASON" for a file that is no YAML document (a syntax error rejects it before any
schema). Exits 0; the caller decides which result each file must have.
"""
import json
import sys

import jsonschema
import yaml


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    for f in sys.argv[2:]:
        try:
            doc = yaml.safe_load(open(f, encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            print("unreadable %s: %s" % (f, str(e).splitlines()[0]))
            continue
        errors = list(v.iter_errors(doc))
        if not errors:
            print("valid %s" % f)
            continue
        e = min(errors, key=lambda e: len(e.absolute_path))
        print("invalid %s: %s at /%s" % (f, e.message[:200], "/".join(map(str, e.absolute_path))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
