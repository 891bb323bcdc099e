#!/usr/bin/env python3
"""The platform, checked by real outside tools: the MDN HTTP Observatory, Google's CSP
Evaluator, Chromium (through playwright-core), nginx as a reverse proxy, and testssl.sh.

Each check starts the `bastion-platform` executable in its production configuration on
loopback (a throwaway CA signs its certificate for localhost) and points the tool at it.
Usage:

    run_outside.py path/to/bastion-platform [check-name ...]

Checks: observatory, browser, nginx, testssl. The tools come from Debian's packages
(scripts/install-deps.sh) and from tests/outside/install.sh (npm); a missing tool is a failure.
"""
import atexit
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else ""
ONLY = set(sys.argv[2:])
CHECKS = []
CHILDREN = []  # every process started here, stopped on exit whatever happens


def check(fn):
    CHECKS.append(fn)
    return fn


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def note(message):
    print(f"      {message}", flush=True)


# ---------------------------------------------------------------- processes ----

def stop_process(proc, sig=signal.SIGTERM, wait=10):
    """Stops a child started here (its whole process group when it has one of its own)."""
    if proc.poll() is not None:
        return proc.returncode
    try:
        if getattr(proc, "own_group", False):
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        return proc.wait(timeout=wait)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        pass
    try:
        if getattr(proc, "own_group", False):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except ProcessLookupError:
        pass
    return proc.wait()


def stop_children():
    while CHILDREN:
        stop_process(CHILDREN.pop())


def on_signal(signum, _frame):
    stop_children()
    sys.exit(128 + signum)


atexit.register(stop_children)
signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)


def start(args, own_group=False, **kwargs):
    proc = subprocess.Popen(args, start_new_session=own_group, **kwargs)
    proc.own_group = own_group
    CHILDREN.append(proc)
    return proc


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_listening(host, port, proc, what, log=lambda: "", within=15):
    deadline = time.time() + within
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited early with {proc.returncode}: {log()[-3000:]}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on {host}:{port} within {within} s: {log()[-3000:]}")


def run_tool(args, timeout, env=None, what=None):
    """Runs a tool to completion within `timeout` seconds (a missing tool is a failure)."""
    what = what or os.path.basename(args[0])
    expect(shutil.which(args[0]) is not None, f"{what}: `{args[0]}` is not installed")
    proc = start(args, own_group=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                 text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_process(proc, signal.SIGKILL)
        raise AssertionError(f"{what} did not finish within {timeout} s")
    finally:
        if proc in CHILDREN:
            CHILDREN.remove(proc)
    return proc.returncode, out, err


def node_script(name, *args, env=None, timeout=120):
    expect(os.path.isdir(os.path.join(HERE, "node_modules")),
           "tests/outside/node_modules is missing: run tests/outside/install.sh")
    return run_tool(["node", os.path.join(HERE, name), *args], timeout, env=env, what=name)


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def parse_json(text, what):
    try:
        return json.loads(text)
    except ValueError:
        raise AssertionError(f"{what} printed no JSON: {text[-2000:]}")


# ---------------------------------------------------------------- the platform ----

def make_ca(tmp):
    out = os.path.join(tmp, "tls")
    code, _, err = run_tool([os.path.join(HERE, "make_ca.sh"), out], 60, what="make_ca.sh")
    expect(code == 0, f"make_ca.sh failed: {err}")
    return {name: os.path.join(out, f"{name}.pem") for name in ("ca", "cert", "key")}


class Platform:
    """`bastion-platform serve` in its production configuration, on 127.0.0.1."""

    def __init__(self, tmp, tls=None, **extra):
        expect(os.access(BIN, os.X_OK), f"{BIN} is not an executable")
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "ADMIN_PASSWORD": secrets.token_urlsafe(24),
            "DATABASE_URL": f"sqlite:///{tmp}/p.db",
            "HOST": "127.0.0.1", "PORT": str(self.port),
            "SERVER_NAME": "localhost",
            "SERVER_THREADS": "2",
        }
        self.redirect_port = None
        if tls:
            self.redirect_port = free_port()
            self.env.update(TLS_CERT_FILE=tls["cert"], TLS_KEY_FILE=tls["key"],
                            HTTP_REDIRECT_PORT=str(self.redirect_port))
        self.env.update({k: str(v) for k, v in extra.items()})
        r = subprocess.run([BIN, "init-db"], cwd=tmp, env=self.env, capture_output=True, text=True,
                           timeout=60)
        expect(r.returncode == 0, f"init-db failed ({r.returncode}): {r.stdout} {r.stderr}")
        self.out = open(os.path.join(tmp, f"platform-{self.port}.log"), "w+")
        self.proc = start([BIN, "serve"], cwd=tmp, env=self.env, stdout=self.out,
                          stderr=subprocess.STDOUT)
        wait_listening("127.0.0.1", self.port, self.proc, "the platform", self.log)
        if self.redirect_port:
            wait_listening("127.0.0.1", self.redirect_port, self.proc,
                           "the platform's HTTP redirect listener", self.log)

    def log(self):
        self.out.flush()
        return read_text(self.out.name)

    def access_lines(self):
        lines = []
        for line in self.log().splitlines():
            if '"logger":"access"' in line:
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    pass
        return lines

    def stop(self):
        code = stop_process(self.proc)
        if self.proc in CHILDREN:
            CHILDREN.remove(self.proc)
        self.out.close()
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def request(host, port, method, path, headers=None, tls_ca=None, source=None):
    """One HTTP request (HTTPS when tls_ca names the CA to trust); returns
    (status, {lower-case name: value}, body)."""
    source_address = (source, 0) if source else None
    if tls_ca:
        ctx = ssl.create_default_context(cafile=tls_ca)
        conn = http.client.HTTPSConnection(host, port, timeout=10, context=ctx, source_address=source_address)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=10, source_address=source_address)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        body = r.read().decode("utf-8", "replace")
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


def wait_access_line(platform, before, path, within=5):
    """The first access log line after the first `before` lines that logs `path`."""
    deadline = time.time() + within
    while True:
        for line in platform.access_lines()[before:]:
            if line.get("path") == path:
                return line
        if time.time() >= deadline:
            raise AssertionError(f"no access log line for {path}: {platform.log()[-2000:]}")
        time.sleep(0.1)


# ---------------------------------------------------------------- observatory ----

# Bonuses this site cannot earn whatever its headers: the scanner's own reasons.
UNREACHABLE_BONUS = {
    # +5 only for a host on Chromium's HSTS preload list; localhost is not on it
    # (install.sh gives the scanner an empty list offline for this lookup).
    "strict-transport-security": "hsts-preloaded needs the HSTS preload list",
    # +5 only for <script src> elements carrying integrity=; the page has only inline scripts.
    "subresource-integrity": "sri-implemented-* needs external scripts with integrity",
    # 0 is the best result: the redirection test has no bonus besides preloading.
    "redirection": "redirection-all-redirects-preloaded needs the HSTS preload list",
}


@check
def observatory(tmp):
    tls = make_ca(tmp)
    with Platform(tmp, tls=tls) as p:
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=tls["ca"])
        code, out, err = node_script("observatory.mjs", "--host", "localhost", "--https-port", str(p.port),
                                     "--http-port", str(p.redirect_port), "--path", "/", env=env,
                                     timeout=90)
        r = parse_json(out, "observatory.mjs")
        expect(code == 0 and "error" not in r, f"the scanner failed: {r.get('error')} {err[-1000:]}")
        tests = r["tests"]
        note(f"MDN HTTP Observatory: score {r['score']}, grade {r['grade']}, "
             f"{r['testsPassed']}/{r['testsQuantity']} tests passed")
        for name, t in sorted(tests.items()):
            note(f"  {'pass' if t['pass'] else 'FAIL'} {t['scoreModifier']:+4d}  {name}: {t['result']}")

        expect(r["verified"] is True, "the scanner could not verify the certificate chain")
        expect(r["url"] == f"https://localhost:{p.port}/", f"the scanner graded {r['url']}, not the https site")
        route = [(hop["url"], hop["status"]) for hop in (r.get("http") or {}).get("route", [])]
        expect(len(route) == 2 and route[0][0] == f"http://localhost:{p.redirect_port}/"
               and route[0][1] in (301, 308) and route[1] == (f"https://localhost:{p.port}/", 200),
               f"http://localhost:{p.redirect_port}/ should redirect once to "
               f"https://localhost:{p.port}/; the scanner followed {route}")
        failed = [f"{n}: {t['result']}" for n, t in tests.items() if not t["pass"]]
        expect(not failed, f"failed scanner tests: {failed}")

        wanted = {
            "content-security-policy": ["csp-implemented-with-no-unsafe-default-src-none"],
            "referrer-policy": ["referrer-policy-private"],
            "x-frame-options": ["x-frame-options-implemented-via-csp"],
            "cross-origin-resource-policy": ["corp-implemented-with-same-origin",
                                             "corp-implemented-with-same-site"],
            "x-content-type-options": ["x-content-type-options-nosniff"],
            "strict-transport-security": ["hsts-implemented-max-age-at-least-six-months"],
            "redirection": ["redirection-to-https"],
            "cross-origin-resource-sharing": ["cross-origin-resource-sharing-not-implemented",
                                              "cross-origin-resource-sharing-implemented-with-restricted-access"],
        }
        cookies = tests.get("cookies", {})
        if cookies.get("result") != "cookies-not-found":
            wanted["cookies"] = ["cookies-secure-with-httponly-sessions-and-samesite"]
        for name, results in wanted.items():
            got = tests.get(name, {}).get("result")
            expect(got in results, f"{name}: {got}, expected {' or '.join(results)}")
        # Any bonus a scanner version offers (a newer one may score COOP or COEP too) is earned,
        # save those the scanner reserves for what a test site on localhost cannot have.
        for name, t in tests.items():
            best = t.get("bestModifier")
            if best is None or name in UNREACHABLE_BONUS or (name == "cookies" and "cookies" not in wanted):
                continue
            expect(t["scoreModifier"] == best, f"{name}: modifier {t['scoreModifier']:+d}, best is {best:+d}"
                                               f" ({t['result']})")
        expect(r["grade"] == "A+", f"grade {r['grade']} (score {r['score']})")
        note(f"bonuses this site cannot earn: {'; '.join(f'{k}: {v}' for k, v in UNREACHABLE_BONUS.items())}")

        # The login page sets the session cookie: the scanner grades its flags there.
        code, out, err = node_script("observatory.mjs", "--host", "localhost", "--https-port", str(p.port),
                                     "--http-port", str(p.redirect_port), "--path", "/login", env=env,
                                     timeout=90)
        login = parse_json(out, "observatory.mjs")
        expect(code == 0 and "error" not in login, f"the scanner failed on /login: {login.get('error')} {err[-1000:]}")
        cookie_test = login["tests"].get("cookies", {})
        note(f"MDN HTTP Observatory on /login: score {login['score']}, grade {login['grade']}, "
             f"cookies: {cookie_test.get('result')} ({cookie_test.get('scoreModifier', 0):+d})")
        expect(cookie_test.get("result") == "cookies-secure-with-httponly-sessions-and-samesite",
               f"/login cookies: {cookie_test.get('result')}")
        expect(login["grade"] == "A+" and login["score"] >= r["score"], f"/login: {login['grade']} {login['score']}")

        # The plain-HTTP listener keeps the target, and redirects only to an allowed host.
        status, headers, _ = request("127.0.0.1", p.redirect_port, "GET", "/posts?page=2",
                                     headers={"Host": f"localhost:{p.redirect_port}"})
        expect(status == 301 and headers.get("location") == f"https://localhost:{p.port}/posts?page=2",
               f"http GET /posts?page=2: {status} Location {headers.get('location')!r}, expected 301 to "
               f"https://localhost:{p.port}/posts?page=2")
        status, headers, _ = request("127.0.0.1", p.redirect_port, "GET", "/", headers={"Host": "evil.example"})
        expect("evil.example" not in headers.get("location", ""),
               f"http GET / with Host: evil.example redirected to {headers.get('location')!r}")
        note(f"redirect listener: /posts?page=2 kept; Host: evil.example answered {status}")

        # Google's CSP Evaluator on the policy GET / is served with.
        status, headers, _ = request("localhost", p.port, "GET", "/", tls_ca=tls["ca"])
        expect(status == 200, f"GET / over https: {status}")
        policy = headers.get("content-security-policy")
        expect(policy, f"GET / has no Content-Security-Policy: {headers}")
        code, out, err = node_script("csp_evaluate.mjs", policy, timeout=30)
        ev = parse_json(out, "csp_evaluate.mjs")
        note(f"CSP Evaluator on {policy!r}: highest severity {ev.get('highest')}")
        for f in ev.get("findings", []):
            note(f"  {f['severity']:<12} {f['type']} {f['directive']} {f.get('value') or ''}: {f['description']}")
        high = [f for f in ev.get("findings", []) if f["severity_value"] == 10]
        expect(code == 0 and not high, f"CSP Evaluator HIGH findings: {high} {err[-500:]}")


# ---------------------------------------------------------------- browser ----

@check
def browser(tmp):
    tls = make_ca(tmp)
    with Platform(tmp, tls=tls) as p:
        expect(os.access("/usr/bin/chromium", os.X_OK), "/usr/bin/chromium is not installed")
        code, out, err = node_script("browser_csp.mjs", f"https://localhost:{p.port}/", timeout=120)
        r = parse_json(out, "browser_csp.mjs")
        note(f"Chromium: nonce_script_ran={r.get('nonce_script_ran')} "
             f"violations_on_page={len(r.get('violations_on_page') or [])} "
             f"unnonced_blocked={r.get('unnonced_blocked')} "
             f"violations_on_probe={len(r.get('violations_on_probe') or [])}")
        expect(code == 0, f"browser_csp.mjs exit {code}: {r.get('error') or r.get('problems')} "
                          f"violations={r.get('violations_on_page')} console={r.get('console_on_page')} "
                          f"{err[-1000:]}")
        expect(r["nonce_script_ran"] is True and r["unnonced_blocked"] is True
               and r["violations_on_page"] == [] and r["violations_on_probe"], f"unexpected result: {r}")


@check
def browser_login(tmp):
    tls = make_ca(tmp)
    with Platform(tmp, tls=tls) as p:
        expect(os.access("/usr/bin/chromium", os.X_OK), "/usr/bin/chromium is not installed")
        username, password = "browser-user", secrets.token_urlsafe(18)
        r = subprocess.run([BIN, "create-user", username], cwd=tmp, env=p.env, input=password + "\n",
                           capture_output=True, text=True, timeout=60)
        expect(r.returncode == 0, f"create-user failed: {r.stdout} {r.stderr}")
        code, out, err = node_script("browser_login.mjs", f"https://localhost:{p.port}/", username, password,
                                     timeout=120)
        r = parse_json(out, "browser_login.mjs")
        note(f"Chromium: after login {r.get('after_login_path')} signed_in={r.get('signed_in')} "
             f"cookie={r.get('session_cookie')} post={r.get('post_path')} "
             f"after logout {r.get('after_logout_path')}, /admin/ -> {r.get('admin_after_logout')}, "
             f"violations={len(r.get('violations') or [])}")
        expect(code == 0, f"browser_login.mjs exit {code}: {r.get('error') or r.get('problems')} {err[-1000:]}")
        db = sqlite3.connect(os.path.join(tmp, "p.db"))
        rows = db.execute("SELECT p.title FROM posts p JOIN users u ON u.id = p.author_id WHERE u.username = ?",
                          (username,)).fetchall()
        expect(len(rows) == 1 and rows[0][0].startswith("From the browser <b>"), f"stored posts: {rows}")


# ---------------------------------------------------------------- nginx ----

NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 64; }}
http {{
  access_log {dir}/access.log;
  client_body_temp_path {dir}/client_body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.2:{listen_port};
    server_name localhost;
    location / {{
      proxy_pass http://127.0.0.1:{upstream_port};
      proxy_http_version 1.1;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header Host $host;
      proxy_bind 127.0.0.1;
    }}
  }}
}}
"""

CLIENT = "127.0.0.3"  # the "browser": a loopback address of its own, neither proxy nor server


@check
def nginx(tmp):
    expect(shutil.which("nginx"), "nginx is not installed")
    with Platform(tmp, FORCE_HTTPS="true", TRUSTED_PROXIES="127.0.0.1/32", ACCESS_LOG="true",
                  LOG_TO_STDOUT="true") as p:
        ndir = os.path.join(tmp, "nginx")
        os.mkdir(ndir)
        listen_port = free_port("127.0.0.2")
        with open(os.path.join(ndir, "nginx.conf"), "w") as f:
            # As root, workers would switch to an unprivileged user that cannot enter this
            # private temporary directory.
            f.write(NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "", dir=ndir,
                                      listen_port=listen_port, upstream_port=p.port))
        nlog = open(os.path.join(ndir, "stderr.log"), "w+")
        proc = start(["nginx", "-p", ndir + "/", "-c", os.path.join(ndir, "nginx.conf"), "-e",
                      os.path.join(ndir, "error.log")], own_group=True, stdout=nlog, stderr=subprocess.STDOUT)
        try:
            def nginx_log():
                nlog.flush()
                return read_text(nlog.name) + read_text(os.path.join(ndir, "error.log"))
            wait_listening("127.0.0.2", listen_port, proc, "nginx", nginx_log)

            # Through the proxy, which says https and appends the client's address.
            before = len(p.access_lines())
            status, headers, body = request("127.0.0.2", listen_port, "GET", "/",
                                            headers={"Host": f"localhost:{listen_port}"}, source=CLIENT)
            note(f"via nginx: {status}, Strict-Transport-Security: {headers.get('strict-transport-security')}")
            expect(status == 200, f"GET / through nginx: {status} {headers.get('location', '')} "
                                  f"(a redirect here means the proxy's X-Forwarded-Proto was not trusted)")
            expect("strict-transport-security" in headers, f"no Strict-Transport-Security through nginx: {headers}")
            line = wait_access_line(p, before, "/")
            note(f"access log via nginx: {json.dumps(line)}")
            expect(line.get("client") == CLIENT, f"access log client {line.get('client')!r}, expected {CLIENT}: {line}")

            # Straight to the platform, with the proxy's headers forged by the client.
            before = len(p.access_lines())
            status, headers, _ = request("127.0.0.1", p.port, "GET", "/", source=CLIENT, headers={
                "Host": "localhost", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
            note(f"direct with forged X-Forwarded-*: {status} Location: {headers.get('location')}")
            expect(status == 301, f"direct GET / with a forged X-Forwarded-Proto: {status}, expected 301")
            expect(headers.get("location", "").startswith("https://localhost"),
                   f"redirect target {headers.get('location')!r}")
            line = wait_access_line(p, before, "/")
            note(f"access log direct: {json.dumps(line)}")
            expect(line.get("client") == CLIENT,
                   f"access log client {line.get('client')!r}, expected {CLIENT} (X-Forwarded-For from an "
                   f"untrusted peer must be ignored): {line}")
        finally:
            stop_process(proc, signal.SIGQUIT)
            if proc in CHILDREN:
                CHILDREN.remove(proc)
            nlog.close()


# ---------------------------------------------------------------- testssl ----

# Findings about the throwaway test certificate, not about the server: a real CA publishes a
# CRL or an OCSP responder, the test CA does neither. Matched by id and finding text.
TESTSSL_CERTIFICATE_ONLY = {("cert_revocation", "Neither CRL nor OCSP URI provided")}
# A race inside testssl 3.0: it runs `openssl s_client -sess_out FILE </dev/null`, which can
# exit on the empty input before the server's TLS 1.3 session tickets (sent just after the
# handshake) arrive; no file is written and the check reports a "connect problem" (seen with
# any OpenSSL server, a Python one included). Resumption is no security requirement.
TESTSSL_TOOL_RACES = {(name, "check failed because of connect problem")
                      for name in ("sessionresumption_ticket", "sessionresumption_ID")}


@check
def testssl(tmp):
    tls = make_ca(tmp)
    with Platform(tmp, tls=tls) as p:
        out = os.path.join(tmp, "testssl.json")
        # --nodns none with --ip: no DNS query leaves the machine (CAA, rDNS, MX are skipped).
        args = ["testssl", "--quiet", "--color", "0", "--warnings", "batch", "--openssl-timeout", "10",
                "--connect-timeout", "10", "--nodns", "none", "--ip", "127.0.0.1", "--add-ca", tls["ca"],
                "--jsonfile", out, f"localhost:{p.port}"]
        start_time = time.time()
        # NO_ENGINE: testssl probes the scanner's own OpenSSL for the GOST engine (Debian ships
        # none) and records a WARN about its own machine; the server offers no GOST suites anyway.
        env = dict(os.environ, TERM="dumb", NO_ENGINE="true")
        code, stdout, stderr = run_tool(args, 240, env=env, what="testssl")
        expect(os.path.exists(out), f"testssl wrote no JSON (exit {code}): {stdout[-2000:]} {stderr[-1000:]}")
        with open(out) as f:
            findings = json.load(f)
        expect(findings, "testssl reported no findings")
        by_id = {}
        for x in findings:
            by_id.setdefault(x["id"], x)
        counts = {}
        for x in findings:
            counts[x["severity"]] = counts.get(x["severity"], 0) + 1
        note(f"testssl: {len(findings)} findings in {time.time() - start_time:.0f} s, by severity {counts}")
        for pid in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3"):
            note(f"  {pid:<7} {by_id.get(pid, {}).get('finding')}")
        for x in findings:
            if x["severity"] not in ("OK", "INFO"):
                why = ("  (the throwaway test CA's, not counted)" if (x["id"], x["finding"]) in TESTSSL_CERTIFICATE_ONLY
                       else "  (a timing race in testssl, not counted)" if (x["id"], x["finding"]) in TESTSSL_TOOL_RACES
                       else "")
                note(f"  {x['severity']:<8} {x['id']}: {x['finding']}{why}")
        problems = [x for x in findings if (x["severity"] == "WARN" or x["id"] in ("scanProblem", "engine_problem"))
                    and (x["id"], x["finding"]) not in TESTSSL_TOOL_RACES]
        expect(not problems, f"testssl could not complete its scan: {problems}")
        # testssl's exit code adds up the return codes of its checks, so the tolerated race above
        # makes it nonzero too; any other nonzero exit is a failure.
        raced = any((x["id"], x["finding"]) in TESTSSL_TOOL_RACES for x in findings)
        expect(code == 0 or raced, f"testssl exit code {code}: {stderr[-1000:]}")
        bad = [x for x in findings if x["severity"] in ("HIGH", "CRITICAL")
               and (x["id"], x["finding"]) not in TESTSSL_CERTIFICATE_ONLY]
        expect(not bad, f"HIGH/CRITICAL findings: {[(x['id'], x['severity'], x['finding']) for x in bad]}")
        for pid in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
            expect(by_id.get(pid, {}).get("finding") == "not offered", f"{pid}: {by_id.get(pid)}")
        for pid in ("TLS1_2", "TLS1_3"):
            expect(by_id.get(pid, {}).get("finding", "").startswith("offered"), f"{pid}: {by_id.get(pid)}")
        expect(by_id.get("cert_chain_of_trust", {}).get("finding", "").startswith("passed"),
               f"certificate chain: {by_id.get('cert_chain_of_trust')}")


def main():
    if not BIN:
        print(__doc__)
        return 2
    unknown = ONLY - {fn.__name__ for fn in CHECKS}
    if unknown:
        print(f"unknown check(s): {', '.join(sorted(unknown))}")
        return 2
    failures = 0
    for fn in CHECKS:
        if ONLY and fn.__name__ not in ONLY:
            continue
        with tempfile.TemporaryDirectory(prefix="bastion-outside-") as tmp:
            began = time.time()
            print(f"----  {fn.__name__}", flush=True)
            try:
                fn(tmp)
                print(f"PASS  {fn.__name__} ({time.time() - began:.1f}s)", flush=True)
            except Exception as e:  # noqa: BLE001 - report every failure, keep going
                failures += 1
                print(f"FAIL  {fn.__name__} ({time.time() - began:.1f}s): {e}", flush=True)
            finally:
                stop_children()
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
