#!/usr/bin/env python3
"""Fails, listing them, on every local `$ref` of an OpenAPI JSON document that does not
resolve to an existing JSON pointer inside the document (and on any non-local `$ref`).

Usage: python3 refs.py openapi.json
"""
import json
import sys
from urllib.parse import unquote

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def resolve(doc, ref):
    """Return True if `ref` ("#/a/b~1c") points at an existing node of `doc`."""
    if not ref.startswith("#"):
        return False  # the document is meant to be self-contained
    pointer = unquote(ref[1:])
    if pointer == "":
        return True
    if not pointer.startswith("/"):
        return False
    node = doc
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


def walk(node, path):
    """Yield (location, ref) for every `$ref` string below `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield path or "/", value
            else:
                yield from walk(value, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def describe(doc, where):
    """For a location under /paths, name the operation (and parameter) it belongs to."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in where.split("/")[1:]]
    if len(tokens) < 3 or tokens[0] != "paths" or tokens[2] not in METHODS:
        return ""
    text = f" ({tokens[2].upper()} {tokens[1]}"
    if len(tokens) > 4 and tokens[3] == "parameters" and tokens[4].isdigit():
        param = doc["paths"][tokens[1]][tokens[2]]["parameters"][int(tokens[4])]
        text += f", {param.get('in')} parameter `{param.get('name')}`"
    return text + ")"


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    refs = list(walk(doc, ""))
    dangling = [(where, ref) for where, ref in refs if not resolve(doc, ref)]
    for where, ref in dangling:
        print(f"dangling $ref {ref}\n    at #{where}{describe(doc, where)}")
    if dangling:
        names = sorted({ref for _, ref in dangling})
        print(f"{len(dangling)} of {len(refs)} $ref do not resolve ({len(names)} distinct): {', '.join(names)}")
        sys.exit(1)
    print(f"all {len(refs)} $ref resolve")


if __name__ == "__main__":
    main()
