"""Checks Quartier's public feeds with tools made for the formats.

    check.py atom FILE     validates an Atom document against atom.rnc (RELAX NG, with lxml)
    check.py jsonld FILE   expands a JSON-LD document with PyLD and prints its RDF (N-Quads)

The schema.org context is given locally (its terms are the vocabulary's IRIs), so nothing
is fetched from the network. Exits 1 with the reasons when a document does not pass.
"""

import json
import os
import sys

SCHEMA_ORG_CONTEXT = {"@context": {"@vocab": "https://schema.org/"}}


def check_atom(path):
    import rnc2rng
    from lxml import etree

    here = os.path.dirname(os.path.abspath(__file__))
    rng = rnc2rng.dumps(rnc2rng.load(os.path.join(here, "atom.rnc")))
    # rnc2rng declares the empty namespace of unqualified names as a prefix, which XML does
    # not allow; the name classes it writes use `ns=""` and need no prefix.
    rng = rng.replace(' xmlns:local=""', "")
    schema = etree.RelaxNG(etree.fromstring(rng.encode("utf-8")))
    document = etree.parse(path)
    if not schema.validate(document):
        for error in schema.error_log:
            print(f"{error.line}: {error.message}")
        return 1
    print("valid")
    return 0


def check_jsonld(path):
    from pyld import jsonld

    def loader(url, options=None):
        if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
            return {"contentType": "application/ld+json", "contextUrl": None,
                    "documentUrl": url, "document": SCHEMA_ORG_CONTEXT}
        raise jsonld.JsonLdError("only schema.org is known here", "loading document failed")

    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    options = {"documentLoader": loader}
    expanded = jsonld.expand(document, options)
    if not expanded:
        print("expands to nothing")
        return 1
    print(jsonld.to_rdf(document, dict(options, format="application/n-quads")))
    return 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("atom", "jsonld"):
        print(__doc__)
        return 2
    return {"atom": check_atom, "jsonld": check_jsonld}[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
