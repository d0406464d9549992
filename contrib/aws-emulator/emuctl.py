#!/usr/bin/env python3
"""Tiny client for the emulator's admin API (for shell tests).

  emuctl.py --port-file F state
  emuctl.py --port-file F calls [--count [--op NAME] [--writes]]
  emuctl.py --port-file F reset-calls | advance | shutdown | reset
  emuctl.py --port-file F config JSON | grant-set JSON | grant-add JSON
  emuctl.py --port-file F account-move ACCOUNT PARENT
  emuctl.py --port-file F account-add ACCOUNT PARENT
  emuctl.py --port-file F expire-creds [ACCESS_KEY_ID]
  emuctl.py --port-file F org-set JSON | license-set JSON
  emuctl.py --port-file F subscription-add ACCOUNT PRODUCT_SKU
  emuctl.py --port-file F workflow-fail PRINCIPAL_ARN (REASON | --clear)
  emuctl.py --port-file F wait-ready [--timeout SECONDS]

--port N may replace --port-file.  JSON answers go to stdout; errors to
stderr with exit status 1 (2 for usage errors).
"""

import argparse
import http.client
import json
import sys
import time


class AdminError(Exception):
    pass


def read_port(args):
    if args.port:
        return args.port
    with open(args.port_file) as fh:
        text = fh.read().strip()
    if not text.isdigit():
        raise AdminError("port file %s holds %r" % (args.port_file, text))
    return int(text)


def call(port, method, path, payload=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    answer = json.loads(data) if data else None
    if resp.status != 200:
        raise AdminError("%s %s -> HTTP %d: %s" % (method, path, resp.status,
                                                  data.decode(errors="replace")))
    return answer


def wait_ready(args):
    deadline = time.monotonic() + args.timeout
    last = None
    while time.monotonic() < deadline:
        try:
            return call(read_port(args), "GET", "/_emu/ready", timeout=2)
        except (OSError, ValueError, AdminError) as e:
            last = e
            time.sleep(0.05)
    raise AdminError("emulator not ready after %ss: %s" % (args.timeout, last))


def count_calls(calls, op, writes):
    return sum(1 for c in calls
               if (op is None or c["operation"] == op)
               and (not writes or c["write"]))


def parse_json_arg(text):
    try:
        return json.loads(text)
    except ValueError as e:
        raise AdminError("argument is not JSON: %s" % e)


SIMPLE = {
    "state": ("GET", "/_emu/state"),
    "reset-calls": ("POST", "/_emu/calls/reset"),
    "advance": ("POST", "/_emu/advance"),
    "shutdown": ("POST", "/_emu/shutdown"),
    "reset": ("POST", "/_emu/reset"),
}
WITH_JSON = {
    "config": "/_emu/config",
    "grant-set": "/_emu/grant/set",
    "grant-add": "/_emu/grant/add",
    "org-set": "/_emu/org/set",
    "license-set": "/_emu/license/set",
}


def run(args):
    if args.command == "wait-ready":
        return wait_ready(args)
    port = read_port(args)
    if args.command in SIMPLE:
        method, path = SIMPLE[args.command]
        return call(port, method, path, {} if method == "POST" else None)
    if args.command in WITH_JSON:
        if len(args.args) != 1:
            raise AdminError("%s takes one JSON argument" % args.command)
        return call(port, "POST", WITH_JSON[args.command],
                    parse_json_arg(args.args[0]))
    if args.command in ("account-move", "account-add"):
        if len(args.args) != 2:
            raise AdminError("%s takes ACCOUNT PARENT" % args.command)
        return call(port, "POST", "/_emu/account/%s" % args.command.split("-")[1],
                    {"account": args.args[0], "parent": args.args[1]})
    if args.command == "subscription-add":
        if len(args.args) != 2:
            raise AdminError("subscription-add takes ACCOUNT PRODUCT_SKU")
        return call(port, "POST", "/_emu/subscription/add",
                    {"account": args.args[0], "product_sku": args.args[1]})
    if args.command == "workflow-fail":
        if len(args.args) != (1 if args.clear else 2):
            raise AdminError("workflow-fail takes PRINCIPAL_ARN REASON or "
                             "PRINCIPAL_ARN --clear")
        payload = {"principal": args.args[0]}
        if args.clear:
            payload["clear"] = True
        else:
            payload["status_reason"] = args.args[1]
        return call(port, "POST", "/_emu/workflow/fail", payload)
    if args.command == "expire-creds":
        payload = {"access_key_id": args.args[0]} if args.args else {}
        return call(port, "POST", "/_emu/credentials/expire", payload)
    if args.command == "calls":
        calls = call(port, "GET", "/_emu/calls")
        if args.count:
            return count_calls(calls, args.op, args.writes)
        return calls
    raise AdminError("unknown command %s" % args.command)


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Admin client for the AWS emulator.",
        epilog="commands: state, calls, reset-calls, advance, config JSON, "
               "grant-set JSON, grant-add JSON, account-move ACCOUNT PARENT, "
               "account-add ACCOUNT PARENT, "
               "expire-creds [KEY], org-set JSON, license-set JSON, "
               "subscription-add ACCOUNT PRODUCT_SKU, "
               "workflow-fail PRINCIPAL_ARN (REASON | --clear), "
               "reset, shutdown, wait-ready")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--port-file")
    where.add_argument("--port", type=int)
    p.add_argument("command")
    p.add_argument("args", nargs="*")
    p.add_argument("--count", action="store_true",
                   help="calls: print the number of calls")
    p.add_argument("--op", help="calls --count: only this operation")
    p.add_argument("--writes", action="store_true",
                   help="calls --count: only write operations")
    p.add_argument("--clear", action="store_true",
                   help="workflow-fail: stop failing the principal's "
                        "workflows")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="wait-ready: seconds to wait")
    args = p.parse_args(argv)
    try:
        result = run(args)
    except (AdminError, OSError) as e:
        print("emuctl: %s" % e, file=sys.stderr)
        return 1
    if isinstance(result, int):
        print(result)
    else:
        print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
