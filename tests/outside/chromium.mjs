// Debian's Chromium, headless, through playwright-core: what the browser checks share.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

// A persistent context in a throwaway profile; close() also removes the profile.
export async function launch() {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "bastion-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true, // the test server's certificate comes from a throwaway CA
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  await context.addInitScript(recordViolations);
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}

// Runs in every document before its own scripts (injected by the browser, not subject to CSP).
function recordViolations() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push({
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
      sample: e.sample,
      lineNumber: e.lineNumber,
    });
  });
}

// Exits with code 2 and a JSON error when the script has not finished in time.
export function watchdog(ms, cleanup) {
  return setTimeout(async () => {
    console.log(JSON.stringify({ error: `no result within ${ms / 1000} s` }));
    await cleanup();
    process.exit(2);
  }, ms);
}
