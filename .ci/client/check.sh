#!/usr/bin/env bash
# Checks an OpenAPI JSON document: every `$ref` resolves, it passes an OpenAPI 3.1
# validator, and a typed TypeScript client generated from it (openapi-typescript and
# openapi-fetch) compiles under `tsc --strict`. Exits non-zero on any failure.
# Usage: bash .ci/client/check.sh openapi/openapi.json
set -euo pipefail

doc=$(realpath "${1:?usage: check.sh <openapi.json>}")
cd "$(dirname "$0")"

echo "--- \$ref: every reference resolves inside $1"
python3 refs.py "$doc"

echo "--- OpenAPI 3.1 validation (openapi-spec-validator)"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/quartier-ci/venv"
validator=openapi-spec-validator==0.9.0
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import openapi_spec_validator, importlib.metadata as m, sys
sys.exit(m.version('openapi-spec-validator') != '${validator#*==}')" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$validator"
fi
"$venv/bin/python" - "$doc" <<'PY'
import json, sys
from openapi_spec_validator import OpenAPIV31SpecValidator

with open(sys.argv[1], encoding="utf-8") as f:
    spec = json.load(f)
try:
    errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
except Exception as error:  # e.g. a $ref that does not resolve
    sys.exit(f"the validator could not check the document: {type(error).__name__}: {str(error)[:300]}")
for error in errors:
    # Errors inside a Schema Object come with a path relative to that schema only.
    where = error.json_path if error.path and error.path[0] in spec else f"(a Schema Object) {error.json_path}"
    print(f"invalid at {where}: {error.message[:500]}")
if errors:
    sys.exit(f"{len(errors)} OpenAPI 3.1 validation errors")
print("valid OpenAPI 3.1")
PY

echo "--- TypeScript types from the document (openapi-typescript)"
[ -d node_modules ] || npm ci --quiet --no-audit --no-fund
rm -rf generated && mkdir generated
npx --no-install openapi-typescript "$doc" -o generated/schema.d.ts

echo "--- a use of every operation's JSON bodies and every schema, compiled by tsc --strict"
node uses.mjs "$doc" generated/uses.ts
npx --no-install tsc -p .
echo "the typed client compiles"
