"""The settings that make this machine compute as another CPU would, for a second run of the suite.

Prints `env` arguments, one per line (``.ci/run``: ``mapfile -t args < <(python3 scripts/other_cpu.py)``,
then ``env "${args[@]}" bash scripts/test.sh``); ``--describe`` prints them as one line for a log.

* NumPy's widest SIMD level is switched off (``NPY_DISABLE_CPU_FEATURES``): on an AVX-512 machine
  its AVX-512 loops, so the AVX2 ones run; on an AVX2 machine the AVX2 ones, so SSE's run.
* The other OpenBLAS kernel: where ``OPENBLAS_CORETYPE`` is set (as some machines here set it), it
  is unset with ``OPENBLAS_L2_SIZE``, so OpenBLAS picks its own; else an AVX-512 machine gets the
  Haswell (AVX2) kernel and any other machine the Sandybridge (AVX) one.
"""
import os
import sys

import threadpoolctl

try:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
except ImportError:  # NumPy < 2
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__

AVX512_KERNELS = ("skylakex", "cooperlake", "sapphirerapids")


def _level(feature):
    """4 for AVX-512 features, 3 for AVX2's, else 0 (NumPy >= 2.4 names levels X86_V3/X86_V4)."""
    if feature == "X86_V4" or "512" in feature:
        return 4
    if feature in ("X86_V3", "AVX2", "FMA3"):
        return 3
    return 0


def simd_off():
    """The dispatchable features of the widest SIMD level this machine has, as one string."""
    available = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    widest = max((_level(f) for f in available), default=0)
    return " ".join(f for f in available if widest and _level(f) == widest)


def blas_kernel():
    """The `env` arguments that select the other OpenBLAS kernel."""
    if os.environ.get("OPENBLAS_CORETYPE"):
        return ["-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE"]
    kernels = [i.get("architecture", "") for i in threadpoolctl.threadpool_info()
               if i.get("internal_api") == "openblas"]
    avx512 = any(k.lower() in AVX512_KERNELS for k in kernels)
    return ["OPENBLAS_CORETYPE=" + ("Haswell" if avx512 else "Sandybridge")]


def main():
    args = blas_kernel()
    off = simd_off()
    if off:
        args.append("NPY_DISABLE_CPU_FEATURES=" + off)
    if sys.argv[1:] == ["--describe"]:
        print(" ".join(args))
    else:
        print("\n".join(args))


if __name__ == "__main__":
    main()
