#!/usr/bin/env python3
"""Snapshots of everything the backends write, to check that a change to
the compiler's structure leaves the generated code alone.

    artifact_snapshot.py snapshot OUT [--build-dir build]
    artifact_snapshot.py compare BEFORE AFTER

`snapshot` compiles the lit and GPU test inputs with `sinter-compile` for
every target preset (PTX, cubin, launch code, NPU C++, CPU objects,
libraries, headers, manifests), translates the NPU kernel inputs with
`sinter-translate --npu-to-cpp`, and records each command's exit status and
messages. `compare` reports every file that differs between two snapshots;
manifests are compared without their "pipeline" field (which records the
passes that ran). It exits 1 when anything else differs.

Typical use, from the repository root:

    git stash; ninja -C build; test/scripts/artifact_snapshot.py snapshot /tmp/before
    git stash pop; ninja -C build; test/scripts/artifact_snapshot.py snapshot /tmp/after
    test/scripts/artifact_snapshot.py compare /tmp/before /tmp/after
"""
import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

TARGETS = ["x86-avx512", "x86-avx2", "aarch64-neon", "nvidia-h100", "nvidia-a100", "npu-910"]

# Inputs of the lit tests that run sinter-compile, the bundled examples, and
# the NPU backend's inputs (sinter ops, and kernels already in the npu
# dialect, which sinter-compile refuses and sinter-translate takes).
INPUT_GLOBS = [
    "test/tools/sinter-compile/*.mlir",
    "test/tools/sinter-compile/Inputs/*.mlir",
    "test/Target/NPU/Inputs/*.mlir",
    "test/Backend/NPU/Inputs/*.mlir",
    "examples/decoder_block/*.mlir",
]


def jobs(tmp):
    """(job id, argv) pairs; argv may name OUTDIR, replaced per job."""
    sys.path.insert(0, os.path.join(ROOT, "test", "GPU"))
    import cases  # noqa: E402
    out = []
    for group, name in ((cases.CASES, "tests"), (cases.BENCH, "bench")):
        for target in ("nvidia-h100", "nvidia-a100"):
            # sm_80 has no fp8 conversions: those cases are refused there.
            chosen = [c for c in group if target == "nvidia-h100" or "f8E4M3FN" not in c["mlir"]]
            src = os.path.join(tmp, f"gpu-{name}-{target}.mlir")
            with open(src, "w") as f:
                f.write("\n".join(c["mlir"] for c in chosen))
            for schedule in ("auto", "pingpong"):
                if target == "nvidia-a100" and schedule != "auto":
                    continue
                out.append((f"gpu-cases/{name}-{target}-{schedule}",
                            ["sinter-compile", src, f"--target={target}", "--no-graph", "-o", "OUTDIR",
                             "--name", name, f"--gpu-gemm-schedule={schedule}", "--quiet"]))
    inputs = sorted({p for g in INPUT_GLOBS for p in glob.glob(os.path.join(ROOT, g))})
    for path in inputs:
        # The same job id whether the backends' tests live in test/Target
        # or test/Backend.
        rel = os.path.relpath(path, ROOT).replace("test/Target/", "test/Backend/")
        stem = rel.replace("/", "_").replace(".mlir", "")
        for target in TARGETS:
            out.append((f"inputs/{stem}/{target}",
                        ["sinter-compile", path, f"--target={target}", "-o", "OUTDIR", "--name", "m",
                         "--quiet"]))
        if "/NPU/Inputs/" in rel:
            out.append((f"inputs/{stem}/npu-to-cpp",
                        ["sinter-translate", "--npu-to-cpp", path, "-o", "OUTDIR/m.cpp"]))
    return out


def snapshot(out, build_dir):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    tmp = os.path.join(out, ".inputs")
    os.makedirs(tmp)
    tools = os.path.join(build_dir, "bin")
    env = dict(os.environ, PATH=os.pathsep.join([tools, "/usr/local/cuda/bin", os.environ.get("PATH", "")]))
    todo = jobs(tmp)
    for i, (job, argv) in enumerate(todo):
        d = os.path.join(out, job)
        os.makedirs(d, exist_ok=True)
        argv = [a.replace("OUTDIR", d) for a in argv]
        argv[0] = os.path.join(tools, argv[0])
        done = subprocess.run(argv, capture_output=True, text=True, env=env)
        # Messages name the snapshot's folders; keep them comparable.
        text = (done.stdout + done.stderr).replace(d, "<out>").replace(tmp, "<in>").replace(ROOT, "<root>")
        with open(os.path.join(d, "status.txt"), "w") as f:
            f.write(f"rc={done.returncode}\n{text}")
        print(f"[{i + 1}/{len(todo)}] {job}: rc={done.returncode}", flush=True)
    shutil.rmtree(tmp)


def files(root):
    found = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            found[os.path.relpath(p, root)] = p
    return found


def manifest_without_pipeline(path):
    with open(path) as f:
        m = json.load(f)
    m.pop("pipeline", None)
    return json.dumps(m, sort_keys=True, indent=1)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def compare(before, after):
    a, b = files(before), files(after)
    artifacts = differ = messages = 0
    for rel in sorted(set(a) | set(b)):
        if rel not in a or rel not in b:
            print(f"{'only in ' + after if rel in b else 'missing from ' + after}: {rel}")
            differ += 1
            continue
        artifacts += 1
        if rel.endswith(".json"):
            same = manifest_without_pipeline(a[rel]) == manifest_without_pipeline(b[rel])
        else:
            same = digest(a[rel]) == digest(b[rel])
        if same:
            continue
        if rel.endswith("status.txt"):
            # Exit statuses must agree; a reworded message is reported.
            with open(a[rel]) as fa, open(b[rel]) as fb:
                ra, rb = fa.readline(), fb.readline()
            if ra != rb:
                print(f"DIFFERENT exit status: {rel}: {ra.strip()} -> {rb.strip()}")
                differ += 1
            else:
                print(f"message changed: {rel}")
                messages += 1
            continue
        print(f"DIFFERENT: {rel}")
        differ += 1
    print(f"compared {artifacts} files: {differ} differ, {messages} messages reworded "
          f"(manifests compared without their pipeline field)")
    return 1 if differ else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("out")
    s.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    args = ap.parse_args()
    if args.cmd == "snapshot":
        snapshot(os.path.abspath(args.out), os.path.abspath(args.build_dir))
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
