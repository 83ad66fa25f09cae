"""Accessibility checks run inside the page: WCAG AA contrast of visible text
from computed styles, and the accessible name of every control from
Chromium's accessibility tree. No third-party code."""

from __future__ import annotations

from pathlib import Path

CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text()

# A fade (a toast or a sheet coming in) measured half-way reads as low contrast:
# wait for every animation and transition with an end to reach it first.
SETTLE_JS = """async () => {
  const finite = document.getAnimations().filter(
    (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity
  );
  await Promise.all(finite.map((a) => a.finished.catch(() => null)));
}"""

CONTROL_ROLES = {
    "button",
    "link",
    "textbox",
    "searchbox",
    "combobox",
    "checkbox",
    "radio",
    "switch",
    "slider",
    "spinbutton",
    "listbox",
    "menuitem",
    "tab",
}


def contrast_report(page) -> tuple[list[dict], list[dict]]:
    """(measured texts below AA, texts over images without a text shadow)."""
    page.evaluate(SETTLE_JS)
    results = page.evaluate(CONTRAST_JS)
    low = [r for r in results if "ratio" in r and r["ratio"] < r["needed"]]
    unshadowed = [r for r in results if r.get("overImage") and not r["shadow"]]
    assert any("ratio" in r for r in results), "no text was measured"
    return low, unshadowed


def _readable(name: str) -> str:
    """The name without icon-font glyphs (private-use characters, which Chromium
    takes from an icon's ::before content) and spaces."""
    return "".join(c for c in name if not 0xE000 <= ord(c) <= 0xF8FF).strip()


def unnamed_controls(page) -> list[dict]:
    """Controls in the accessibility tree (not ignored) without a readable name."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    missing = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in CONTROL_ROLES:
            continue
        if not _readable(node.get("name", {}).get("value") or ""):
            missing.append({"role": role, "backend": node.get("backendDOMNodeId")})
    if missing:
        session = page.context.new_cdp_session(page)
        for item in missing:  # describe the element for the failure message
            described = session.send("DOM.describeNode", {"backendNodeId": item["backend"]})
            node = described["node"]
            attributes = node.get("attributes", [])
            item["element"] = f"<{node['localName']} {' '.join(attributes)}>"
        session.detach()
    return missing
