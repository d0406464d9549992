#!/usr/bin/env python3
"""A small EC2 instance metadata service (IMDSv2 only) for lmgrantd's
system tests, on 127.0.0.1.

  PUT /latest/api/token                         needs X-aws-ec2-metadata-token-ttl-seconds
                                                (1..21600); answers a session token
  GET /latest/meta-data/iam/security-credentials/        the role name
  GET /latest/meta-data/iam/security-credentials/<role>  the credentials document

Every GET needs a token from the PUT in X-aws-ec2-metadata-token, else 401
(as an instance that requires IMDSv2 answers IMDSv1 requests). The
credentials document is re-read from --creds on every request, so a test
can rotate it. One line per request goes to --log: method, path, status,
whether a token came along (never the token).
"""
import argparse
import http.server
import os
import secrets
import sys
import threading

TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
CREDS_PREFIX = "/latest/meta-data/iam/security-credentials/"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "imds-stub"

    def log_message(self, fmt, *args):  # quiet: the --log file is the record
        pass

    def _answer(self, status, body=b"", ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        srv = self.server
        with srv.lock:
            with open(srv.args.log, "a", encoding="utf-8") as f:
                f.write("%s %s %d token=%s\n" % (
                    self.command, self.path, status,
                    "yes" if self.headers.get(TOKEN_HEADER) else "no"))

    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path != "/latest/api/token":
            return self._answer(404)
        ttl = self.headers.get(TTL_HEADER, "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self._answer(400, b"missing or invalid " + TTL_HEADER.encode())
        token = secrets.token_urlsafe(32)
        with self.server.lock:
            self.server.tokens.add(token)
        return self._answer(200, token.encode())

    def do_GET(self):
        token = self.headers.get(TOKEN_HEADER)
        with self.server.lock:
            valid = token in self.server.tokens
        if not valid:
            return self._answer(401)
        role = self.server.args.role
        if self.path == CREDS_PREFIX:
            return self._answer(200, role.encode())
        if self.path == CREDS_PREFIX + role:
            with open(self.server.args.creds, "rb") as f:
                return self._answer(200, f.read(), "application/json")
        return self._answer(404)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--role", required=True)
    p.add_argument("--creds", required=True, help="JSON document served for the role")
    p.add_argument("--log", required=True)
    args = p.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.args = args
    srv.tokens = set()
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
