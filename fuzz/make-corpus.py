#!/usr/bin/python3
"""Writes the seed corpus of the fuzz target fuzz_cli (generated, never committed).

    /usr/bin/python3 fuzz/make-corpus.py DIR

DIR receives argument vectors, one file each, the arguments separated by NUL bytes (argv[0] is
added by the target). Only the standard library is used; the output is the same on every run.
"""

import os
import sys


def cli_seeds():
    longs = ["--help", "--version", "--verbose", "--quiet", "--upgrade", "--user", "--altinstall",
             "--default-pip", "--uninstall", "--verify", "--no-compile"]
    with_arg = {"--root": "/tmp/root", "--python": "/usr/bin/python3",
                "--script-interpreter": "/usr/bin/env python3", "--report": "-",
                "--lock-timeout": "30"}
    vectors = [[]]
    vectors += [[o] for o in longs]
    for o, a in with_arg.items():
        vectors += [[o, a], [f"{o}={a}"], [o], [f"{o}="]]
    vectors += [
        ["-h"], ["-v"], ["-vvv"], ["-vvvq"], ["-q"], ["-U"], ["-Uv"], ["-x"], ["-"], ["--"],
        ["--", "--user"], ["-v", "-v", "-v"],
        ["--lock-timeout=1e309"], ["--lock-timeout=-1"], ["--lock-timeout=nan"], ["--lock-timeout", "0x10"],
        ["--lock-timeout=1e9"], ["--lock-timeout=12abc"], ["--lock-timeout="],
        ["--up"], ["--u"], ["--us"], ["--un"], ["--ver"], ["--verb"], ["--veri"], ["--de"], ["--scr=x"],
        ["--no"], ["--rep", "out.json"], ["--py=/x"], ["--help=1"], ["--user=yes"], ["--bogus"],
        ["--root", "/r", "--user", "--upgrade", "--default-pip"],
        ["--altinstall", "--default-pip"],
        ["--uninstall", "--upgrade"], ["--uninstall", "--root=/r", "--user", "-v"],
        ["--verify", "-v"], ["--verify", "--user"], ["--verify", "-q"],
        ["--version", "--bogus"], ["-q", "--verbose"],
        ["--python", ""], ["--report", ""], ["--script-interpreter", " python"],
        ["--script-interpreter", "/usr/bin/python3\n"], ["--script-interpreter", "/" + "p" * 130],
        ["--no-compile", "--script-interpreter=/usr/bin/python3", "--report=/tmp/r.json", "-U"],
        ["extra"], ["--user", "extra", "more"], ["extra", "--user"],
        ["--root"], ["--python"],
        ["\udcff\udcfe"], ["--\udcff"], ["-\x01"], ["--user\n"], ["-\n"],
    ]
    return {f"cli-{i:03d}": "\0".join(v).encode("utf-8", "surrogateescape") for i, v in enumerate(vectors)}


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    return len(seeds)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1].strip())
    n = write(sys.argv[1], cli_seeds())
    print(f"make-corpus.py: {n} fuzz_cli seeds in {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
