// A user's whole visit in a real browser (Debian's Chromium, headless, playwright-core):
// log in through the form, publish a post through the form, log out.
//
//   node browser_login.mjs https://localhost:8443/ USERNAME PASSWORD
//
// Checks that the login lands on the home page signed in, with a session cookie that is
// __Host-, Secure, HttpOnly and SameSite=Lax; that the post form publishes (the title shown
// escaped on the post's page); that logging out ends the session (the admin area sends the
// browser back to the login page); and that no page violated its Content-Security-Policy.
// Prints the observations as JSON; exit code 1 when an expectation fails, 2 when the browser
// could not be driven at all.
import { launch, watchdog } from "./chromium.mjs";

const TIME_LIMIT_MS = 90_000;
const [target, username, password] = process.argv.slice(2);
if (process.argv.length !== 5) {
  console.error("usage: node browser_login.mjs URL USERNAME PASSWORD");
  process.exit(2);
}
const base = new URL(target);
const title = `From the browser <b>${Date.now()}</b>`;

let browser = null;
const cleanup = async () => {
  if (browser) await browser.close();
};
const timer = watchdog(TIME_LIMIT_MS, cleanup);

const out = { violations: [] };
const problems = [];
let code = 0;

async function violations(page) {
  const v = await page.evaluate(() => window.__cspViolations ?? []);
  out.violations.push(...v.map((x) => ({ url: page.url(), ...x })));
}

try {
  browser = await launch();
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());

  await page.goto(new URL("/login", base).href, { waitUntil: "load", timeout: 20_000 });
  await violations(page);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation({ timeout: 20_000 }), page.click('button[type="submit"]')]);
  await violations(page);
  out.after_login_path = new URL(page.url()).pathname;
  out.signed_in = (await page.textContent("nav")).includes(username);
  const cookies = await browser.context.cookies();
  const session = cookies.find((c) => c.name.endsWith("session")) ?? null;
  out.session_cookie = session && {
    name: session.name, secure: session.secure, httpOnly: session.httpOnly, sameSite: session.sameSite,
    domain: session.domain, path: session.path,
  };
  if (out.after_login_path !== "/") problems.push(`login landed on ${out.after_login_path}`);
  if (!out.signed_in) problems.push("the navigation does not show the user after login");
  if (!session) problems.push("no session cookie");
  else if (session.name !== "__Host-session" || !session.secure || !session.httpOnly || session.sameSite !== "Lax")
    problems.push(`session cookie flags: ${JSON.stringify(out.session_cookie)}`);

  await page.goto(new URL("/posts", base).href, { waitUntil: "load", timeout: 20_000 });
  await page.fill('form[action="/posts"] input[name="title"]', title);
  await page.fill('form[action="/posts"] textarea[name="body"]', "Written & sent by Chromium.");
  await Promise.all([page.waitForNavigation({ timeout: 20_000 }),
                     page.click('form[action="/posts"] button[type="submit"]')]);
  await violations(page);
  out.post_path = new URL(page.url()).pathname;
  out.post_title_shown = (await page.textContent("article h1")) === title;  // as text: escaped, not markup
  out.post_title_is_markup = (await page.$("article h1 b")) !== null;
  if (!/^\/posts\/\d+$/.test(out.post_path)) problems.push(`the post form led to ${out.post_path}`);
  if (!out.post_title_shown || out.post_title_is_markup) problems.push("the post title is not shown as escaped text");

  await Promise.all([page.waitForNavigation({ timeout: 20_000 }), page.click('form[action="/logout"] button')]);
  out.after_logout_path = new URL(page.url()).pathname;
  await page.goto(new URL("/admin/", base).href, { waitUntil: "load", timeout: 20_000 });
  out.admin_after_logout = new URL(page.url()).pathname + new URL(page.url()).search;
  if (out.after_logout_path !== "/login") problems.push(`logout landed on ${out.after_logout_path}`);
  if (!out.admin_after_logout.startsWith("/login?next=")) problems.push(`after logout /admin/ gave ${out.admin_after_logout}`);
  if (out.violations.length) problems.push(`${out.violations.length} CSP violation(s)`);
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
