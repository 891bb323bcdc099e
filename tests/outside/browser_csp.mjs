// Checks the Content-Security-Policy a page is served with in a real browser: Debian's Chromium,
// driven headless by playwright-core.
//
//   node browser_csp.mjs https://localhost:8443/
//
// (a) Loads URL and records console messages and `securitypolicyviolation` events. The page's
//     inline script carries the per-response nonce and sets
//     document.documentElement.dataset.cspNonce = "ok"; it must run, and nothing on the page may
//     violate the policy.
// (b) Serves, with page.route() on a second URL of the same origin, a page with the very
//     Content-Security-Policy header value the server just sent for URL, whose inline scripts
//     have no nonce (or a wrong one) and would set dataset.cspNonce = "injected". The browser must
//     block them and report the violation.
//
// Prints {nonce_script_ran, violations_on_page, unnonced_blocked, violations_on_probe, ...} as
// JSON; exit code 1 when any expectation fails, 2 when the browser could not be driven at all.
import { launch, watchdog } from "./chromium.mjs";

const TIME_LIMIT_MS = 90_000;

const target = process.argv[2];
if (process.argv.length !== 3 || !target) {
  console.error("usage: node browser_csp.mjs URL");
  process.exit(2);
}
const pageUrl = new URL(target);
const probeUrl = new URL("csp-probe-unnonced", pageUrl);

let browser = null;
const cleanup = async () => {
  if (browser) await browser.close();
};
const timer = watchdog(TIME_LIMIT_MS, cleanup);

async function visit(page, url, consoleMessages) {
  const onConsole = (m) => consoleMessages.push({ type: m.type(), text: m.text() });
  page.on("console", onConsole);
  try {
    const response = await page.goto(url.href, { waitUntil: "load", timeout: 20_000 });
    // Violation events are queued as tasks: give them a moment to arrive.
    await page.waitForTimeout(500);
    const state = await page.evaluate(() => ({
      cspNonce: document.documentElement.dataset.cspNonce ?? null,
      violations: window.__cspViolations ?? null,
      probeMarker: !!document.getElementById("csp-probe-marker"),
    }));
    return { response, ...state };
  } finally {
    page.off("console", onConsole);
  }
}

const out = {};
let code = 0;
try {
  browser = await launch();
  const context = browser.context;
  const page = context.pages()[0] ?? (await context.newPage());

  // (a) the real page
  const pageConsole = [];
  const real = await visit(page, pageUrl, pageConsole);
  const csp = (await real.response?.headerValue("content-security-policy")) ?? null;
  out.url = pageUrl.href;
  out.status = real.response?.status() ?? null;
  out.content_security_policy = csp;
  out.nonce_script_ran = real.cspNonce === "ok";
  out.data_csp_nonce = real.cspNonce;
  out.violations_on_page = real.violations;
  out.console_on_page = pageConsole;

  // (b) the same policy over a page whose inline scripts lack the nonce
  const wrongNonce = Buffer.from("not-the-servers-nonce").toString("base64");
  const probeBody = `<!doctype html>
<html><head><meta charset="utf-8"><title>CSP probe</title></head>
<body><p id="csp-probe-marker">probe</p>
<script>document.documentElement.dataset.cspNonce = "injected";</script>
<script nonce="${wrongNonce}">document.documentElement.dataset.cspNonce = "injected";</script>
<img src="x" onerror="document.documentElement.dataset.cspNonce = 'injected'">
</body></html>`;
  await page.route(probeUrl.href, (route) =>
    route.fulfill({
      status: 200,
      headers: {
        "content-type": "text/html; charset=utf-8",
        ...(csp === null ? {} : { "content-security-policy": csp }),
      },
      body: probeBody,
    }),
  );
  const probeConsole = [];
  const probe = await visit(page, probeUrl, probeConsole);
  out.probe_url = probeUrl.href;
  out.probe_loaded = probe.probeMarker;
  out.unnonced_blocked = probe.probeMarker && probe.cspNonce !== "injected";
  out.violations_on_probe = probe.violations;
  out.console_on_probe = probeConsole;

  const problems = [];
  if (out.status !== 200) problems.push(`the page answered ${out.status}`);
  if (csp === null) problems.push("the page has no Content-Security-Policy header");
  if (!out.nonce_script_ran) problems.push(`the nonce-carrying script did not run (dataset.cspNonce=${real.cspNonce})`);
  if (!Array.isArray(real.violations)) problems.push("violations could not be recorded on the page");
  else if (real.violations.length) problems.push(`${real.violations.length} CSP violation(s) on the page`);
  if (!probe.probeMarker) problems.push("the probe page did not load");
  if (!out.unnonced_blocked) problems.push("a script without the nonce ran under the page's policy");
  if (!Array.isArray(probe.violations) || probe.violations.length === 0) {
    problems.push("the browser reported no violation for the scripts without the nonce");
  }
  out.problems = problems;
  code = problems.length ? 1 : 0;
} catch (e) {
  out.error = String(e?.message ?? e);
  code = 2;
}
clearTimeout(timer);
await cleanup();
console.log(JSON.stringify(out, null, 2));
process.exit(code);
