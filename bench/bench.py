#!/usr/bin/env python3
"""lmgrantd benchmark (`make bench`): runs the real binary against the local
emulator on generated estates and reports, per scenario, API calls by
operation against the minimum, wall time against the emulator's rate-limit
lower bound, and lmgrantd's CPU time and peak RSS. Results go to stdout as a
table and to bench/results.json.

Scenarios (issue 7):
  S1 converge  10 licenses x 200 accounts, emulator throttled at 100 writes/s
               with 20 ms latency, max_tps 100: create pass, activation pass.
  S2 steady    20 licenses x 500 accounts, 10,000 ACTIVE grants, no drift;
               then `lmgrantd run` for 10 passes on it: flat memory, the
               organization read once.
  S3 drift     S2 with 1 % of the grants deleted by hand.
  S5 pacing    2,000 creates (10 licenses x 200 accounts) with max_tps auto
               against an emulator throttling all calls at 4, 20 and 80
               requests/s in turn (lmgrantd not told): wall time against the
               bound (successful requests / emulator rate) and the share of
               requests throttled; targets <= 1.25x and <= 5 %.
  S4 compare   S1's converge and S2's steady pass done by lmgrantd, a plain
               sequential AWS CLI script and Terraform (aws_licensemanager_grant)
               on a small estate (--s4-grants, default 100), unthrottled;
               reported as ratios to lmgrantd; skipped, with the reason, where
               a tool is absent or fails to initialise.
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


# Every measured command runs under bench/rusage (built by `make bench`):
# forked from Python, a child would count Python's resident pages as its own.
RUSAGE = os.path.join(ROOT, "build", "rusage")


def measured(argv, out):
    """argv prefixed with the rusage helper, which writes its result to out."""
    return [RUSAGE, out] + list(argv)


def read_measured(out, status):
    """The helper's result; exit code, CPU and RSS of the measured command."""
    try:
        with open(out) as f:
            r = json.load(f)
    except (OSError, ValueError):   # killed before it could write
        return {"exit": os.waitstatus_to_exitcode(status), "cpu_s": None, "rss_kib": None}
    finally:
        if os.path.exists(out):
            os.unlink(out)
    return r


def run_lmgrantd(binary, config, env, command="apply", stderr=None, verbose=False):
    out = tempfile.mktemp(prefix="lmgrantd-rusage.")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if stderr else devnull, 2)
        argv = measured([binary, "--log", "stderr"] + (["-v"] if verbose else []) +
                        ["-c", config, command], out)
        os.execve(argv[0], argv, env)
    _, status = os.waitpid(pid, 0)
    wall = time.monotonic() - start
    return {**read_measured(out, status), "wall_s": wall}


def gen_fixture(workdir, licenses, accounts, status):
    path = os.path.join(workdir, "fixture-%d-%d-%s.json" % (licenses, accounts, status))
    subprocess.run([sys.executable, os.path.join(EMU, "genfixture.py"), "--licenses", str(licenses),
                    "--accounts", str(accounts), "--ous", "8", "--grants-status", status,
                    "--seed", "1", "--out", path], check=True, stdout=subprocess.DEVNULL)
    return path, json.load(open(path))


def write_config(workdir, fixture, max_tps, name="lmgrantd.yaml", extra=()):
    mgmt = fixture["organization"]["management_account"]
    accounts = [a["id"] for a in fixture["accounts"] if a["id"] != mgmt]
    tps = max_tps if isinstance(max_tps, str) else "%g" % max_tps
    lines = ["version: 1", "max_tps: %s" % tps, "max_deletes: 1000", *extra, "models:"]
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
        emu.admin("POST", "/_emu/calls/reset", {})
        rows.append(daemon_row(binary, workdir, fx, emu, env, minimum))
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


S5_LICENSES, S5_ACCOUNTS = 10, 200
S5_RATES = (4, 20, 80)
S5_MAX_RATIO, S5_MAX_THROTTLED = 1.25, 0.05


def s5_rate_trace(log):
    """The rates -v printed for License Manager, in order ("... request rate now 12.3/s")."""
    rates = []
    try:
        for line in open(log, errors="replace"):
            if "license-manager: request rate now " in line:
                rates.append(float(line.rsplit("now ", 1)[1].split("/s")[0]))
    except (OSError, ValueError):
        pass
    return rates


def scenario_s5(binary, workdir, rates):
    """max_tps auto against an emulator that throttles every call at R/s: one
    fresh emulator (full bucket, burst ceil(R)) and one create pass per rate."""
    path, fx = gen_fixture(workdir, S5_LICENSES, S5_ACCOUNTS, "none")
    grants = S5_LICENSES * S5_ACCOUNTS
    rows = []
    for rate in rates:
        emu = Emulator(path, workdir, "--page-size", "100", "--throttle-rps", "%g" % rate)
        try:
            cfg = write_config(workdir, fx, "auto", name="lmgrantd-s5.yaml")
            log = os.path.join(workdir, "s5-%g.log" % rate)
            r = run_lmgrantd(binary, cfg, env_for(emu, workdir), stderr=log, verbose=True)
            calls = emu.calls()
        finally:
            emu.stop()
        ops = by_operation(calls)
        ok_calls = sum(1 for c in calls if c.get("status") == 200)
        throttled = sum(1 for c in calls if c.get("status") == 429)
        created = sum(1 for c in calls if c["operation"] == "CreateGrant" and c.get("status") == 200)
        bound = ok_calls / float(rate)
        share = throttled / float(len(calls)) if calls else 0.0
        trace = s5_rate_trace(log)
        rows.append({"scenario": "S5 pace %g/s" % rate, **r, "calls": len(calls), "min_calls": ok_calls,
                     "writes": sum(v for k, v in ops.items() if k in WRITES), "min_writes": grants,
                     "throttled": throttled, "throttled_share": share, "by_operation": ops,
                     "lower_bound_s": bound, "wall_ratio": r["wall_s"] / bound if bound else None,
                     "emulator_rps": rate, "achieved_rps": ok_calls / r["wall_s"] if r["wall_s"] else None,
                     "rate_trace": trace,
                     "target": "x%.2f bound (<= %.2f), %.1f %% throttled (<= %.0f %%), %d created" % (
                         r["wall_s"] / bound if bound else 0, S5_MAX_RATIO, 100 * share,
                         100 * S5_MAX_THROTTLED, created),
                     "ok": r["exit"] == 0 and created == grants and r["wall_s"] <= S5_MAX_RATIO * bound
                     and share <= S5_MAX_THROTTLED})
    return rows


S2_DAEMON_PASSES = 10


def proc_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def proc_cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime + stime


def daemon_row(binary, workdir, fx, emu, env, pass_minimum):
    """`lmgrantd run` on the S2 estate for S2_DAEMON_PASSES passes, 1 s
    apart: its memory must not grow from pass to pass, and the passes after
    the first reuse the organization read by the first. (Unlike ru_maxrss,
    /proc's VmHWM belongs to the exec'd program alone.)"""
    cfg = write_config(workdir, fx, 1000, "lmgrantd-run.yaml", ["interval: 1s"])
    state_dir = os.path.join(workdir, "state")
    os.makedirs(state_dir, exist_ok=True)
    status = os.path.join(state_dir, "status.json")

    def passes():
        try:
            with open(status) as f:
                return json.load(f).get("pass", 0)
        except (OSError, ValueError):
            return 0

    start = time.monotonic()
    proc = subprocess.Popen([binary, "--log", "stderr", "-c", cfg, "run"], env={**env, "STATE_DIRECTORY": state_dir},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = last = hwm = cpu = None
    try:
        while time.monotonic() - start < 120 and proc.poll() is None:
            n = passes()
            if n >= 1 and first is None:
                first = proc_kib(proc.pid, "VmRSS")
            if n >= S2_DAEMON_PASSES:
                last = proc_kib(proc.pid, "VmRSS")
                hwm = proc_kib(proc.pid, "VmHWM")
                cpu = proc_cpu_s(proc.pid)
                break
            time.sleep(0.05)
    finally:
        wall = time.monotonic() - start
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    calls = emu.calls()
    ops = by_operation(calls)
    org_min = pass_minimum - 20 * math.ceil(500 / 100) - 1
    minimum = S2_DAEMON_PASSES * (pass_minimum - org_min) + org_min
    done = first is not None and last is not None
    return {"scenario": "S2 daemon, %d passes" % S2_DAEMON_PASSES, "exit": proc.returncode, "wall_s": wall,
            "cpu_s": cpu, "rss_kib": hwm, "rss_first_pass_kib": first,
            "rss_last_pass_kib": last, "calls": len(calls), "min_calls": minimum,
            "writes": sum(v for k, v in ops.items() if k in WRITES), "by_operation": ops,
            "target": "RSS after pass %d within 1 MiB of pass 1 (%s -> %s MiB); organization read once" % (
                S2_DAEMON_PASSES, "%.1f" % (first / 1024.0) if first else "-",
                "%.1f" % (last / 1024.0) if last else "-"),
            "ok": done and proc.returncode == 0 and last - first <= 1024 and len(calls) == minimum}


def fmt_row(r):
    def opt(v, fmt):
        return "-" if v is None else fmt % v

    return "%-20s %7.2f %10s %6s %8s %6d %6s %6d  %-4s %s" % (
        r["scenario"], r["wall_s"], "%.1f" % r["lower_bound_s"] if "lower_bound_s" in r else "-",
        opt(r["cpu_s"], "%.2f"), opt(r["rss_kib"] and r["rss_kib"] / 1024.0, "%.1f"), r["calls"],
        str(r.get("min_calls", "-")), r["writes"],
        "ok" if r["ok"] else "MISS", r["target"])


# --- S4: the same work by lmgrantd, a plain AWS CLI script and Terraform ---

S4_TF_MIRROR = "/opt/tf-plugins"
S4_TF_PROVIDER = "5.100.0"
S4_OPS = ["CheckoutLicense", "CheckInLicense"]
S4_LMGRANTD_RUNS = 3        # lmgrantd's passes are short: median of 3 runs
S4_DEAD = {"DELETED", "REJECTED", "FAILED_WORKFLOW"}

S4_CLI_SCRIPT = r"""#!/bin/bash
# S4 (bench/bench.py): the plain, sequential AWS CLI way.
#   s4-cli.sh create     one `create-grant` per (license, account)
#   s4-cli.sh reconcile  per license: list-distributed-grants (100 a page, following
#                        NextToken), then create what is missing and activate what is
#                        DISABLED; in steady state it only lists.
set -euo pipefail
EP=@ENDPOINT@
LICENSES=(@LICENSES@)
ACCOUNTS=(@ACCOUNTS@)
OPS=(@OPS@)

lm() { aws --endpoint-url "$EP" --region us-east-1 license-manager "$@"; }

create() {  # license index, account id
  lm create-grant --client-token "s4-$1-$2" --grant-name "s4-$1-$2" \
    --license-arn "${LICENSES[$1]}" --principals "arn:aws:iam::$2:root" \
    --home-region us-east-1 --allowed-operations "${OPS[@]}" >/dev/null
}

case ${1:-} in
create)
  for i in "${!LICENSES[@]}"; do
    for a in "${ACCOUNTS[@]}"; do create "$i" "$a"; done
  done ;;
reconcile)
  for i in "${!LICENSES[@]}"; do
    declare -A status=() arn=() version=()
    token=
    while :; do
      page=$(lm list-distributed-grants --filters "Name=LicenseArn,Values=${LICENSES[$i]}" \
             --max-results 100 ${token:+--next-token "$token"} --output json)
      while IFS=$'\t' read -r p s g v; do
        status[$p]=$s arn[$p]=$g version[$p]=$v
      done < <(jq -r '.Grants[] | select(.GrantStatus | IN("DELETED", "REJECTED", "FAILED_WORKFLOW") | not)
                     | [.GranteePrincipalArn, .GrantStatus, .GrantArn, .Version] | @tsv' <<<"$page")
      token=$(jq -r '.NextToken // empty' <<<"$page")
      [ -n "$token" ] || break
    done
    for a in "${ACCOUNTS[@]}"; do
      p="arn:aws:iam::$a:root"
      case ${status[$p]:-MISSING} in
      MISSING) create "$i" "$a" ;;
      DISABLED|WORKFLOW_COMPLETED)
        lm create-grant-version --client-token "s4-act-${arn[$p]##*:}-${version[$p]}" \
          --grant-arn "${arn[$p]}" --source-version "${version[$p]}" --status ACTIVE \
          --options ActivationOverrideBehavior=DISTRIBUTED_GRANTS_ONLY >/dev/null ;;
      esac
    done
    unset status arn version
  done ;;
*) echo "usage: $0 create|reconcile" >&2; exit 2 ;;
esac
"""

S4_TF_MAIN = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "%(version)s" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    licensemanager = "%(url)s"
    organizations  = "%(url)s"
    sts            = "%(url)s"
  }
}

locals {
  licenses = %(licenses)s
  accounts = %(accounts)s
  grants = { for p in setproduct(range(length(local.licenses)), local.accounts) :
    "s4-${p[0]}-${p[1]}" => { license = local.licenses[p[0]], principal = "arn:aws:iam::${p[1]}:root" } }
}

resource "aws_licensemanager_grant" "g" {
  for_each           = local.grants
  name               = each.key
  allowed_operations = %(ops)s
  license_arn        = each.value.license
  principal          = each.value.principal
}
"""

# No registry, no checkpoint: the provider comes from the filesystem mirror only.
S4_TF_RC = """provider_installation {
  filesystem_mirror {
    path    = "%s"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
disable_checkpoint = true
"""


def s4_shape(grants):
    """licenses x accounts >= grants, at least 2 licenses, at most 2,000 grants a license."""
    licenses = 1 if grants < 2 else max(2, math.ceil(grants / 2000))
    return licenses, math.ceil(grants / licenses)


def s4_env(emu, home):
    env = {k: v for k, v in env_for(emu, home).items() if "proxy" not in k.lower()}
    tmp = os.path.join(home, "tmp")
    os.makedirs(tmp, exist_ok=True)
    env.update(NO_PROXY="127.0.0.1,localhost", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=os.path.join(home, "aws-config.none"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "aws-credentials.none"),
               TMPDIR=tmp, TF_CLI_CONFIG_FILE=os.path.join(home, "terraform.rc"),
               TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_INPUT="0")
    for k in ("TF_LOG", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR", "TF_CLI_ARGS", "TF_CLI_ARGS_apply"):
        env.pop(k, None)
    return env


def s4_run(argv, env, cwd, log, timeout):
    """Run argv to completion (its process group is killed after timeout s);
    wall time, and CPU time and peak RSS of it and every descendant it waited
    for (the aws processes, the provider plugin)."""
    out = tempfile.mktemp(prefix="lmgrantd-rusage.")
    start = time.monotonic()
    with open(log, "ab") as f:
        f.write(("$ %s\n" % " ".join(argv)).encode())
        f.flush()
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()
                os.chdir(cwd)
                fd = os.open(os.devnull, os.O_RDONLY)
                os.dup2(fd, 0)
                os.dup2(f.fileno(), 1)
                os.dup2(f.fileno(), 2)
                os.execve(RUSAGE, measured(argv, out), env)
            finally:
                os._exit(127)
    timed_out = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if not timed_out and time.monotonic() - start > timeout:
            timed_out = True
            os.killpg(pid, signal.SIGKILL)
        time.sleep(0.01)
    r = {**read_measured(out, status), "wall_s": time.monotonic() - start}
    if timed_out:
        with open(log, "a") as f:
            f.write("Error: bench: killed after %d s\n" % timeout)
    return r


def s4_tail(log, n=3):
    try:
        lines = [ln.strip() for ln in open(log, errors="replace") if ln.strip()]
    except OSError:
        return ""
    errs = [ln for ln in lines if "rror" in ln]
    return " | ".join((errs or lines)[-n:])[:400]


def s4_live(emu, licenses, accounts):
    """(license index, account) -> status of its live top-level grant; extra: other live grants."""
    want = {(lic, "arn:aws:iam::%s:root" % a): (i, a) for i, lic in enumerate(licenses) for a in accounts}
    live, extra = {}, 0
    for g in emu.admin("GET", "/_emu/state")["grants"]:
        if g["parent_arn"] != g["license_arn"] or g["status"] in S4_DEAD:
            continue
        key = want.get((g["license_arn"], g["principal"]))
        if key is None or key in live:
            extra += 1
        else:
            live[key] = g["status"]
    return live, extra


def s4_check(emu, licenses, accounts, statuses):
    live, extra = s4_live(emu, licenses, accounts)
    n = len(licenses) * len(accounts)
    bad = sum(1 for s in live.values() if s not in statuses)
    if len(live) == n and not bad and not extra:
        return None
    return "%d/%d grants live, %d not %s, %d extra" % (len(live), n, bad, "/".join(statuses), extra)


def s4_errors(calls):
    bad = [c for c in calls if c.get("status") != 200]
    if not bad:
        return ""
    c = bad[0]
    return "emulator answered %d of the calls with errors, first: %s %s %s" % (
        len(bad), c["operation"], c.get("status"), c.get("error"))


def s4_pass(emu, fn):
    """One pass: the call log starts empty; pending workflows are completed after it."""
    emu.admin("POST", "/_emu/calls/reset", {})
    r = fn()
    calls = emu.calls()
    emu.admin("POST", "/_emu/advance", {})
    ops = by_operation(calls)
    tokens = [c["request"].get("ClientToken") for c in calls if c["operation"] in WRITES]
    tokens = [t for t in tokens if t]
    r.update(calls=len(calls), writes=sum(v for k, v in ops.items() if k in WRITES), by_operation=ops,
             retried_writes=len(tokens) - len(set(tokens)), errors=s4_errors(calls))
    return r


def s4_cli_check(workdir):
    aws = shutil.which("aws")
    if not aws:
        return "aws CLI not found on PATH"
    if not shutil.which("jq"):
        return "jq not found on PATH (the CLI script reads list pages with it)"
    try:
        p = subprocess.run([aws, "--version"], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "HOME": workdir})
    except (OSError, subprocess.TimeoutExpired) as e:
        return "aws --version failed: %s" % e
    if p.returncode != 0:
        return "aws --version failed (exit %d): %s" % (p.returncode, (p.stderr or p.stdout).strip()[-200:])
    return None


def s4_cli_script(d, url, licenses, accounts):
    script = os.path.join(d, "s4-cli.sh")
    with open(script, "w") as f:
        f.write(S4_CLI_SCRIPT.replace("@ENDPOINT@", url).replace("@LICENSES@", " ".join(licenses))
                .replace("@ACCOUNTS@", " ".join(accounts)).replace("@OPS@", " ".join(S4_OPS)))
    os.chmod(script, 0o700)
    return script


def s4_tf_init(tfdir, env, log):
    tf = shutil.which("terraform") or ("/usr/local/bin/terraform" if os.access("/usr/local/bin/terraform", os.X_OK) else None)
    if not tf:
        return None, "terraform not found on PATH or in /usr/local/bin"
    provider = os.path.join(S4_TF_MIRROR, "registry.terraform.io", "hashicorp", "aws", S4_TF_PROVIDER)
    if not os.path.isdir(provider):
        return None, "provider hashicorp/aws %s not in the filesystem mirror %s" % (S4_TF_PROVIDER, S4_TF_MIRROR)
    r = s4_run([tf, "init", "-input=false", "-no-color"], env, tfdir, log, 300)
    if r["exit"] != 0:
        return None, "terraform init failed (exit %d): %s" % (r["exit"], s4_tail(log))
    return tf, r["wall_s"]


S4_NOTES = {
    "lmgrantd": "max_tps 1000; resolves licenses by product (ListReceivedLicenses) and reads the "
                "Organizations tree every pass",
    "aws-cli": "bash script, one aws process per call, license ARNs and account ids written into the "
               "script (no license or Organizations reads); activation and steady = list + compare",
    "terraform": "aws_licensemanager_grant, for_each over the pairs, default parallelism 10, local state; "
                 "create = CreateGrant + GetGrant per grant, steady = refresh (GetGrant per grant); "
                 "terraform init not counted (init_wall_s)",
}


def s4_row(tool, phase, r, base, estate, command, ok, why=""):
    row = {"scenario": "S4 %s %s" % (tool, phase), "tool": tool, "phase": phase, **r,
           "command": command, "note": S4_NOTES[tool], "loadavg_1m": round(os.getloadavg()[0], 2), "ok": ok}
    row.pop("errors", None)
    if tool == "lmgrantd":
        row["target"] = "baseline; %s" % estate
    else:
        row["wall_ratio"] = r["wall_s"] / base["wall_s"] if base["wall_s"] else None
        row["calls_ratio"] = r["calls"] / base["calls"] if base["calls"] else None
        row["target"] = "x%s wall, x%s calls vs lmgrantd; %s" % (
            "%.1f" % row["wall_ratio"] if row["wall_ratio"] is not None else "-",
            "%.2f" % row["calls_ratio"] if row["calls_ratio"] is not None else "-", estate)
    if r.get("retried_writes"):
        row["target"] += "; %d write(s) retried by the client with the same ClientToken" % r["retried_writes"]
    if not ok:
        row["target"] = "FAILED: %s; %s" % (why, row["target"])
    return row


def s4_skip(tool, phase, reason):
    print("S4 %s %s skipped: %s" % (tool, phase, reason), file=sys.stderr)
    return {"scenario": "S4 %s %s" % (tool, phase), "tool": tool, "phase": phase,
            "skipped": reason, "ok": None}


def scenario_s4(binary, workdir, grants):
    if not os.access(binary, os.X_OK):
        return [dict(s4_skip("lmgrantd", "all", "no lmgrantd binary at %s (run make)" % binary), ok=False)]
    d = os.path.join(workdir, "s4")
    os.makedirs(d)
    nlic, nacc = s4_shape(grants)
    n = nlic * nacc
    path, fx = gen_fixture(d, nlic, nacc, "none")
    mgmt = fx["organization"]["management_account"]
    licenses = [lic["arn"] for lic in fx["licenses"]]
    accounts = [a["id"] for a in fx["accounts"] if a["id"] != mgmt]
    estate = "%d grants (%dx%d), unthrottled" % (n, nlic, nacc)
    phases = ("create", "activate", "steady")
    timeout = 300 + 5 * n               # per CLI or Terraform pass; the CLI takes ~0.7 s a call
    cli_skip = s4_cli_check(d)
    emu = Emulator(path, d, "--page-size", "100")
    rows = []
    try:
        env = s4_env(emu, d)
        with open(env["TF_CLI_CONFIG_FILE"], "w") as f:
            f.write(S4_TF_RC % S4_TF_MIRROR)

        # lmgrantd: create pass, activation pass, steady pass (as S1 and S2), median of runs
        cfg = write_config(d, fx, 1000, name="lmgrantd-s4.yaml")
        cmd = "%s --log stderr -c %s apply" % (os.path.relpath(binary, ROOT), os.path.basename(cfg))
        runs = []
        for _ in range(S4_LMGRANTD_RUNS):
            emu.admin("POST", "/_emu/reset", {"keep_config": True})
            run = {}
            for phase in phases:
                run[phase] = s4_pass(emu, lambda: run_lmgrantd(binary, cfg, env))
                if phase == "create":
                    run["create_check"] = s4_check(emu, licenses, accounts, ("DISABLED",))
                elif phase == "activate":
                    run["activate_check"] = s4_check(emu, licenses, accounts, ("ACTIVE",))
            runs.append(run)
        base = {}
        for phase in phases:
            mid = sorted(runs, key=lambda run: run[phase]["wall_s"])[len(runs) // 2]
            r = dict(mid[phase], wall_runs_s=[run[phase]["wall_s"] for run in runs])
            base[phase] = r
            why = ""
            for run in runs:
                x = run[phase]
                why = why or "; ".join(filter(None, [
                    "exit %d" % x["exit"] if x["exit"] else "", run.get(phase + "_check"), x["errors"],
                    "%d writes" % x["writes"] if phase == "steady" and x["writes"] else ""]))
            rows.append(s4_row("lmgrantd", phase, r, None, "median of %d; %s" % (len(runs), estate), cmd,
                               not why, why))

        # the AWS CLI, one process per call
        if cli_skip:
            rows += [s4_skip("aws-cli", p, cli_skip) for p in phases]
        else:
            script = s4_cli_script(d, emu.url, licenses, accounts)
            log = os.path.join(d, "aws-cli.log")
            emu.admin("POST", "/_emu/reset", {"keep_config": True})
            for phase, mode, statuses in (("create", "create", ("DISABLED",)),
                                          ("activate", "reconcile", ("ACTIVE",)),
                                          ("steady", "reconcile", ("ACTIVE",))):
                r = s4_pass(emu, lambda: s4_run(["bash", script, mode], env, d, log, timeout))
                why = "; ".join(filter(None, ["exit %d: %s" % (r["exit"], s4_tail(log)) if r["exit"] else "",
                                              s4_check(emu, licenses, accounts, statuses), r["errors"],
                                              "%d writes" % r["writes"] if phase == "steady" and r["writes"] else ""]))
                rows.append(s4_row("aws-cli", phase, r, base[phase], estate, "bash s4-cli.sh %s" % mode,
                                   not why, why))

        # Terraform: aws_licensemanager_grant, default parallelism (10)
        tfdir = os.path.join(d, "terraform")
        os.makedirs(tfdir)
        with open(os.path.join(tfdir, "main.tf"), "w") as f:
            f.write(S4_TF_MAIN % {"version": S4_TF_PROVIDER, "url": emu.url, "licenses": json.dumps(licenses),
                                  "accounts": json.dumps(accounts), "ops": json.dumps(S4_OPS)})
        log = os.path.join(d, "terraform.log")
        tf, tf_init = s4_tf_init(tfdir, env, log)
        if not tf:
            rows += [s4_skip("terraform", p, tf_init) for p in phases]
        else:
            cmd = "terraform apply -auto-approve -input=false -no-color"
            emu.admin("POST", "/_emu/reset", {"keep_config": True})
            for phase in phases:
                if phase == "activate":
                    rows.append(s4_skip("terraform", phase, "n/a: aws_licensemanager_grant cannot activate a grant "
                                        "(status is read-only; it never calls CreateGrantVersion Status=ACTIVE), "
                                        "so its grants stay DISABLED"))
                    continue
                r = s4_pass(emu, lambda: s4_run([tf, "apply", "-auto-approve", "-input=false", "-no-color"],
                                                env, tfdir, log, timeout))
                why = "; ".join(filter(None, ["exit %d: %s" % (r["exit"], s4_tail(log)) if r["exit"] else "",
                                              s4_check(emu, licenses, accounts, ("DISABLED",)), r["errors"],
                                              "%d writes" % r["writes"] if phase == "steady" and r["writes"] else ""]))
                if phase == "create":
                    r["init_wall_s"] = tf_init      # terraform init, not counted in wall_s
                rows.append(s4_row("terraform", phase, r, base[phase], estate, cmd, not why, why))
        return rows
    finally:
        emu.stop()


def fmt_s4_skip(r):
    return "%-20s %s" % (r["scenario"], "skipped: " + r["skipped"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "lmgrantd"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results.json"))
    ap.add_argument("--only", choices=["S1", "S2", "S3", "S4", "S5"], help="S1, S2 (S2 includes S3), S4, S5")
    ap.add_argument("--s5-rates", default=",".join("%g" % r for r in S5_RATES), metavar="R,R,...",
                    help="S5: the emulator's throttle rates, one pass each (default 4,20,80)")
    ap.add_argument("--s4-grants", type=int, default=100, metavar="N",
                    help="S4 estate: N grants, licenses x accounts (default 100 = 2 x 50)")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="lmgrantd-bench.")
    rows = []
    try:
        if args.only in (None, "S1"):
            rows += scenario_s1(args.binary, workdir)
        if args.only in (None, "S2", "S3"):
            rows += scenario_s2_s3(args.binary, workdir)
        if args.only in (None, "S5"):
            rows += scenario_s5(args.binary, workdir, [float(x) for x in args.s5_rates.split(",")])
        if args.only in (None, "S4"):
            rows += scenario_s4(args.binary, workdir, args.s4_grants)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("%-20s %7s %10s %6s %8s %6s %6s %6s  %-4s %s" % (
        "scenario", "wall s", "bound s", "cpu s", "rss MiB", "calls", "min", "writes", "", "target"))
    for r in rows:
        print(fmt_s4_skip(r) if r.get("skipped") else fmt_row(r))
    with open(args.out, "w") as f:
        json.dump({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rows": rows}, f, indent=2)
    print("written to %s" % os.path.relpath(args.out, ROOT))
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
