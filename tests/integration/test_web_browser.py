"""The dashboard in a real browser: Debian's chromium, headless, driven by
chromedriver through python3-selenium, against the real jobd-web serving
a real jobd with the example jobs of conf.d/ (and one more, `coin`, that
fails every other run so that a chart has both kinds of marks).

What is checked: the overview lists every job with its state and last
result and refreshes itself; `hello` started from the page shows its run
and its output; `slow` streams its output while it runs and is cancelled
from the page; a periodic job is paused and resumed from the page (jobctl
confirms); a job's duration chart marks failures with another shape; the
keyboard reaches and opens a job; no page overflows sideways at 390x844
or 1366x768; the browser console has no error (every test ends with that
check).

Screenshots go to BUILD/tests/artifacts/web/ (BUILD: the directory of
$JOBD; $JOBD_WEB_ARTIFACTS overrides it).  With JOBD_WEB_SCREENSHOT=1 the
overview is also saved as packaging/dashboard.png for the README.

A test is skipped only when Chromium or chromedriver cannot start (the
reason says why); a missing jobd-web binary fails, as every missing
binary does in these tests.
"""
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import JOBD, wait_for
from web_helpers import ROOT, start_jobd, web, web_users  # noqa: F401

CHROMIUM = os.environ.get("JOBD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("JOBD_CHROMEDRIVER", "/usr/bin/chromedriver")
EXAMPLES = ROOT / "conf.d"
BUILD = Path(JOBD).parent if JOBD else Path(tempfile.gettempdir())
ARTIFACTS = Path(os.environ.get("JOBD_WEB_ARTIFACTS")
                 or BUILD / "tests" / "artifacts" / "web")
README_SHOT = ROOT / "packaging" / "dashboard.png"
DESKTOP = (1366, 768)
PHONE = (390, 844)

pytestmark = pytest.mark.timeout(120)


# ------------------------------------------------------------ the site

def coin_job(d):
    """Fails on odd runs, succeeds on even ones, a little slower each
    time: a chart with successes and failures of several durations."""
    count = d.path("coin.count")
    return {"coin": {
        "description": "Succeed every other run (for the chart)",
        "shell": "yes",
        "command": 'n=$(cat %s 2>/dev/null || echo 0); n=$((n + 1)); '
                   'echo $n > %s; echo "toss $n"; sleep 0.$n; '
                   '[ $((n %% 2)) -eq 0 ]' % (count, count)}}


def example_files():
    files = {"conf.d/" + p.name: p.read_text()
             for p in sorted(EXAMPLES.glob("*.conf"))}
    assert "conf.d/hello.conf" in files, "no example jobs in %s" % EXAMPLES
    return files


@pytest.fixture
def site(jobd, web_users, web):  # noqa: F811
    """(daemon, jobd-web): jobd with the example jobs and coin, jobd-web
    an admin of it with a write token."""
    d = start_jobd(jobd, web_users, jobs=coin_job,
                   extra_files=example_files())
    return d, web(d)


def run_wait(d, job):
    """Starts job with jobctl and waits for the end; returns the Run."""
    return d.wait_run(d.start_run(job))


# ------------------------------------------------------------ the browser

class Page:
    """A Chromium window on one jobd-web; helpers read the page through
    small scripts that return plain data, which stays valid while the
    page redraws itself."""

    def __init__(self, driver, server, name):
        self.d = driver
        self.server = server
        self.name = name
        self.logs = []

    # -- navigation and reading

    def open(self, route="/"):
        self.d.get(self.server.origin + "/#" + route)
        self.wait(lambda: self.js("return !!document.querySelector('main h1')"),
                  what="the page to draw %s" % route)

    def go(self, route):
        """Follows a route inside the page (no reload)."""
        self.js("location.hash = arguments[0]", "#" + route)

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def wait(self, pred, timeout=15, what=None):
        from selenium.common.exceptions import (
            NoSuchElementException, StaleElementReferenceException)

        def safe():
            try:
                return pred()
            except (NoSuchElementException, StaleElementReferenceException):
                return None
        return wait_for(safe, timeout, what, interval=0.1)

    def text(self, selector):
        return self.js("const e = document.querySelector(arguments[0]);"
                       "return e ? e.textContent : null", selector)

    def h1(self):
        return (self.text("main h1") or "").strip()

    def rows(self):
        """The overview's rows: {name: {cells, hidden, strip: [hrefs]}}."""
        return {r["name"]: r for r in self.js("""
            return [...document.querySelectorAll('table.jobs tr[data-name]')]
              .map(tr => ({name: tr.dataset.name, hidden: tr.hidden,
                cells: [...tr.cells].map(c => c.textContent.trim()),
                strip: [...tr.querySelectorAll('.strip a')]
                  .map(a => [a.getAttribute('href'), a.className,
                             a.getAttribute('title')])}))""")}

    def output(self):
        """The run page's output lines: [(stream class, text)]."""
        return [tuple(x) for x in self.js("""
            return [...document.querySelectorAll('.output .line')].map(l =>
              [l.classList.contains('stderr') ? 'stderr' : 'stdout',
               [...l.childNodes].filter(n => n.nodeType === 3)
                 .map(n => n.data).join('')])""")]

    def banner(self):
        return self.js("const b = document.getElementById('banner');"
                       "return b.hidden ? null : b.textContent")

    def click_button(self, label, timeout=10):
        """Clicks the visible button with this text (found again if the
        page redrew it meanwhile)."""
        from selenium.common.exceptions import (
            ElementNotInteractableException, NoSuchElementException,
            StaleElementReferenceException)
        from selenium.webdriver.common.by import By

        def attempt():
            try:
                for b in self.d.find_elements(By.TAG_NAME, "button"):
                    if b.text.strip() == label and b.is_displayed() \
                            and b.is_enabled():
                        b.click()
                        return True
            except (StaleElementReferenceException, NoSuchElementException,
                    ElementNotInteractableException):
                return None
            return None
        self.wait(attempt, timeout, "a button %r to click" % label)

    def sign_in(self, token):
        from selenium.webdriver.common.by import By
        self.wait(lambda: self.js(
            "return !document.getElementById('signin').hidden"),
            what="the sign-in form")
        field = self.d.find_element(By.ID, "token")
        field.clear()
        field.send_keys(token)
        self.click_button("Sign in")
        self.wait(lambda: self.js(
            "return !document.getElementById('signout').hidden"),
            what="signed in (a Sign out button)")
        assert self.banner() is None, self.banner()
        assert not self.d.find_element(By.ID, "signin").is_displayed()
        assert not self.d.find_element(By.ID, "token").is_displayed()

    # -- viewport, overflow, screenshots, console

    def viewport(self, size, mobile=False):
        w, h = size
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": w, "height": h, "deviceScaleFactor": 1,
            "mobile": mobile})
        # A mobile viewport is device-width only on a page that says so
        # (the dashboard does; about:blank does not): checked after open.
        if not mobile:
            self.wait(lambda: self.js("return window.innerWidth") == w,
                      what="a viewport %d px wide" % w)

    def overflow(self):
        """How far the page is wider than the viewport (0: not at all),
        and the widest element sticking out, if any."""
        return self.js("""
            const vw = document.documentElement.clientWidth;
            let worst = null;
            for (const e of document.querySelectorAll('body *')) {
              let p = e.parentElement, clipped = false;
              for (; p && p !== document.body; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX;
                if (o === 'auto' || o === 'scroll' || o === 'hidden') {
                  clipped = true; break; }
              }
              const r = e.getBoundingClientRect();
              if (!clipped && r.width && r.right > vw + 0.5 &&
                  (!worst || r.right > worst[1]))
                worst = [e.tagName + (e.id ? '#' + e.id : '') +
                         (e.className && e.className.baseVal === undefined
                          ? '.' + e.className : ''), r.right];
            }
            return [document.documentElement.scrollWidth - vw, worst];""")

    def shot(self, label):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / ("%s-%s.png" % (self.name, label))
        self.d.save_screenshot(str(path))
        return path

    def console(self):
        """Every browser console entry so far (reading drains Chrome's
        buffer, so they are kept here)."""
        self.logs.extend(self.d.get_log("browser"))
        return self.logs

    def assert_no_errors(self, allow=()):
        bad = [e for e in self.console() if e["level"] == "SEVERE"
               and not any(a in e["message"] for a in allow)]
        assert not bad, "JavaScript console errors:\n" + "\n".join(
            e["message"] for e in bad)


def start_chromium(user_data_dir):
    """A headless Chromium through chromedriver, or a skip saying why
    it cannot start."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        pytest.skip("python3-selenium is not installed (%s): cannot drive "
                    "Chromium" % e)
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER,
                                                "chromium-driver")):
        if not os.access(path, os.X_OK):
            pytest.skip("%s is not installed (%s missing): Chromium cannot "
                        "start" % (what, path))
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--user-data-dir=" + str(user_data_dir),
                "--window-size=%d,%d" % DESKTOP, "--no-first-run",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--lang=en-US"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER),
                                  options=opts)
    except WebDriverException as e:
        pytest.skip("Chromium or chromedriver cannot start: %s"
                    % (e.msg or e).strip().splitlines()[0])
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture
def browser(request):
    """Factory: browser(server) -> Page in a new headless Chromium (each
    with its own profile), all closed at the end."""
    made = []

    def make(srv):
        profile = tempfile.mkdtemp(prefix="jdw-chromium-")
        made.append((None, profile))
        driver = start_chromium(profile)
        made[-1] = (driver, profile)
        p = Page(driver, srv, request.node.name.replace("/", "_"))
        p.viewport(DESKTOP)
        return p
    yield make
    for driver, profile in made:
        try:
            if driver is not None:
                driver.quit()
        finally:
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(site, browser):
    """(Page, daemon, server) on the example site."""
    d, srv = site
    return browser(srv), d, srv


# ------------------------------------------------------------ tests

def test_overview_lists_every_job_and_refreshes_itself(page):
    p, d, srv = page
    hello = run_wait(d, "hello")
    fails = run_wait(d, "fails")
    for _ in range(3):
        run_wait(d, "coin")
    jobs = {j["name"]: j for j in srv.get_json("/api/v1/jobs")["jobs"]}
    assert {"hello", "fails", "heartbeat", "ticker", "coin"} <= set(jobs)

    p.open("/")
    rows = p.wait(lambda: (lambda r: r if set(r) == set(jobs) else None)(
        p.rows()), what="a row for each of %s" % sorted(jobs))
    for name, j in jobs.items():
        cells = rows[name]["cells"]
        assert cells[0].startswith(name), cells
        assert cells[1] == j["kind"], cells
        assert cells[2].startswith(j["state"]), (name, cells, j["state"])
    # Last result: always in words, not only a colour.
    assert rows["hello"]["cells"][3] == "success"
    assert rows["fails"]["cells"][3] == "failed"
    assert rows["slow"]["cells"][3] == "never run"
    assert rows["coin"]["cells"][3] == "failed"         # toss 3: odd
    # The strip of recent results: links to the runs, titled.
    assert rows["hello"]["strip"][0][0] == "#/run/%d" % hello["id"]
    assert "success" in rows["hello"]["strip"][0][2]
    assert rows["fails"]["strip"][0][0] == "#/run/%d" % fails["id"]
    assert [s[1] for s in rows["coin"]["strip"]] == \
        ["r-failed", "r-success", "r-failed"]
    # A periodic job's next run, relative with the local time as title.
    nxt = p.js("""const tr = document.querySelector(
        'tr[data-name="heartbeat"]'); const t = tr.cells[4]
        .querySelector('time'); return t ? [t.textContent, t.title] : null""")
    # (Within the second it fires the page says "now".)
    assert nxt and (nxt[0].startswith("in ") or nxt[0] == "now"), nxt
    assert "local time" in nxt[1], nxt
    counters = p.text(".counters")
    assert "%d" % sum(1 for j in jobs.values() if j["kind"] == "job") \
        in counters, counters

    if os.environ.get("JOBD_WEB_SCREENSHOT") == "1":
        README_SHOT.parent.mkdir(parents=True, exist_ok=True)
        p.d.save_screenshot(str(README_SHOT))
    p.shot("overview-1366x768")

    # Live: a run started elsewhere shows up without a reload.
    again = run_wait(d, "hello")
    p.wait(lambda: ("#/run/%d" % again["id"]) in
           [s[0] for s in p.rows()["hello"]["strip"]],
           what="run %d in hello's strip without a reload" % again["id"])

    # The filter: "/" focuses it and it filters as one types.
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains
    p.js("document.activeElement.blur()")
    ActionChains(p.d).send_keys("/").perform()
    assert p.js("return document.activeElement.id") == "filter"
    ActionChains(p.d).send_keys("hel").perform()
    p.wait(lambda: [n for n, r in p.rows().items() if not r["hidden"]]
           == ["hello"], what="only hello shown by the filter 'hel'")
    ActionChains(p.d).send_keys(Keys.BACKSPACE * 3).perform()
    p.wait(lambda: not [n for n, r in p.rows().items() if r["hidden"]],
           what="every row back once the filter is empty")
    p.assert_no_errors()


def test_start_hello_from_the_page(page):
    p, d, srv = page
    p.open("/job/hello")
    assert p.h1().startswith("hello")
    # No write session yet: no buttons that would only fail.
    assert not p.js("return [...document.querySelectorAll('main button')]"
                    ".some(b => b.textContent === 'Start')")
    p.sign_in(srv.token)
    p.click_button("Start")
    run_id = int(p.wait(lambda: (lambda h: h[len("#/run/"):]
                                 if h.startswith("#/run/") else None)(
        p.js("return location.hash")), what="the page of the new run"))
    run = d.wait_run(run_id)
    assert run["job"] == "hello" and run["result"] == "success", run
    p.wait(lambda: p.h1() == "Run %d" % run_id, what="the run's page")
    want = [("stdout", "hello from run %d of job hello" % run_id),
            ("stderr", "this line went to stderr"), ("stdout", "goodbye")]
    lines = p.wait(lambda: (lambda o: o if len(o) >= 3 else None)(
        p.output()), what="hello's three output lines")
    assert sorted(lines) == sorted(want), lines
    assert [x for x in lines if x[0] == "stdout"] == \
        [x for x in want if x[0] == "stdout"], lines
    # Styled apart: stderr is another colour and has a border.
    styles = p.js("""return ['stdout', 'stderr'].map(c => {
        const s = getComputedStyle(document.querySelector('.output .' + c));
        return [s.color, s.borderLeftStyle]; })""")
    assert styles[0] != styles[1], styles
    p.wait(lambda: "success" in (p.text("main dl.facts") or ""),
           what="the run's result on its page")
    assert "manual" in p.text("main dl.facts")
    p.shot("run-hello")
    p.assert_no_errors()


def test_output_streams_live_and_cancel(page):
    p, d, srv = page
    p.open("/job/slow")
    p.sign_in(srv.token)
    p.click_button("Start")
    run_id = int(p.wait(lambda: (lambda h: h[len("#/run/"):]
                                 if h.startswith("#/run/") else None)(
        p.js("return location.hash")), what="the page of the new run"))
    # tick 2 arrives a second after tick 1, while the run still runs:
    # the page got it through the stream, not after the end.
    p.wait(lambda: ("stdout", "tick 2 of 60") in p.output(), timeout=20,
           what="tick 2 streamed in")
    assert d.run_state("slow", run_id)["state"] == "running"
    assert p.output()[:2] == [("stdout", "tick 1 of 60"),
                              ("stdout", "tick 2 of 60")], p.output()
    p.shot("run-slow-streaming")
    p.click_button("Cancel")
    run = d.wait_run(run_id, timeout=30)
    assert run["result"] == "cancelled", run
    p.wait(lambda: "cancelled" in (p.text("main dl.facts") or ""),
           what="cancelled on the run's page")
    p.wait(lambda: not p.js("return [...document.querySelectorAll("
                            "'main button')].some(b => b.textContent === "
                            "'Cancel')"),
           what="no Cancel button once the run finished")
    n = len(p.output())
    assert 2 <= n <= 60, p.output()
    p.assert_no_errors()


def test_pause_and_resume_a_periodic_job(page):
    p, d, srv = page

    def paused():
        return d.job_status("heartbeat")["job"].get("paused_until_usec")
    assert not paused()
    p.open("/job/heartbeat")
    p.sign_in(srv.token)
    p.wait(lambda: "Next firings" in (p.text("main") or ""),
           what="heartbeat's next firings")
    firings = p.js("return document.querySelectorAll('ol.elapses li')"
                   ".length")
    assert firings == 5, firings
    p.click_button("Pause")
    wait_for(paused, 10, "heartbeat paused (jobctl status)")
    assert srv.get_json("/api/v1/jobs/heartbeat")["job"].get(
        "paused_until_usec")
    p.wait(lambda: "paused" in p.text("main dl.facts"),
           what="paused shown on the job's page")
    p.click_button("Resume", timeout=15)
    wait_for(lambda: not paused(), 10, "heartbeat resumed")
    p.wait(lambda: "paused" not in p.text("main dl.facts"),
           what="paused gone from the job's page")
    p.go("/")
    p.wait(lambda: "heartbeat" in p.rows(), what="the overview")
    assert "paused" not in p.rows()["heartbeat"]["cells"][2]
    p.assert_no_errors()


def test_job_page_chart_marks_failures(page):
    p, d, srv = page
    runs = [run_wait(d, "coin") for _ in range(4)]
    assert [r["result"] for r in runs] == \
        ["failed", "success", "failed", "success"], runs
    p.open("/job/coin")
    chart = p.wait(lambda: p.js("""
        const s = document.querySelector('svg.chart');
        if (!s) return null;
        return {ok: [...s.querySelectorAll('.pt-ok')].map(e => e.tagName),
                fail: [...s.querySelectorAll('.pt-fail')].map(e => e.tagName),
                links: [...s.querySelectorAll('a')].map(a =>
                    a.getAttribute('href')),
                text: [...s.querySelectorAll('text')].map(t => t.textContent),
                failColour: s.querySelector('.pt-fail') &&
                    getComputedStyle(s.querySelector('.pt-fail')).stroke,
                okColour: s.querySelector('.pt-ok') &&
                    getComputedStyle(s.querySelector('.pt-ok')).fill}"""),
        what="the duration chart")
    assert chart["ok"] == ["circle", "circle"], chart
    assert chart["fail"] == ["path", "path"], chart
    assert chart["failColour"] != chart["okColour"], chart
    assert sorted(chart["links"]) == sorted("#/run/%d" % r["id"]
                                            for r in runs), chart
    assert "Duration" in chart["text"] and \
        "Start time (local)" in chart["text"], chart
    hist = p.js("return [...document.querySelectorAll('main table')]"
                ".pop().tBodies[0].rows.length")
    assert hist == 4, hist
    p.shot("job-coin-chart")
    p.assert_no_errors()


def test_keyboard_reaches_and_opens_a_job(page):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains
    p, d, srv = page
    p.open("/")
    p.wait(lambda: p.rows(), what="the overview")
    p.js("document.activeElement.blur()")
    target = None
    for _ in range(40):
        ActionChains(p.d).send_keys(Keys.TAB).perform()
        href = p.js("const a = document.activeElement;"
                    "return a && a.tagName === 'A' ? a.getAttribute('href')"
                    " : null")
        if href and href.startswith("#/job/"):
            target = href
            break
    assert target, "Tab never reached a job link"
    outline = p.js("const s = getComputedStyle(document.activeElement);"
                   "return [s.outlineStyle, s.outlineWidth]")
    assert outline[0] != "none" and outline[1] != "0px", outline
    name = target[len("#/job/"):]
    ActionChains(p.d).send_keys(Keys.ENTER).perform()
    p.wait(lambda: p.js("return location.hash") == target,
           what="Enter to open %s" % target)
    p.wait(lambda: p.h1().startswith(name), what="the page of %s" % name)
    p.assert_no_errors()


@pytest.mark.parametrize("size", [PHONE, DESKTOP],
                         ids=["390x844", "1366x768"])
def test_no_horizontal_overflow(page, size):
    p, d, srv = page
    run = run_wait(d, "hello")
    for _ in range(2):
        run_wait(d, "coin")
    p.viewport(size, mobile=size == PHONE)
    tag = "%dx%d" % size
    for route, label in (("/", "overview"), ("/job/coin", "job"),
                         ("/run/%d" % run["id"], "run"),
                         ("/services", "services"), ("/sync", "sync"),
                         ("/alerts", "alerts")):
        p.open(route)
        if label == "overview":
            p.wait(lambda: p.rows(), what="the overview's rows")
        elif label == "job":
            p.wait(lambda: p.js("return !!document.querySelector("
                                "'svg.chart')"), what="the chart")
        elif label == "run":
            p.wait(lambda: p.output(), what="the run's output")
        else:
            p.wait(lambda: p.js("return document.querySelectorAll("
                                "'main > div > *').length > 0"),
                   what="the %s page drawn" % label)
        assert p.js("return window.innerWidth") == size[0]
        extra, worst = p.overflow()
        assert extra <= 0 and worst is None, \
            "%s at %s: the page is %d px too wide (%r)" % (
                route, tag, extra, worst)
        if label in ("overview", "job", "run"):
            p.shot("%s-%s" % (label, tag))
    p.assert_no_errors()


def test_services_sync_alerts_pages(page):
    p, d, srv = page
    p.open("/services")
    p.wait(lambda: "ticker" in (p.text("main table") or ""),
           what="ticker on the services page")
    assert "stopped" in p.text("main table")
    p.open("/sync")
    p.wait(lambda: "runs admitted" in (p.text("main") or ""),
           what="the sync page")
    p.open("/alerts")
    p.wait(lambda: "deliveries pending" in (p.text("main") or ""),
           what="the alerts page (jobd-web is an admin here)")
    assert p.banner() is None, p.banner()
    p.assert_no_errors()


def test_bad_token_shows_a_dismissable_banner(page):
    from selenium.webdriver.common.by import By
    p, d, srv = page
    p.open("/")
    p.wait(lambda: p.rows(), what="the overview")
    p.d.find_element(By.ID, "token").send_keys("not-the-token")
    p.click_button("Sign in")
    msg = p.wait(p.banner, what="the error banner")
    assert p.js("return document.getElementById('banner')"
                ".getAttribute('role')") == "alert"
    assert msg.strip(), msg
    assert p.js("return document.getElementById('signout').hidden")
    p.click_button("Dismiss")
    p.wait(lambda: p.banner() is None, what="the banner dismissed")
    # The refused sign-in is the one error the console may show.
    p.assert_no_errors(allow=("/api/v1/session",))


def test_read_token_shows_only_the_sign_in_form(jobd, web_users, web,  # noqa
                                                browser):
    d = start_jobd(jobd, web_users, jobs=coin_job,
                   extra_files=example_files())
    srv = web(d, read_token=True)
    p = browser(srv)
    p.open("/")
    p.wait(lambda: p.h1() == "Sign in", what="the sign-in page")
    assert p.js("return document.getElementById('nav').hidden")
    assert not p.rows()
    assert p.js("return document.activeElement.id") == "token"
    p.sign_in(srv.read_token)
    p.wait(lambda: "hello" in p.rows(), what="the overview once signed in")
    assert "read only" in p.text("#who")
    p.go("/job/heartbeat")
    p.wait(lambda: "Next firings" in (p.text("main") or ""),
           what="heartbeat's page")
    assert not p.js("return document.querySelectorAll('main button')"
                    ".length"), "buttons in a read-only session"
    p.click_button("Sign out")
    p.wait(lambda: p.h1() == "Sign in", what="the sign-in page again")
    assert p.js("return document.getElementById('signout').hidden")
    p.assert_no_errors()

