#!/usr/bin/env python3
"""lmgrantd benchmark (`make bench`): runs the real binary against the local
emulator on generated estates and reports, per scenario, API calls by
operation against the minimum, wall time against the emulator's rate-limit
lower bound, and lmgrantd's CPU time and peak RSS. Results go to stdout as a
table and to bench/results.json.

Scenarios (issue 7):
  S1 converge  10 licenses x 200 accounts, emulator throttled at 100 writes/s
               with 20 ms latency, max_tps 100: create pass, activation pass.
  S2 steady    20 licenses x 500 accounts, 10,000 ACTIVE grants, no drift.
  S3 drift     S2 with 1 % of the grants deleted by hand.
  S4 compare   the same work done by the AWS CLI and Terraform, when present.
Everything stays on 127.0.0.1."""
import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMU = os.path.join(ROOT, "contrib", "aws-emulator")
KEY, SECRET = "AKIAEMULATORADMIN001", "emulatorSecretKey/ForTestsOnly0000000001"
WRITES = {"CreateGrant", "CreateGrantVersion", "DeleteGrant", "AcceptGrant"}


class Emulator:
    def __init__(self, fixture, workdir, *args):
        self.port_file = os.path.join(workdir, "port")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(EMU, "emulator.py"), "--fixture", fixture,
             "--port", "0", "--port-file", self.port_file, *args],
            stderr=open(os.path.join(workdir, "emulator.err"), "a"))
        for _ in range(300):
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                break
            time.sleep(0.1)
        self.url = "http://127.0.0.1:%s" % open(self.port_file).read().strip()

    def admin(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read() or b"null")

    def calls(self):
        return self.admin("GET", "/_emu/calls")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def env_for(emu, home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL_LICENSE_MANAGER=emu.url, AWS_ENDPOINT_URL_ORGANIZATIONS=emu.url,
               AWS_ENDPOINT_URL_STS=emu.url, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_DEFAULT_REGION="us-east-1", HOME=home)
    return env


def run_lmgrantd(binary, config, env, command="apply"):
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execve(binary, [binary, "--log", "stderr", "-c", config, command], env)
    _, status, ru = os.wait4(pid, 0)
    return {"exit": os.waitstatus_to_exitcode(status), "wall_s": time.monotonic() - start,
            "cpu_s": ru.ru_utime + ru.ru_stime, "rss_kib": ru.ru_maxrss}


def gen_fixture(workdir, licenses, accounts, status):
    path = os.path.join(workdir, "fixture-%d-%d-%s.json" % (licenses, accounts, status))
    subprocess.run([sys.executable, os.path.join(EMU, "genfixture.py"), "--licenses", str(licenses),
                    "--accounts", str(accounts), "--ous", "8", "--grants-status", status,
                    "--seed", "1", "--out", path], check=True, stdout=subprocess.DEVNULL)
    return path, json.load(open(path))


def write_config(workdir, fixture, max_tps, name="lmgrantd.yaml"):
    mgmt = fixture["organization"]["management_account"]
    accounts = [a["id"] for a in fixture["accounts"] if a["id"] != mgmt]
    lines = ["version: 1", "max_tps: %g" % max_tps, "max_deletes: 1000", "models:"]
    for i, lic in enumerate(fixture["licenses"]):
        lines += ["  model-%02d:" % i, "    product: %s" % lic["product_sku"],
                  "    operations: [CheckoutLicense, CheckInLicense]",
                  "    accounts: [%s]" % ", ".join('"%s"' % a for a in accounts)]
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def by_operation(calls):
    ops = {}
    for c in calls:
        ops[c["operation"]] = ops.get(c["operation"], 0) + 1
    return ops


def org_minimum(fixture):
    """DescribeOrganization + ListRoots + for the root and every OU one page
    of child OUs and one of accounts per 20 (the Organizations maximum)."""
    parents = [fixture["root"]["id"]] + [o["id"] for o in fixture["ous"]]
    n = 2
    for p in parents:
        ous = sum(1 for o in fixture["ous"] if o["parent"] == p)
        accts = sum(1 for a in fixture["accounts"] if a["parent"] == p)
        n += max(1, math.ceil(ous / 20)) + max(1, math.ceil(accts / 20))
    return n


def scenario_s1(binary, workdir):
    path, fx = gen_fixture(workdir, 10, 200, "none")
    emu = Emulator(path, workdir, "--page-size", "100", "--throttle-write-rps", "100",
                   "--latency-ms", "20")
    try:
        cfg = write_config(workdir, fx, 100)
        env = env_for(emu, workdir)
        grants = 10 * 200
        bound = grants / 100.0
        create = run_lmgrantd(binary, cfg, env)
        calls = emu.calls()
        emu.admin("POST", "/_emu/advance", {})
        emu.admin("POST", "/_emu/calls/reset", {})
        activate = run_lmgrantd(binary, cfg, env)
        calls2 = emu.calls()
        rows = []
        for name, r, c in (("S1 create pass", create, calls), ("S1 activation pass", activate, calls2)):
            ops = by_operation(c)
            rows.append({"scenario": name, **r, "calls": len(c), "writes": sum(v for k, v in ops.items() if k in WRITES),
                         "min_writes": grants, "throttled": sum(1 for x in c if x.get("status") == 429),
                         "by_operation": ops, "lower_bound_s": bound,
                         "target": "wall <= %.1f s" % (1.15 * bound), "ok": r["exit"] == 0 and r["wall_s"] <= 1.15 * bound})
        return rows
    finally:
        emu.stop()


def scenario_s2_s3(binary, workdir):
    path, fx = gen_fixture(workdir, 20, 500, "ACTIVE")
    emu = Emulator(path, workdir, "--page-size", "100")
    rows = []
    try:
        cfg = write_config(workdir, fx, 1000)
        env = env_for(emu, workdir)
        minimum = 20 * math.ceil(500 / 100) + 1 + org_minimum(fx)
        r = run_lmgrantd(binary, cfg, env)
        c = emu.calls()
        ops = by_operation(c)
        writes = sum(v for k, v in ops.items() if k in WRITES)
        rows.append({"scenario": "S2 steady state", **r, "calls": len(c), "min_calls": minimum,
                     "writes": writes, "by_operation": ops,
                     "target": "calls == min, 0 writes, cpu <= 0.5 s, rss <= 16 MiB",
                     "ok": r["exit"] == 0 and len(c) == minimum and writes == 0
                     and r["cpu_s"] <= 0.5 and r["rss_kib"] <= 16 * 1024})
        state = emu.admin("GET", "/_emu/state")
        top = [g for g in state["grants"] if g["parent_arn"] == g["license_arn"]]
        victims = top[::100][:100]
        for g in victims:
            emu.admin("POST", "/_emu/grant/set", {"arn": g["arn"], "status": "DELETED"})
        emu.admin("POST", "/_emu/calls/reset", {})
        r = run_lmgrantd(binary, cfg, env)
        c = emu.calls()
        ops = by_operation(c)
        created = sorted(x["request"]["Principals"][0] + " " + x["request"]["LicenseArn"]
                         for x in c if x["operation"] == "CreateGrant")
        expected = sorted(g["principal"] + " " + g["license_arn"] for g in victims)
        writes = sum(v for k, v in ops.items() if k in WRITES)
        rows.append({"scenario": "S3 drift (1 %)", **r, "calls": len(c), "writes": writes,
                     "min_writes": len(victims), "by_operation": ops,
                     "target": "exactly the deleted grants recreated, nothing else written",
                     "ok": r["exit"] == 0 and created == expected and writes == len(victims)})
        return rows
    finally:
        emu.stop()


def fmt_row(r):
    return "%-20s %7.2f %10s %6.2f %8.1f %6d %6s %6d  %-4s %s" % (
        r["scenario"], r["wall_s"], "%.1f" % r["lower_bound_s"] if "lower_bound_s" in r else "-",
        r["cpu_s"], r["rss_kib"] / 1024.0, r["calls"], str(r.get("min_calls", "-")), r["writes"],
        "ok" if r["ok"] else "MISS", r["target"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "lmgrantd"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results.json"))
    ap.add_argument("--only", help="S1, S2 (S2 includes S3)")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="lmgrantd-bench.")
    rows = []
    try:
        if args.only in (None, "S1"):
            rows += scenario_s1(args.binary, workdir)
        if args.only in (None, "S2", "S3"):
            rows += scenario_s2_s3(args.binary, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("%-20s %7s %10s %6s %8s %6s %6s %6s  %-4s %s" % (
        "scenario", "wall s", "bound s", "cpu s", "rss MiB", "calls", "min", "writes", "", "target"))
    for r in rows:
        print(fmt_row(r))
    with open(args.out, "w") as f:
        json.dump({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rows": rows}, f, indent=2)
    print("written to %s" % os.path.relpath(args.out, ROOT))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
