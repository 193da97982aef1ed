"""Test machines on this machine: Linux network namespaces joined by veth pairs to a bridge.

``Hosts(k)`` makes namespaces ``tt<X>-h0 .. h<k-1>``, each with its own address in 198.18.X.0/24
(RFC 2544's range for benchmarking networks, on no real network) on a veth whose other end is in a
bridge namespace ``tt<X>-sw``; no interface is in this machine's own namespace, so no packet
can leave them. Commands run in a host with ``run_in(i, argv)``; ``scripts/netns-rsh`` is Open MPI's
launch agent for them. Needs root and iproute2; ``available()`` says why not otherwise.
"""
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AGENT = os.path.join(ROOT, "scripts", "netns-rsh")
SUBNET = "198.18"


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def available():
    """None when namespaces can be made here, else the reason."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (iproute2 / util-linux)"
    probe = f"tinytf-probe-{os.getpid()}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"cannot make a network namespace: {made.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


class Hosts:
    """``k`` hosts in their own subnet ``198.18.X.0/24``; ``X`` is claimed by creating the switch
    namespace ``tt<X>-sw`` (which fails if another test holds it), so parallel tests never share
    an address."""

    def __init__(self, k):
        self.k = k

    def _claim(self):
        first = os.getpid() % 250
        for step in range(250):
            x = (first + step) % 250
            if _ip("netns", "add", f"tt{x}-sw", check=False).returncode == 0:
                return x
        raise RuntimeError("no free test subnet: 250 test host groups exist")

    def __enter__(self):
        x = self._claim()
        self.prefix, self.switch = f"tt{x}", f"tt{x}-sw"
        self.names = [f"{self.prefix}-h{i}" for i in range(self.k)]
        self.addresses = [f"{SUBNET}.{x}.{i + 1}" for i in range(self.k)]
        try:
            _ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.switch, "link", "set", "br0", "up")
            for i, (name, address) in enumerate(zip(self.names, self.addresses)):
                _ip("netns", "add", name)
                _ip("link", "add", "eth0", "netns", name, "type", "veth", "peer", "name", f"p{i}", "netns", self.switch)
                _ip("-n", self.switch, "link", "set", f"p{i}", "master", "br0", "up")
                _ip("-n", name, "addr", "add", f"{address}/24", "dev", "eth0")
                _ip("-n", name, "link", "set", "eth0", "up")
                _ip("-n", name, "link", "set", "lo", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for i, name in enumerate(self.names):
            self.kill(i)
            _ip("netns", "del", name, check=False)
        _ip("netns", "del", self.switch, check=False)

    def hostfile(self, path, slots=1):
        with open(path, "w") as f:
            f.writelines(f"{a} slots={slots}\n" for a in self.addresses)
        return path

    def argv(self, i, argv):
        """``argv`` run in host ``i`` under its own host name (as netns-rsh runs the other ranks)."""
        return ["ip", "netns", "exec", self.names[i], "unshare", "--uts", "sh", "-c",
                f'hostname {self.names[i]} && exec "$@"', "sh", *argv]

    def pids(self, i):
        out = _ip("netns", "pids", self.names[i], check=False).stdout.split()
        return [int(p) for p in out]

    def kill(self, i):
        """Every process of host ``i`` (a machine that dies)."""
        for pid in self.pids(i):
            try:
                os.kill(pid, 9)
            except OSError:
                pass

    def link(self, i, up):
        """Cut (or mend) host ``i``'s cable."""
        _ip("-n", self.names[i], "link", "set", "eth0", "up" if up else "down")

    def slow(self, i, rate="20mbit"):
        """A slow link: netem's delay where the kernel has it, else a token-bucket rate limit."""
        dev = ["dev", "eth0", "root"]
        tc = ["ip", "netns", "exec", self.names[i], "tc", "qdisc", "replace", *dev]
        done = subprocess.run(tc + ["netem", "delay", "20ms", "rate", rate], capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(tc + ["tbf", "rate", rate, "burst", "32kbit", "latency", "400ms"], check=True,
                           capture_output=True, text=True)
