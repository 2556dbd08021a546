"""Draws a Chrome-trace timeline of the NPU simulator (Core::chromeTrace) as
an SVG: one lane per pipe, one box per call.

Usage: /usr/bin/python3 bench/npu/trace_svg.py trace.json out.svg [--title T]
"""
import argparse
import json
from xml.sax.saxutils import escape

COLORS = {"MTE2": "#4e79a7", "MTE1": "#76b7b2", "M": "#e15759", "FIX": "#f28e2b",
          "V": "#59a14f", "MTE3": "#b07aa1"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("svg")
    ap.add_argument("--title", default="NPU pipes (simulated)")
    args = ap.parse_args()
    events = json.load(open(args.trace))["traceEvents"]
    lanes = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M"}
    spans = [e for e in events if e["ph"] == "X"]
    end = max((e["ts"] + e["dur"] for e in spans), default=1.0)
    left, width, lane_h, top = 60, 900, 28, 40
    height = top + lane_h * len(lanes) + 40
    scale = width / end
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{escape(args.title)}</text>']
    for tid, name in sorted(lanes.items()):
        y = top + tid * lane_h
        out.append(f'<text x="5" y="{y + 18}">{escape(name)}</text>')
        out.append(f'<line x1="{left}" y1="{y + lane_h}" x2="{left + width}" y2="{y + lane_h}" stroke="#ddd"/>')
    for e in spans:
        name = lanes[e["tid"]]
        x = left + e["ts"] * scale
        w = max(e["dur"] * scale, 0.5)
        y = top + e["tid"] * lane_h + 4
        out.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{lane_h - 8}" '
                   f'fill="{COLORS.get(name, "#999")}"><title>{escape(e["name"])}: '
                   f'{e["ts"]:.3f} us + {e["dur"]:.3f} us</title></rect>')
    axis_y = top + lane_h * len(lanes) + 15
    for i in range(6):
        t = end * i / 5
        x = left + t * scale
        out.append(f'<text x="{x:.1f}" y="{axis_y}" text-anchor="middle">{t:.2f} us</text>')
    out.append("</svg>")
    with open(args.svg, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
