#!/usr/bin/python3
"""The initialisation of multi_head_attention's parameters, as torch.nn.MultiheadAttention's
_reset_parameters gives it, from netc's saved weights (--save-weights).

usage: attn_init.py WEIGHTS.safetensors

For every NAME.in_proj_weight [3E, E]: xavier_uniform, every value within
b = sqrt(6 / (E + 3E)) and, over 500 values and more, the standard deviation within 6% of
b / sqrt(3) and the mean within 5 standard errors of 0. NAME.in_proj_bias and
NAME.out_proj.bias: zeros exactly. (NAME.out_proj.weight is an nn.Linear's, which
run_parity.py's check_init covers.) Prints one row per check and `PASS attn_init: N checks`
or `FAIL ...`; exits 1 on any failure.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402


def main():
    weights = st.read(sys.argv[1])
    rows = []
    for k, w in sorted(weights.items()):
        w = w.double()
        if k.endswith(".in_proj_weight"):
            e = w.shape[1]
            bound = (6.0 / (e + 3 * e)) ** 0.5
            std = bound / 3 ** 0.5
            ok = w.abs().max().item() <= bound * (1 + 1e-6)
            text = f"max |w| {w.abs().max().item():.4f} <= {bound:.4f}"
            n = w.numel()
            if n >= 500:
                m, sd = w.mean().item(), w.std().item()
                ok = ok and abs(sd - std) <= 0.06 * std and abs(m) <= 5 * std / n ** 0.5
                text += f"; mean {m:+.4f}, std {sd:.4f} vs {std:.4f}"
            rows.append((k, ok, text))
        elif k.endswith(".in_proj_bias") or k.endswith(".out_proj.bias"):
            rows.append((k, bool((w == 0).all()), "zeros"))
    for k, ok, text in rows:
        print(f"{'ok  ' if ok else 'FAIL'} init: {k:<36} {text}")
    failed = [k for k, ok, _ in rows if not ok]
    verdict = "FAIL" if failed or not rows else "PASS"
    print(f"{verdict} attn_init: {len(rows)} checks")
    return 1 if verdict == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
