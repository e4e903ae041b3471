"""Validates SBOM files against the official CycloneDX 1.5 JSON schema.

Usage: sbom_schema.py SCHEMA_DIR FILE...  (SCHEMA_DIR from scripts/cyclonedx_schema.sh)
Prints "valid FILE" or "invalid FILE: REASON" per file; exits 1 when one is invalid.
bom-1.5 refers to spdx and jsf-0.82 by relative names: they are served from SCHEMA_DIR,
never fetched. Works with Debian 12's python3-jsonschema (4.10, RefResolver) and with
newer ones (the referencing registry).
"""
import json
import os
import sys

import jsonschema

BASE = "http://cyclonedx.org/schema/"
FILES = ["bom-1.5.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]


def validator(schema_dir):
    docs = {BASE + f: json.load(open(os.path.join(schema_dir, f))) for f in FILES}
    main = docs[BASE + FILES[0]]
    cls = jsonschema.Draft7Validator
    cls.check_schema(main)
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
    except ImportError:
        resolver = jsonschema.RefResolver(BASE + FILES[0], main, store=docs)
        return cls(main, resolver=resolver)
    registry = Registry().with_resources(
        (uri, Resource.from_contents(d, default_specification=DRAFT7)) for uri, d in docs.items())
    return cls(main, registry=registry)


def main():
    v = validator(sys.argv[1])
    failed = 0
    for f in sys.argv[2:]:
        errors = sorted(v.iter_errors(json.load(open(f))), key=lambda e: list(e.absolute_path))
        if errors:
            failed += 1
            e = errors[0]
            print("invalid %s: %s at /%s" % (f, e.message[:300], "/".join(map(str, e.absolute_path))))
        else:
            print("valid %s" % f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
