#!/usr/bin/env python3
"""Checks the include graph of daemon/ (make lint, tests/system/401).

A module is a family of files named by the part of their name before the
first '_': config.c, config_yaml.c and config_check.h are module config;
aws.c and aws_error.h are module aws. Module A uses module B when a file of
A includes a header of B (#include "b.h"; system headers are ignored).

Fails (exit 1, the offending chain on stderr) when
  - the modules' use graph has a cycle;
  - a creds* file includes, directly or through other headers, a config*
    header (credentials code must not depend on the configuration).
Usage: include-graph.py DAEMON_DIR
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(name):
    return os.path.splitext(name)[0].split("_")[0]


def read_includes(d):
    files = sorted(f for f in os.listdir(d) if f.endswith((".c", ".h")))
    local = set(files)
    inc = {}
    for f in files:
        with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
            inc[f] = [h for h in INCLUDE.findall(fh.read()) if h in local]
    return inc


def find_cycle(graph):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def headers_reached(inc, f):
    seen, todo = [], list(inc.get(f, ()))
    while todo:
        h = todo.pop()
        if h in seen:
            continue
        seen.append(h)
        todo.extend(inc.get(h, ()))
    return seen


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    inc = read_includes(sys.argv[1])
    graph, why = {}, {}
    for f, hs in inc.items():
        for h in hs:
            a, b = module(f), module(h)
            if a != b:
                graph.setdefault(a, set()).add(b)
                why.setdefault((a, b), "%s includes %s" % (f, h))
    bad = 0
    cycle = find_cycle(graph)
    if cycle:
        bad = 1
        print("include loop among modules: " + " -> ".join(cycle), file=sys.stderr)
        for a, b in zip(cycle, cycle[1:]):
            print("  " + why[(a, b)], file=sys.stderr)
    for f in sorted(inc):
        if module(f) != "creds":
            continue
        for h in headers_reached(inc, f):
            if module(h) == "config":
                bad = 1
                print("%s reaches %s: creds must not depend on config" % (f, h), file=sys.stderr)
    if not bad:
        print("include graph: %d modules, no loop; creds reaches no config header" % len(
            {module(f) for f in inc}))
    sys.exit(bad)


if __name__ == "__main__":
    main()
