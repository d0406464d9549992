"""A fake systemd NOTIFY_SOCKET: appends every datagram it receives, one
message per line, to a log file, until killed."""
import socket
import sys

sock_path, log_path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
with open(log_path, "a", buffering=1) as log:
    while True:
        data = s.recv(65536).decode("utf-8", "replace")
        log.write(data.replace("\n", " | ") + "\n")
