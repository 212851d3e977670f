"""Every main page, in Chromium at 1280×800 and at phone width: no sideways scrolling of the page,
every visible form control has a label, and text meets WCAG AA contrast against its background."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.approval_ui.test_browser import ARTIFACTS, DESKTOP, PHONE, browser, server
from tests.approval_ui.web_helpers import Web, password_of

__all__ = ["browser", "server"]  # the fixtures, shared with the other browser tests

UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length))
  .filter(el => !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML.slice(0, 60))"""

LOW_CONTRAST = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(x => parseFloat(x));
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
    if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || el.offsetParent === null) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color), bg = background(el);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    if (ratio < needed) bad.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


def _pages(web: Web) -> dict[str, list[str]]:
    proposal = web.small[0]
    customer = web.steward.queue.get(proposal).customer_id
    return {
        "officer": ["/queue", f"/proposals/{proposal}", f"/customers/{customer}"],
        "ops": ["/autonomy", "/policies", "/policies/credit_approval"],
        "auditor": ["/audit"],
        "engineer": ["/evals"],
    }


def _check(page: Page) -> dict[str, object]:
    problems: dict[str, object] = {}
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1] + 1:
        problems["scrolls sideways"] = width
    for name, script in (("unlabelled", UNLABELLED), ("low contrast", LOW_CONTRAST)):
        found = page.evaluate(script)
        if found:
            problems[name] = found
    return problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "phone"])
def test_every_main_page_is_usable_labelled_and_readable(
    web: Web, server: str, browser: Browser, viewport: ViewportSize
) -> None:
    problems = {}
    for user, paths in _pages(web).items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        _log_in_to(page, server, user, paths[0])
        for path in paths:
            response = page.goto(f"{server}{path}")
            assert response is not None and response.status == 200, path
            found = _check(page)
            if found:
                problems[f"{user} {path}"] = found
            if viewport == PHONE:
                ARTIFACTS.mkdir(exist_ok=True)
                name = path.strip("/").split("/")[0] or "home"
                page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
        context.close()
    assert problems == {}


def _log_in_to(page: Page, server: str, user: str, path: str) -> None:
    page.goto(f"{server}/login?next={path}")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password_of(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}{path}")
