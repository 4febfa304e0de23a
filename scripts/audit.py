"""Lighthouse (mobile, default throttling) on the app's home view, against a throwaway server.
Fails when a category is under target and says which audits cost the points.
Run: make audit   (installs Lighthouse into .tools/node first)"""

import json
import subprocess
import sys

from _serve import ROOT, serve

LIGHTHOUSE = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
WORKDIR = ROOT / "var" / "audit"
# Lighthouse adds .report.json and .report.html to this.
REPORT_BASE = WORKDIR / "lighthouse"
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}


def run_lighthouse(url: str) -> dict:
    subprocess.run(  # noqa: S603 (fixed command)
        [LIGHTHOUSE, url, f"--chrome-path={CHROMIUM}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
         "--output=json", "--output=html", f"--output-path={REPORT_BASE}", "--quiet"],
        check=True)
    return json.loads(REPORT_BASE.with_suffix(".report.json").read_text(encoding="utf-8"))


def costly_audits(report: dict, category: dict) -> list[dict]:
    """The weighted audits of a category that did not score full marks."""
    audits = (report["audits"][ref["id"]] for ref in category["auditRefs"] if ref["weight"] > 0)
    return [audit for audit in audits if audit["score"] is not None and audit["score"] < 1]


def main() -> int:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    with serve(WORKDIR) as base_url:
        report = run_lighthouse(f"{base_url}/")
    print(f"Lighthouse {report['lighthouseVersion']}, {report['configSettings']['formFactor']}")
    below_target = []
    for name, target in TARGETS.items():
        category = report["categories"][name]
        score = category["score"]
        shown = "n/a" if score is None else f"{score:.2f}"
        print(f"  {name:15} {shown}  (target {target:.2f})")
        if score is None or score < target:
            below_target.append(category)
    for category in below_target:
        print(f"\n{category['title']} is below target; these audits cost points:")
        for audit in costly_audits(report, category):
            value = f" [{audit['displayValue']}]" if audit.get("displayValue") else ""
            print(f"  {audit['id']}: {audit['title']} (score {audit['score']}){value}")
    print(f"\nFull report: {REPORT_BASE.with_suffix('.report.html').relative_to(ROOT)}")
    return 1 if below_target else 0


if __name__ == "__main__":
    sys.exit(main())
