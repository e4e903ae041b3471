#!/usr/bin/env bash
# Fetches the official CycloneDX 1.5 JSON schema, which tests/gen/sbom.sh
# validates each image's sbom.cdx.json against, into a cache outside the
# repository, and prints the folder holding it. Nothing is committed.
#
# The schema is written by the CycloneDX project and published in its npm
# package @cyclonedx/cyclonedx-library (res/schema/), fetched with
# `npm pack` and checked against the sha256 values pinned below: the
# package tarball, then each schema file (bom-1.5 refers to the licence
# list spdx and to jsf-0.82, so all three are kept).
#
#   cache: ${XDG_CACHE_HOME:-$HOME/.cache}/anunix/cyclonedx-schema-1.5
#
# Idempotent: with the verified files present it only prints the folder.
# Exit 0 with the folder on stdout; 1 on a failure (said on stderr); 3
# when npm is missing (`apt-get install npm`), for the test to skip.
set -euo pipefail
pkg=@cyclonedx/cyclonedx-library
version=10.3.0
tarball_sha=9833bd949052eb18218dd64b13ad62d9246f7395eef01c66dad08fcbacf74f01
schemas="7e88444a06e0924f13dc3833cda313872c772763b47a4e1ac55e77992b8f0a44  bom-1.5.SNAPSHOT.schema.json
4b345e2329f209f34e960ae2a8e7cb46a166907e6a45e94978565925dc47b359  spdx.SNAPSHOT.schema.json
8bae002c25e723db7ee1f26afde680ae1a2b1a8f6b4b4b0fd65dc3becb090aae  jsf-0.82.SNAPSHOT.schema.json"

dir=${XDG_CACHE_HOME:-$HOME/.cache}/anunix/cyclonedx-schema-1.5
if [ -d "$dir" ] && (cd "$dir" && sha256sum --quiet -c - <<<"$schemas") 2>/dev/null; then
  echo "$dir"
  exit 0
fi
command -v npm >/dev/null || { echo "cyclonedx_schema: npm is missing (apt-get install npm)" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null 2>"$tmp/npm.log") ||
  { echo "cyclonedx_schema: npm pack $pkg@$version failed: $(tail -1 "$tmp/npm.log")" >&2; exit 1; }
tgz=$(ls "$tmp"/*.tgz)
echo "$tarball_sha  $tgz" | sha256sum --quiet -c - ||
  { echo "cyclonedx_schema: $pkg@$version: tarball sha256 differs from the pinned $tarball_sha" >&2; exit 1; }
mkdir -p "$tmp/x"
tar -xzf "$tgz" -C "$tmp/x" package/res/schema
(cd "$tmp/x/package/res/schema" && sha256sum --quiet -c - <<<"$schemas") ||
  { echo "cyclonedx_schema: a schema file of $pkg@$version differs from its pinned sha256" >&2; exit 1; }
mkdir -p "$dir"
while read -r _ f; do cp "$tmp/x/package/res/schema/$f" "$dir/$f"; done <<<"$schemas"
echo "$dir"
