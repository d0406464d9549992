#!/usr/bin/env python3
"""A container credentials endpoint (ECS task role, EKS Pod Identity) for
lmgrantd's system tests, on 127.0.0.1.

  GET <--path>   the credentials document of --creds (re-read on every
                 request, so a test can rotate it; with --expires-in N its
                 Expiration is set to N seconds after the request), when the Authorization
                 header equals the contents of --token-file (re-read too);
                 401 without it, 403 with another one, 404 elsewhere.

One line per request goes to --log: method, path, status, whether an
Authorization header came along (never its value).
"""
import argparse
import datetime
import http.server
import json
import os
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "container-credentials-stub"

    def log_message(self, fmt, *args):  # quiet: the --log file is the record
        pass

    def _answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        srv = self.server
        with srv.lock:
            with open(srv.args.log, "a", encoding="utf-8") as f:
                f.write("%s %s %d auth=%s\n" % (
                    self.command, self.path, status,
                    "yes" if self.headers.get("Authorization") else "no"))

    def do_GET(self):
        args = self.server.args
        if self.path != args.path:
            return self._answer(404)
        with open(args.token_file, encoding="utf-8") as f:
            token = f.read().strip()
        got = self.headers.get("Authorization")
        if got is None:
            return self._answer(401)
        if got != token:
            return self._answer(403)
        with open(args.creds, encoding="utf-8") as f:
            doc = json.load(f)
        if args.expires_in:
            exp = datetime.datetime.now(datetime.timezone.utc) + \
                datetime.timedelta(seconds=args.expires_in)
            doc["Expiration"] = exp.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._answer(200, json.dumps(doc).encode())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--creds", required=True, help="JSON document served")
    p.add_argument("--log", required=True)
    p.add_argument("--expires-in", type=int)
    args = p.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.args = args
    srv.lock = threading.Lock()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
