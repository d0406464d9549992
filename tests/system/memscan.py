#!/usr/bin/env python3
"""memscan.py PID NEEDLE...: prints each NEEDLE found in the writable
memory of process PID (read through /proc/PID/mem, which needs root or
ptrace rights), one per line as "NEEDLE COUNT". Used by the test that a
role profile's source secret is wiped once the role is assumed."""
import re
import sys


def scan(pid, needles):
    found = {n: 0 for n in needles}
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if not m or "w" not in m.group(3) or "r" not in m.group(3):
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except OSError:
                continue
            for n in needles:
                found[n] += data.count(n.encode())
    return found


if __name__ == "__main__":
    for needle, count in scan(int(sys.argv[1]), sys.argv[2:]).items():
        if count:
            print(needle, count)
