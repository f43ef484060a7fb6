"""A bar chart of the ratios netc/PyTorch as plain SVG (no plotting packages).

One group of bars per model and pass, one bar per thread count, on a
logarithmic axis: a bar left of the 1.0 line means netc is faster. Issue 7's
target for the pass, where it has one, is a red tick across its group.
"""

import math
from xml.sax.saxutils import escape

COLORS = ["#4878a8", "#e0913a", "#6aa84f", "#a64d79"]


def write_svg(path, rows, threads):
    groups = []
    for row in rows:
        key = (row["model"], row["pass"])
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "bars": {}, "target": row.get("target")})
        groups[-1]["bars"][row["threads"]] = row["ratio"]

    values = [r["ratio"] for r in rows] + [g["target"] for g in groups if g["target"]]
    lo = 10 ** math.floor(math.log10(min(values + [1.0]) * 0.9))
    hi = 10 ** math.ceil(math.log10(max(values + [1.0]) * 1.1))
    left, width, bar, gap, top = 190, 520, 12, 10, 40
    group_h = bar * len(threads) + gap
    height = top + group_h * len(groups) + 50

    def xpos(v):
        return left + width * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (left + width + 30, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="13" font-weight="bold">Median time ratio netc / '
           'PyTorch (log scale; left of 1 = netc faster)</text>' % left]
    # Grid lines at 1-2-5 steps of each decade.
    decade = lo
    while decade <= hi:
        for m in (1, 2, 5):
            v = decade * m
            if lo <= v <= hi:
                x = xpos(v)
                strong = m == 1 and abs(v - 1.0) < 1e-9
                out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" '
                           'stroke-width="%s"/>' % (x, top - 5, x, height - 40,
                                                    "#333" if strong else "#ddd",
                                                    "1.5" if strong else "1"))
                out.append('<text x="%.1f" y="%d" text-anchor="middle">%g</text>' %
                           (x, height - 26, v))
        decade *= 10
    for i, g in enumerate(groups):
        y0 = top + i * group_h
        label = "%s %s" % (g["key"][0], g["key"][1].replace("_", " "))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' %
                   (left - 8, y0 + bar * len(threads) / 2 + 4, escape(label)))
        for j, t in enumerate(threads):
            if t not in g["bars"]:
                continue
            v = g["bars"][t]
            x1 = xpos(lo)
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"/>' %
                       (x1, y0 + j * bar, max(1.0, xpos(v) - x1), bar - 2,
                        COLORS[j % len(COLORS)]))
            out.append('<text x="%.1f" y="%.1f" font-size="9">%.2f</text>' %
                       (xpos(v) + 3, y0 + j * bar + bar - 4, v))
        if g["target"]:
            x = xpos(g["target"])
            out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c00" '
                       'stroke-width="2"/>' % (x, y0 - 2, x, y0 + bar * len(threads)))
    ly = height - 12
    for j, t in enumerate(threads):
        lx = left + j * 110
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' %
                   (lx, ly - 9, COLORS[j % len(COLORS)]))
        out.append('<text x="%d" y="%d">%d thread%s</text>' % (lx + 14, ly, t,
                                                              "s" if t > 1 else ""))
    lx = left + len(threads) * 110
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#c00" stroke-width="2"/>' %
               (lx + 5, ly - 10, lx + 5, ly + 1))
    out.append('<text x="%d" y="%d">target (issue 7)</text>' % (lx + 12, ly))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
