#!/usr/bin/env python3
"""Fault injection for nook (faults.bats): SIGKILL at random points.

Each round starts one `nook run` (or `nook rm`), kills a process with
SIGKILL after a delay drawn from a seeded generator (so a failing round
can be replayed with the same seed), waits for nook to end, runs
`nook ls` and `nook rm -f` as a user would, and then checks that nothing
is left: no process of this user that was not there before the loop,
no mount that was not there before (fuse-overlayfs or under the test's
directories), nothing in the state root or the layer directory, no
temporary file in the filter store.

  fault-loop.py --nook NOOK --bundle B --target nook|fuse-overlayfs|pasta
                --rounds N --seed S --prefix NAME [--kinds K,K...]

The environment must give nook private XDG_RUNTIME_DIR, XDG_DATA_HOME and
XDG_CACHE_HOME directories (the test's own): everything found there after
a round is a leftover. Delays are spread over the run time of each kind,
measured first (median of three undisturbed runs); for a helper (the
fuse-overlayfs daemon, pasta) they count from the moment it appears, a
round's helper being the one with the round's mark in its environment
(NOOK_FAULT_ROUND, inherited from nook), or, for pasta's daemon, which
makes itself non-dumpable, the pid in the pid file of the round's named
container (kind pasta-named). --min-hits fails the loop when
too few kills found their target alive. Prints one summary
line per kind; on the first leftover, prints the round (kind, delay,
seed) and what was left, and exits 1.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import time

# How long nook, or what it left, may take to go away after the kill.
GRACE_S = 10.0

# The container command of each kind: long enough for a daemon to be
# killed under a running container, short enough to keep rounds fast.
KINDS = {
    # no name: a random id, the layer inside the state directory
    "ephemeral": (["run"], ["true"]),
    # a named container: layer in XDG_DATA_HOME, kept after the run
    "named": (["run", "--name", "{name}"], ["true"]),
    # --rm with --name: nothing kept
    "named-rm": (["run", "--rm", "--name", "{name}"], ["true"]),
    # pasta: a helper daemon outside the container's PID namespace
    "pasta": (["run", "--net=pasta"], ["true"]),
    # the same, named: the pasta target finds the round's pasta daemon,
    # non-dumpable, by the pid file in its state directory (find_target)
    "pasta-named": (["run", "--name", "{name}", "--net=pasta"], ["true"]),
    # the container works in its root while its daemon is killed
    "busy": (["run", "--name", "{name}"],
             ["sh", "-c", "i=0; while [ $i -lt 200 ]; do echo $i > /f$i; i=$((i + 1)); done"]),
    # removal of a named container with files in its layer
    "rm": (["rm", "{name}"], None),
}


def log(*a):
    print(*a, flush=True)


def real_uid(pid):
    """The real uid from /proc/PID/status: the owner of /proc/PID is root
    once a process made itself non-dumpable, as pasta does."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def uid_processes():
    """{pid: (starttime, comm, ppid)} of this uid's processes, zombies
    aside: a zombie holds nothing but its pid, and init (not nook) reaps an
    orphan, on some machines only every few seconds."""
    uid = os.getuid()
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            if real_uid(p) != uid:
                continue
            with open(f"/proc/{p}/stat") as f:
                stat = f.read()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] == "Z":
                continue
            out[int(p)] = (fields[19], comm, int(fields[1]))
        except (OSError, ValueError, IndexError):
            continue
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def mounts(roots):
    """Mounts of this mount namespace that nook could have made: FUSE
    mounts, and anything under roots (other mounts come and go with the
    host, not with nook)."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4]
            fstype, source = line.split(" - ")[1].split()[:2]
            if fstype.startswith("fuse") or any(point.startswith(r + "/") for r in roots):
                out.append(f"{point} {fstype} {source}")
    return out


class Loop:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.dirs = {
            "state root": os.path.join(os.environ["XDG_RUNTIME_DIR"], "nook"),
            "layer directory": os.path.join(os.environ["XDG_DATA_HOME"], "nook", "containers"),
        }
        self.store = os.path.join(os.environ["XDG_CACHE_HOME"], "nook", "seccomp")
        me = os.getpid()
        self.own = {me}
        pid = me
        # The driver's ancestors (bats, meson) are the test's own.
        while pid > 1:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    s = f.read()
                pid = int(s[s.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                break
            self.own.add(pid)
        self.roots = [os.environ[v] for v in ("XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME")]
        self.roots.append(os.path.dirname(os.path.abspath(args.bundle)))
        self.procs_before = uid_processes()
        self.mounts_before = mounts(self.roots)

    def nook(self, *args, timeout=GRACE_S * 3):
        return subprocess.run([self.a.nook, *args], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def argv(self, kind, name):
        verb, cmd = KINDS[kind]
        argv = [self.a.nook] + [w.format(name=name) for w in verb]
        if cmd is not None:
            argv += [self.a.bundle] + cmd
        return argv

    def prepare(self, kind, name):
        """The rm kind removes a container that a full run made first."""
        if kind != "rm":
            return
        r = self.nook("run", "--name", name, self.a.bundle, "sh", "-c",
                      "mkdir -p /d/e; for i in 1 2 3 4 5 6 7 8; do echo $i > /d/e/f$i; done; chown -R 1:1 /d")
        if r.returncode != 0:
            self.fail(f"preparing {name} for rm: exit {r.returncode}: {r.stderr.strip()}")

    def measure(self, kind):
        times = []
        for i in range(3):
            name = f"{self.a.prefix}-m{i}"
            self.prepare(kind, name)
            t0 = time.monotonic()
            r = subprocess.run(self.argv(kind, name), stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=GRACE_S * 3)
            times.append(time.monotonic() - t0)
            if r.returncode != 0:
                self.fail(f"undisturbed {kind} run failed: exit {r.returncode}: {r.stderr.strip()}")
            self.clean_up(name)
            self.check(f"after the undisturbed {kind} run {i}")
        return statistics.median(times)

    def find_target(self, mark):
        """The pid of the target process started by this round, or None.
        pasta re-executes itself as passt.avx2 where the CPU has AVX2."""
        want = self.a.target
        for pid, (_, comm, _) in uid_processes().items():
            if pid in self.procs_before or not (comm == want or (want == "pasta" and comm.startswith("passt"))):
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if f"NOOK_FAULT_ROUND={mark}".encode() in f.read().split(b"\0"):
                        return pid
            except OSError:
                # A non-dumpable process (pasta's daemon makes itself one)
                # keeps its environment to itself: the pid file nook gives
                # pasta, in the state directory named by the mark, tells.
                if want == "pasta" and pid == self.pasta_pid(mark):
                    return pid
        return None

    def pasta_pid(self, mark):
        """The pid in the pasta.pid file of the container named mark."""
        try:
            with open(os.path.join(self.dirs["state root"], mark, "pasta.pid")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def round(self, i, kind, window):
        name = f"{self.a.prefix}-{i}"
        # Helpers appear some way into the run: their delays are shorter.
        delay = self.rng.uniform(0, window * (1 if self.a.target == "nook" else 0.7))
        self.prepare(kind, name)
        self.current = f"round {i} (seed {self.a.seed}): {kind}, {self.a.target} killed after {delay * 1000:.1f} ms"
        # nook's helpers inherit its environment: the mark finds this round's.
        env = dict(os.environ, NOOK_FAULT_ROUND=name)
        p = subprocess.Popen(self.argv(kind, name), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        if self.a.target != "nook":
            # A helper lives for part of the run only: the delay counts
            # from the moment it appears.
            deadline = time.monotonic() + window
            while self.find_target(name) is None and time.monotonic() < deadline:
                time.sleep(0.0005)
        time.sleep(delay)
        hit = False
        if self.a.target == "nook":
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                hit = True
        else:
            pid = self.find_target(name)
            if pid is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                    hit = True
                except ProcessLookupError:
                    pass
        try:
            _, err = p.communicate(timeout=GRACE_S * 3)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            self.fail(f"nook did not end within {GRACE_S * 3:.0f} s after the kill\n{err}")
        self.stderr = err
        self.clean_up(name)
        self.check("after nook ls and nook rm")
        return hit, p.returncode

    def clean_up(self, name):
        """What a user does after a crash: nook ls, then nook rm."""
        r = self.nook("ls", "-q")
        if r.returncode != 0:
            self.fail(f"nook ls: exit {r.returncode}: {r.stderr.strip()}")
        names = set(r.stdout.split()) | {name}
        for n in sorted(names):
            r = self.nook("rm", "-f", n)
            if r.returncode != 0 and not (n == name and "no such container" in r.stderr):
                self.fail(f"nook rm -f {n}: exit {r.returncode}: {r.stderr.strip()}")

    def leftover_processes(self):
        left = []
        for pid, (start, comm, ppid) in uid_processes().items():
            if pid in self.own or self.procs_before.get(pid, (None,))[0] == start:
                continue
            left.append(f"{pid} (parent {ppid}) {comm}: {cmdline(pid)}")
        return left

    def leftovers(self, wait):
        deadline = time.monotonic() + (GRACE_S if wait else 0)
        while True:
            left = self.leftover_processes()
            # The container dies with nook (PDEATHSIG) and the fuse daemon
            # with the container's mount namespace: not at the same instant.
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        found = [f"process {p}" for p in left]
        now = mounts(self.roots)
        found += [f"mount {m}" for m in now if m not in self.mounts_before]
        for what, d in self.dirs.items():
            try:
                found += [f"{what}: {os.path.join(d, e)}" for e in sorted(os.listdir(d))]
            except FileNotFoundError:
                pass
        try:
            # Entries are named by their 64-hex-digit key; anything else
            # (a temporary file) is half an entry.
            found += [f"filter store: {e}" for e in os.listdir(self.store)
                      if len(e) != 64 or e.strip("0123456789abcdef")]
        except FileNotFoundError:
            pass
        return found

    def check(self, when):
        found = self.leftovers(wait=True)
        if found:
            self.fail(f"left {when}:\n  " + "\n  ".join(found))

    def fail(self, msg):
        log(f"FAILED in {getattr(self, 'current', 'set-up')}: {msg}")
        if getattr(self, "stderr", None):
            log(f"nook's stderr: {self.stderr.strip()}")
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nook", required=True)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--target", default="nook", choices=["nook", "fuse-overlayfs", "pasta"])
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--kinds", default="ephemeral,named,named-rm")
    ap.add_argument("--min-hits", type=float, default=0.5,
                    help="fraction of rounds whose kill must land (the target was alive)")
    a = ap.parse_args()

    loop = Loop(a)
    kinds = a.kinds.split(",")
    log(f"seed {a.seed}, {a.rounds} rounds, target {a.target}, kinds {','.join(kinds)}")
    windows = {k: loop.measure(k) for k in kinds}
    log("run times (median of 3): " + ", ".join(f"{k} {w * 1000:.0f} ms" for k, w in windows.items()))
    stats = {k: [0, 0, {}] for k in kinds}
    for i in range(a.rounds):
        kind = kinds[i % len(kinds)]
        hit, status = loop.round(i, kind, windows[kind] * 1.1)
        s = stats[kind]
        s[0] += 1
        s[1] += hit
        s[2][status] = s[2].get(status, 0) + 1
    total_hits = 0
    for k, (n, hits, statuses) in stats.items():
        total_hits += hits
        st = ", ".join(f"{c}x exit {s}" for s, c in sorted(statuses.items()))
        log(f"{k}: {n} rounds, {hits} kills landed, nook ended with {st}; nothing left")
    if total_hits < a.min_hits * a.rounds:
        log(f"FAILED: only {total_hits} of {a.rounds} kills landed (want {a.min_hits:.0%}): the window is off")
        sys.exit(1)


if __name__ == "__main__":
    main()
