#!/usr/bin/env python3
"""The platform contract, checked against the real `bastion-platform` executable.

Each check starts the binary the way an operator would (environment variables, a
working directory of its own, a free loopback port) and talks HTTP to it. Usage:

    run_contract.py path/to/bastion-platform [check-name ...]

PostgreSQL checks run when BASTION_TEST_POSTGRES_URL is set (and the restart check
when BASTION_TEST_POSTGRES_CTL names the control script); otherwise they say SKIP.
"""
import http.client
import json
import os
import re
import signal
import socket
import ssl
import sqlite3
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
ONLY = set(sys.argv[2:])
GOOD_KEY = "f" * 16 + "0123456789abcdef" * 3
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(workdir, **extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": workdir, "HOST": "127.0.0.1",
           "SERVER_THREADS": "2"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(workdir, args, env=None, stdin=None, timeout=60):
    return subprocess.run([BIN] + args, cwd=workdir, env=env or base_env(workdir), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


class Server:
    def __init__(self, workdir, **env):
        self.port = free_port()
        self.env = base_env(workdir, PORT=self.port, **env)
        self.out = open(os.path.join(workdir, f"server-{self.port}.log"), "w+")
        self.proc = subprocess.Popen([BIN, "serve"], cwd=workdir, env=self.env, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early with {self.proc.returncode}: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server did not start listening")

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        conn.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def wait_for_status(self, path, status, within=15):
        """Polls `path` until it answers `status` (or time runs out); returns the last answer."""
        deadline = time.time() + within
        while True:
            answer = self.request("GET", path)
            if answer[0] == status or time.time() >= deadline:
                return answer
            time.sleep(0.2)

    def log(self):
        self.out.flush()
        self.out.seek(0)
        return self.out.read()

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=15)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.out.closed:
            self.out.close()


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


INTERNALS = re.compile(r"Traceback|SELECT |sqlite|libpq|postgres|\.cpp|std::|boost|Beast|/usr/|/tmp/|bastion/0|"
                       r"exception", re.I)


def expect_no_internals(body, where):
    m = INTERNALS.search(body)
    expect(m is None, f"{where}: response leaks internals ({m.group(0) if m else ''}): {body[:300]}")


def init_db(workdir, env=None):
    r = run_cli(workdir, ["init-db"], env=env)
    expect(r.returncode == 0, f"init-db failed: {r.stdout} {r.stderr}")
    return r


# ---------------------------------------------------------------- CLI ----------

@check
def gen_secret_prints_fresh_256_bit_keys(tmp):
    a, b = (run_cli(tmp, ["gen-secret"]).stdout.strip() for _ in range(2))
    expect(re.fullmatch(r"[0-9a-f]{64}", a), f"not 64 hex characters: {a!r}")
    expect(a != b, "two keys are equal")


@check
def production_refuses_insecure_configuration(tmp):
    rows = [
        ("no secret key", {}, "bastion.E003"),
        ("short secret key", {"SECRET_KEY": "short-key"}, "bastion.E004"),
        ("debug on", {"SECRET_KEY": GOOD_KEY, "APP_DEBUG": "true"}, "bastion.E002"),
        ("default admin password", {"SECRET_KEY": GOOD_KEY, "ADMIN_PASSWORD": "admin"}, "platform.E001"),
        ("invalid port", {"SECRET_KEY": GOOD_KEY, "PORT": "80x"}, "PORT"),
    ]
    for name, extra, needle in rows:
        env = base_env(tmp, **{"APP_ENV": "production", "PORT": free_port(), **extra})
        r = run_cli(tmp, ["serve"], env=env, timeout=15)
        expect(r.returncode != 0, f"{name}: production started")
        expect(needle in r.stderr, f"{name}: stderr does not name {needle}: {r.stderr}")
        if "SECRET_KEY" in extra:
            expect(extra["SECRET_KEY"] not in r.stdout + r.stderr, f"{name}: the key was printed")


@check
def production_starts_with_a_secure_configuration_and_stops_on_sigterm(tmp):
    env = dict(APP_ENV="production", SECRET_KEY=GOOD_KEY)
    init_db(tmp, base_env(tmp, **env, ADMIN_PASSWORD="a-long-admin-password-1"))
    with Server(tmp, **env) as s:
        status, headers, body = s.request("GET", "/health")
        expect(status == 200 and json.loads(body) == {"status": "ok"}, f"/health: {status} {body}")
        expect("server" not in headers and "x-powered-by" not in headers, f"banner headers: {headers}")
        expect("date" in headers, "no Date header")
        code = s.stop(signal.SIGTERM)
        expect(code == 0, f"exit code after SIGTERM: {code}")
        expect(GOOD_KEY not in s.log(), "the secret key appears in the logs")


@check
def check_deploy_fails_in_development_and_passes_a_production_setup(tmp):
    r = run_cli(tmp, ["check", "--deploy"])
    expect(r.returncode != 0 and "bastion.E001" in r.stdout, f"development passed: {r.stdout}")
    env = base_env(tmp, APP_ENV="production", SECRET_KEY=GOOD_KEY, SERVER_NAME="example.org",
                   DATABASE_URL="postgresql://app:pw@127.0.0.1:5432/app")
    r = run_cli(tmp, ["check", "--deploy"], env=env)
    expect(r.returncode == 0, f"a secure production setup failed: {r.stdout}")
    env["SECRET_KEY"] = "too-short"
    r = run_cli(tmp, ["check", "--deploy"], env=env)
    expect(r.returncode != 0 and "bastion.E004" in r.stdout, f"short key passed: {r.stdout}")
    expect("too-short" not in r.stdout, "check printed the key")


@check
def config_command_redacts_secrets(tmp):
    env = base_env(tmp, SECRET_KEY=GOOD_KEY, DATABASE_URL="postgresql://app:hunter2pw@db:5432/app",
                   ADMIN_PASSWORD="admin-password-123")
    r = run_cli(tmp, ["config"], env=env)
    expect(r.returncode == 0, r.stderr)
    for secret in (GOOD_KEY, "hunter2pw", "admin-password-123"):
        expect(secret not in r.stdout + r.stderr, f"{secret} printed by config")
    expect("SECRET_KEY=[redacted]" in r.stdout, r.stdout)


@check
def init_db_is_idempotent_and_create_user_reads_the_password_from_stdin(tmp):
    first = init_db(tmp)
    expect("generated password" in first.stdout, "no generated admin password in development")
    init_db(tmp)
    pw = "correct horse battery staple"
    r = run_cli(tmp, ["create-user", "alice"], stdin=pw + "\n")
    expect(r.returncode == 0, f"create-user failed: {r.stderr}")
    expect(pw not in r.stdout + r.stderr, "the password was echoed")
    r = run_cli(tmp, ["create-user", "alice"], stdin=pw + "\n")
    expect(r.returncode != 0 and "already exists" in r.stderr, "duplicate user accepted")
    r = run_cli(tmp, ["create-user", "bob"], stdin="short\n")
    expect(r.returncode != 0, "a 5-character password was accepted")
    r = run_cli(tmp, ["create-user", "carol", "--password", "x" * 20], stdin="")
    expect(r.returncode != 0, "a password option on the command line was accepted")
    db = sqlite3.connect(os.path.join(tmp, "instance", "platform.db"))
    rows = db.execute("SELECT username, role, password_hash FROM users ORDER BY id").fetchall()
    expect([r[:2] for r in rows] == [("admin", "admin"), ("alice", "user")], f"users: {rows}")
    expect(all(r[2].startswith("$argon2id$") and pw not in r[2] for r in rows), "passwords not hashed")


@check
def routes_lists_every_route_with_its_protections(tmp):
    r = run_cli(tmp, ["routes"])
    expect(r.returncode == 0, r.stderr)
    for needle in ("/health", "/ready", "/posts/{id:int}", "probe", "GET, HEAD"):
        expect(needle in r.stdout, f"{needle} missing from routes: {r.stdout}")


# ---------------------------------------------------------------- HTTP ---------

@check
def pages_render_posts_escaped_and_unknown_ids_are_generic_404s(tmp):
    init_db(tmp)
    db = sqlite3.connect(os.path.join(tmp, "instance", "platform.db"))
    db.execute("INSERT INTO posts (title, body) VALUES (?, ?)", ("<script>alert(1)</script>", "Tom & \"Jerry\""))
    db.commit()
    post_id = db.execute("SELECT MAX(id) FROM posts").fetchone()[0]
    with Server(tmp) as s:
        status, headers, body = s.request("GET", "/")
        expect(status == 200 and headers["content-type"].startswith("text/html"), f"/: {status}")
        status, _, body = s.request("GET", "/posts")
        expect(status == 200, f"/posts: {status}")
        expect("<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body, "title not escaped")
        status, _, body = s.request("GET", f"/posts/{post_id}")
        expect(status == 200 and "Tom &amp; &quot;Jerry&quot;" in body, f"post page: {status} {body[:200]}")
        for path in ("/posts/abc", "/posts/999999", "/posts/99999999999999999999", "/posts/-1", "/posts/1.5",
                     "/posts/%2e%2e", "/nowhere"):
            status, _, body = s.request("GET", path)
            expect(status == 404, f"{path}: {status}")
            expect_no_internals(body, path)
        status, headers, body = s.request("GET", "/posts/999999", headers={"Accept": "application/json"})
        expect(status == 404 and json.loads(body) == {"error": "not found"}, f"JSON 404: {body}")
        status, headers, body = s.request("DELETE", "/posts")
        expect(status == 405 and "GET" in headers.get("allow", ""), f"DELETE /posts: {status} {headers}")
        status, _, body = s.request("HEAD", "/posts")
        expect(status == 200 and body == "", "HEAD /posts")


# ------------------------------------------------------ transport & headers ----

PROD = dict(APP_ENV="production", SECRET_KEY=GOOD_KEY)
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def expect_security_headers(headers, where):
    for name, value in SECURITY_HEADERS.items():
        expect(headers.get(name) == value, f"{where}: {name} is {headers.get(name)!r}")
    csp = headers.get("content-security-policy", "")
    for part in ("default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"):
        expect(part in csp, f"{where}: CSP lacks {part}: {csp}")
    return csp


@check
def every_response_carries_the_security_headers_and_a_fresh_nonce(tmp):
    init_db(tmp, base_env(tmp, **PROD, ADMIN_PASSWORD="a-long-admin-password-1"))
    with Server(tmp, **PROD, TRUSTED_PROXIES="127.0.0.1/32") as s:
        nonces = []
        for _ in range(2):
            status, headers, body = s.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
            expect(status == 200, f"/ via a trusted proxy: {status}")
            csp = expect_security_headers(headers, "/")
            m = re.search(r'<script nonce="([A-Za-z0-9_-]{22})">', body)
            expect(m, f"/ has no nonce-carrying inline script: {body[:400]}")
            expect(f"'nonce-{m.group(1)}'" in csp, f"the page's nonce is not in the CSP: {csp}")
            nonces.append(m.group(1))
        expect(nonces[0] != nonces[1], "two responses share a nonce")
        for path, want in (("/nowhere", 404), ("/posts/abc", 404), ("/health", 200)):
            status, headers, _ = s.request("GET", path, headers={"X-Forwarded-Proto": "https"})
            expect(status == want, f"{path}: {status}")
            expect_security_headers(headers, path)


@check
def force_https_redirects_everything_but_probes(tmp):
    init_db(tmp, base_env(tmp, **PROD, ADMIN_PASSWORD="a-long-admin-password-1"))
    with Server(tmp, **PROD, SERVER_NAME="localhost") as s:
        rows = [("GET", "/posts?page=2", 301, "https://localhost/posts?page=2"),
                ("HEAD", "/", 301, "https://localhost/"),
                ("POST", "/csp-report", 308, "https://localhost/csp-report"),
                ("GET", "/health", 200, None), ("GET", "/ready", 200, None)]
        for method, path, want, location in rows:
            status, headers, _ = s.request(method, path, headers={"Host": "localhost:8080"})
            expect(status == want, f"{method} {path}: {status}")
            expect(headers.get("location") == location, f"{method} {path}: Location {headers.get('location')}")
            expect("strict-transport-security" in headers, f"{method} {path}: no HSTS in production")
        # X-Forwarded-Proto from a client that is not a trusted proxy changes nothing.
        status, _, _ = s.request("GET", "/", headers={"Host": "localhost", "X-Forwarded-Proto": "https"})
        expect(status == 301, f"spoofed X-Forwarded-Proto was believed: {status}")
        # Never a redirect to a host outside SERVER_NAME.
        status, headers, _ = s.request("GET", "/", headers={"Host": "evil.example"})
        expect(status == 400 and "location" not in headers, f"Host evil.example: {status} {headers}")
        status, _, _ = s.request("GET", "/health", headers={"Host": "10.0.0.7:8080"})
        expect(status == 200, f"/health by IP: {status}")


def self_signed(tmp, name):
    cert, key = os.path.join(tmp, f"{name}.crt"), os.path.join(tmp, f"{name}.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name}",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], capture_output=True, text=True)
    expect(r.returncode == 0, f"openssl failed: {r.stderr}")
    return cert, key


def tls_connection(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    conn.connect()
    return conn


def served_certificate(conn):
    return ssl.DER_cert_to_PEM_cert(conn.sock.getpeercert(binary_form=True)).strip()


def file_certificate(path):
    with open(path) as f:
        return ssl.DER_cert_to_PEM_cert(ssl.PEM_cert_to_DER_cert(f.read())).strip()


@check
def tls_serves_https_and_reloads_the_certificate_on_sighup(tmp):
    init_db(tmp)
    cert, key = self_signed(tmp, "first")
    with Server(tmp, TLS_CERT_FILE=cert, TLS_KEY_FILE=key) as s:
        old = tls_connection(s.port)
        expect(served_certificate(old) == file_certificate(cert), "the served certificate is not TLS_CERT_FILE")
        old.request("GET", "/health")
        r = old.getresponse()
        expect(r.status == 200 and "max-age=63072000" in (r.getheader("strict-transport-security") or ""),
               f"https /health: {r.status} {r.getheaders()}")
        r.read()
        new_cert, new_key = self_signed(tmp, "second")
        os.replace(new_cert, cert)
        os.replace(new_key, key)
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while "tls_reloaded" not in s.log() and time.time() < deadline:
            time.sleep(0.05)
        expect("tls_reloaded" in s.log(), "no tls_reloaded log line after SIGHUP")
        fresh = tls_connection(s.port)
        expect(served_certificate(fresh) == file_certificate(cert), "a new connection does not get the new certificate")
        old.request("GET", "/health")  # the connection opened before the reload still works
        r = old.getresponse()
        expect(r.status == 200, f"old connection after SIGHUP: {r.status}")
        r.read()
        expect(s.proc.poll() is None, "SIGHUP stopped the server")


@check
def csp_reports_are_received_deduplicated_and_logged(tmp):
    init_db(tmp)
    report = json.dumps({"csp-report": {"document-uri": "http://127.0.0.1/?token=abc", "effective-directive":
                                        "script-src-elem", "blocked-uri": "inline", "disposition": "enforce"}})
    with Server(tmp, LOG_LEVEL="info") as s:
        for _ in range(3):
            status, _, body = s.request("POST", "/csp-report", body=report,
                                        headers={"Content-Type": "application/csp-report"})
            expect(status == 204 and body == "", f"report: {status} {body}")
        batch = json.dumps([{"type": "csp-violation", "body": {"documentURL": "http://127.0.0.1/posts",
                                                              "effectiveDirective": "img-src", "blockedURL": "data"}}])
        status, _, _ = s.request("POST", "/csp-report", body=batch, headers={"Content-Type": "application/reports+json"})
        expect(status == 204, f"Reporting API batch: {status}")
        status, _, _ = s.request("POST", "/csp-report", body=report, headers={"Content-Type": "text/plain"})
        expect(status == 415, f"text/plain report: {status}")
        status, _, _ = s.request("POST", "/csp-report", body="x" * 20000, headers={"Content-Type": "application/csp-report"})
        expect(status == 413, f"oversized report: {status}")
        status, _, _ = s.request("POST", "/csp-report", body="{", headers={"Content-Type": "application/csp-report"})
        expect(status == 400, f"malformed report: {status}")
        time.sleep(0.2)
        events = [json.loads(l) for l in s.log().splitlines() if '"csp_violation"' in l]
        expect(len(events) == 2, f"expected 2 logged violations (one per distinct), got {len(events)}")
        expect(all("token" not in json.dumps(e) for e in events), "a query string reached the log")


@check
def forwarding_headers_from_untrusted_clients_are_ignored_with_one_warning(tmp):
    init_db(tmp)
    with Server(tmp) as s:
        for _ in range(3):
            status, _, _ = s.request("GET", "/health", headers={"X-Forwarded-For": "203.0.113.9"})
            expect(status == 200, f"/health: {status}")
        time.sleep(0.2)
        lines = s.log().splitlines()
        access = [json.loads(l) for l in lines if '"logger":"access"' in l]
        expect(access and all(a["client"] == "127.0.0.1" for a in access), f"client addresses: {access}")
        warnings = [l for l in lines if "forwarding_headers_ignored" in l]
        expect(len(warnings) == 1, f"expected one warning, got {len(warnings)}")
        expect("TRUSTED_PROXIES" in warnings[0], f"the warning does not say what to do: {warnings[0]}")


# ------------------------------------------------------------ rate limits ----

@check
def rate_limited_responses_carry_retry_after_and_ratelimit_headers(tmp):
    init_db(tmp)
    with Server(tmp, RATELIMIT_DEFAULT="3 per minute", API_RATELIMIT="2 per minute") as s:
        for i in range(3):
            status, headers, _ = s.request("GET", "/posts")
            expect(status == 200, f"/posts #{i + 1}: {status}")
            expect(headers.get("x-ratelimit-limit") == "3" and headers.get("x-ratelimit-remaining") == str(2 - i),
                   f"/posts #{i + 1} headers: {headers}")
        status, headers, body = s.request("GET", "/posts")
        expect(status == 429, f"4th /posts: {status}")
        retry = int(headers.get("retry-after", "0"))
        expect(1 <= retry <= 60, f"Retry-After: {headers.get('retry-after')}")
        reset = int(headers.get("x-ratelimit-reset", "0"))
        expect(time.time() - 1 <= reset <= time.time() + 61, f"X-RateLimit-Reset {reset}")
        expect("<html" in body and "429" in body, f"429 page: {body[:200]}")
        expect_no_internals(body, "429 page")
        for i in range(2):
            status, _, body = s.request("GET", "/api/v1/posts")
            expect(status == 200 and isinstance(json.loads(body), list), f"/api/v1/posts #{i + 1}: {status}")
        status, headers, body = s.request("GET", "/api/v1/posts")
        expect(status == 429 and json.loads(body) == {"error": "too many requests"}, f"3rd API call: {status} {body}")
        expect("retry-after" in headers, "API 429 without Retry-After")
        for _ in range(20):
            status, _, _ = s.request("GET", "/health")
            expect(status == 200, f"/health was limited: {status}")
    # Off in testing, as Flask-Limiter is.
    with Server(tmp, APP_ENV="testing", RATELIMIT_DEFAULT="1 per minute") as s:
        for _ in range(3):
            status, headers, _ = s.request("GET", "/posts")
            expect(status == 200 and "x-ratelimit-limit" not in headers, f"testing: {status} {headers}")


def start_redis(tmp):
    """A throwaway redis-server on a free loopback port; returns (url, process)."""
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"redis://127.0.0.1:{port}/0", proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("redis-server did not start")


@check
def two_platform_processes_share_one_redis_limit(tmp):
    url, redis = start_redis(tmp)
    try:
        init_db(tmp)
        env = dict(RATELIMIT_STORAGE_URI=url, API_RATELIMIT="10 per minute", INSTANCES="2")
        with Server(tmp, **env) as a, Server(tmp, **env) as b:
            codes = [(a if i % 2 else b).request("GET", "/api/v1/posts")[0] for i in range(16)]
            expect(codes.count(200) == 10 and codes.count(429) == 6, f"two processes admitted {codes.count(200)}: {codes}")
            status, _, _ = a.request("GET", "/ready")
            expect(status == 200, f"/ready with Redis up: {status}")
            redis.kill()
            redis.wait()
            status, _, body = a.wait_for_status("/ready", 503)
            expect(status == 503 and json.loads(body) == {"status": "unavailable"}, f"/ready with Redis down: {status}")
            # The API fails open onto each process's memory (10 / 2 instances per process).
            codes = [a.request("GET", "/api/v1/posts")[0] for _ in range(7)]
            expect(codes.count(200) == 5, f"fail-open fallback admitted {codes.count(200)} of 7: {codes}")
            expect(a.proc.poll() is None and b.proc.poll() is None, "a platform process died with Redis")
    finally:
        if redis.poll() is None:
            redis.kill()


@check
def two_platform_processes_share_one_memcached_limit(tmp):
    port = free_port()
    mc = subprocess.Popen(["memcached", "-u", "root", "-l", "127.0.0.1", "-p", str(port), "-U", "0"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                expect(time.time() < deadline, "memcached did not start")
                time.sleep(0.05)
        init_db(tmp)
        env = dict(RATELIMIT_STORAGE_URI=f"memcached://127.0.0.1:{port}", API_RATELIMIT="10 per minute",
                   RATELIMIT_STRATEGY="moving-window", INSTANCES="2")
        with Server(tmp, **env) as a, Server(tmp, **env) as b:
            codes = [(a if i % 2 else b).request("GET", "/api/v1/posts")[0] for i in range(16)]
            expect(codes.count(200) == 10 and codes.count(429) == 6, f"two processes admitted {codes.count(200)}: {codes}")
    finally:
        mc.kill()
        mc.wait()


@check
def logs_are_json_lines_without_credentials(tmp):
    init_db(tmp)
    with Server(tmp) as s:
        s.request("GET", "/posts?token=querysecret", headers={
            "Cookie": "session=cookiesecretvalue", "Authorization": "Bearer bearersecretvalue"})
        s.stop()
        lines = [l for l in s.log().splitlines() if l.strip()]
    access = [json.loads(l) for l in lines if '"logger":"access"' in l]
    expect(access, "no access log line")
    a = access[-1]
    for field in ("request_id", "method", "path", "status", "duration_us", "client"):
        expect(field in a, f"access log lacks {field}: {a}")
    text = "\n".join(lines)
    for secret in ("cookiesecretvalue", "bearersecretvalue", "querysecret"):
        expect(secret not in text, f"{secret} was logged")
    for l in lines:
        json.loads(l)  # every line is JSON


@check
def ready_is_503_without_details_when_the_database_is_unreachable(tmp):
    with Server(tmp, DATABASE_URL="postgresql://nobody:nopass@127.0.0.1:1/none") as s:
        status, _, body = s.request("GET", "/health")
        expect(status == 200, f"/health: {status}")
        status, _, body = s.request("GET", "/ready")
        expect(status == 503 and json.loads(body) == {"status": "unavailable"}, f"/ready: {status} {body}")
        status, _, body = s.request("GET", "/posts")
        expect(status == 503, f"/posts with no database: {status}")
        expect_no_internals(body, "/posts without database")
        expect("nopass" not in s.log(), "database password logged")


@check
def readiness_recovers_by_itself_when_the_database_comes_back(tmp):
    blocker = os.path.join(tmp, "dbdir")
    with open(blocker, "w") as f:
        f.write("a file where the database directory should be")
    with Server(tmp, DATABASE_URL=f"sqlite:///{blocker}/platform.db") as s:
        status, _, _ = s.request("GET", "/ready")
        expect(status == 503, f"/ready with an unusable path: {status}")
        os.remove(blocker)
        os.mkdir(blocker)
        status, _, _ = s.wait_for_status("/ready", 200)
        expect(status == 200, f"/ready did not recover: {status}")
        status, _, _ = s.request("GET", "/health")
        expect(status == 200, "liveness went down")


@check
def postgresql_backs_the_platform(tmp):
    url = os.environ.get("BASTION_TEST_POSTGRES_URL")
    if not url:
        return "SKIP: BASTION_TEST_POSTGRES_URL is not set"
    init_db(tmp, base_env(tmp, DATABASE_URL=url))
    init_db(tmp, base_env(tmp, DATABASE_URL=url))  # idempotent on PostgreSQL too
    with Server(tmp, DATABASE_URL=url) as s:
        status, _, _ = s.request("GET", "/ready")
        expect(status == 200, f"/ready on PostgreSQL: {status}")
        status, _, body = s.request("GET", "/posts")
        expect(status == 200, f"/posts on PostgreSQL: {status} {body[:200]}")


@check
def readiness_follows_a_postgresql_restart(tmp):
    ctl = os.environ.get("BASTION_TEST_POSTGRES_CTL")
    if not ctl:
        return "SKIP: BASTION_TEST_POSTGRES_CTL is not set"
    # A private server, so stopping it cannot disturb tests running in parallel.
    pg_env = dict(os.environ, BASTION_PG_PORT="25434", BASTION_PG_DIR="/tmp/bastion-pg-contract")

    def pg(action):
        done = subprocess.run([ctl, action], env=pg_env, capture_output=True, text=True, timeout=120)
        expect(done.returncode == 0, f"postgres-test-server.sh {action} failed: {done.stderr[-2000:]}")
        return done.stdout.strip()

    url = pg("start")
    try:
        init_db(tmp, base_env(tmp, DATABASE_URL=url))
        with Server(tmp, DATABASE_URL=url) as s:
            status, _, _ = s.request("GET", "/ready")
            expect(status == 200, f"/ready before the restart: {status}")
            pg("stop")
            # The readiness monitor checks every second; the probe follows within a few.
            status, _, body = s.wait_for_status("/ready", 503)
            expect(status == 503 and json.loads(body) == {"status": "unavailable"}, f"/ready with PG down: {status}")
            status, _, _ = s.request("GET", "/health")
            expect(status == 200, "liveness went down with the database")
            pg("start")
            status, _, _ = s.wait_for_status("/ready", 200)
            expect(status == 200, f"/ready did not recover after PostgreSQL restarted: {status}")
            status, _, _ = s.request("GET", "/posts")
            expect(status == 200, f"/posts after the restart: {status}")
    finally:
        pg("stop")


# ------------------------------------------- sessions, login, CSRF, tokens ----

ALICE_PW = "alice-password-123"
MANY_LOGINS = "100 per minute"  # for checks that log in often from one address
ADMIN_PW = "admin-password-456"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """Keeps cookies the way a browser does (name -> value; Max-Age=0 deletes)."""

    def __init__(self, server, address_headers=None):
        self.server = server
        self.cookies = {}
        self.extra = address_headers or {}

    def request(self, method, path, body=None, headers=None):
        h = dict(self.extra)
        h.update(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "max-age=0" in v.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        conn.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data, [v for k, v in r.getheaders() if k.lower() == "set-cookie"]

    def token(self, path="/login"):
        status, _, body, _ = self.request("GET", path)
        m = TOKEN_FIELD.search(body)
        expect(m, f"no csrf_token on {path} ({status}): {body[:300]}")
        return m.group(1)

    def post_form(self, path, fields, headers=None):
        from urllib.parse import urlencode
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, urlencode(fields), h)

    def login(self, username, password, next_path=None):
        fields = {"username": username, "password": password, "csrf_token": self.token()}
        if next_path is not None:
            fields["next"] = next_path
        return self.post_form("/login", fields)


def with_users(tmp, **env):
    init_db(tmp, base_env(tmp, ADMIN_PASSWORD=ADMIN_PW, **env))
    r = run_cli(tmp, ["create-user", "alice"], env=base_env(tmp, **env), stdin=ALICE_PW + "\n")
    expect(r.returncode == 0, f"create-user alice: {r.stderr}")


def post_count(tmp):
    db = sqlite3.connect(os.path.join(tmp, "instance", "platform.db"))
    return db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]


@check
def login_renews_the_session_and_logout_ends_it_on_the_server(tmp):
    with_users(tmp)
    with Server(tmp) as s:
        b = Browser(s)
        b.token()
        before = dict(b.cookies)
        expect("session" in before, f"GET /login set no session cookie: {before}")
        status, headers, body, cookies = b.login("alice", ALICE_PW, "/posts")
        expect(status == 302 and headers.get("location") == "/posts", f"login: {status} {headers.get('location')}")
        expect(cookies and all(f in cookies[0] for f in ("HttpOnly", "SameSite=Lax", "Path=/")), f"cookie: {cookies}")
        expect(b.cookies["session"] != before["session"], "the session id did not change at login (fixation)")
        status, _, body, _ = b.request("GET", "/")
        expect(status == 200 and "alice" in body and "Log out" in body, "the home page does not show alice")
        planted = Browser(s)
        planted.cookies = before  # an id planted before the login is worth nothing
        expect("alice" not in planted.request("GET", "/")[2], "the pre-login session id is logged in")
        stolen = dict(b.cookies)
        status, headers, _, cookies = b.post_form("/logout", {"csrf_token": b.token("/posts")})
        expect(status == 302 and headers.get("location") == "/login", f"logout: {status} {headers}")
        expect(any("Max-Age=0" in c for c in cookies), f"logout did not delete the cookie: {cookies}")
        replay = Browser(s)
        replay.cookies = stolen
        status, headers, _, _ = replay.request("GET", "/admin/")
        expect(status == 302 and headers["location"].startswith("/login"), f"a cookie replayed after logout: {status}")
        status, _, body, _ = replay.request("GET", "/")
        expect(status == 200 and "alice" not in body, "replayed cookie still logged in")


@check
def failed_logins_look_the_same_for_unknown_users_and_wrong_passwords(tmp):
    with_users(tmp)
    with Server(tmp, LOGIN_RATELIMIT=MANY_LOGINS) as s:
        answers = []
        for username, password in (("alice", "wrong-password-1"), ("nobody", "wrong-password-1"),
                                   ("admin' OR '1'='1", "x' OR '1'='1"), ("alice'--", ALICE_PW),
                                   ("", ""), ("a" * 300, "x")):
            b = Browser(s)
            status, _, body, _ = b.login(username, password)
            expect(status == 401, f"login {username!r}: {status}")
            expect_no_internals(body, f"login {username!r}")
            answers.append(re.search(r'role="alert">([^<]*)<', body).group(1))
        expect(len(set(answers)) == 1, f"failure messages differ: {set(answers)}")
        db = sqlite3.connect(os.path.join(tmp, "instance", "platform.db"))
        expect(db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 2, "the users table changed")


@check
def next_accepts_only_same_site_paths(tmp):
    with_users(tmp)
    with Server(tmp, LOGIN_RATELIMIT=MANY_LOGINS) as s:
        for target in ("//evil.example", "https://evil.example", "/\\evil.example", "/\tevil", "http:/evil",
                       "javascript:alert(1)", "/%2F%2Fevil.example"):
            b = Browser(s)
            status, headers, _, _ = b.login("alice", ALICE_PW, target)
            location = headers.get("location", "")
            # An encoded slash stays a path on this site; everything else falls back to "/".
            expect(status == 302 and (location == "/" or (target.startswith("/%2F") and location == target)),
                   f"next={target!r} followed to {location!r}")
        b = Browser(s)
        status, headers, _, _ = b.request("GET", "/admin/users?x=1")
        expect(headers.get("location") == "/login?next=%2Fadmin%2Fusers%3Fx%3D1", f"login redirect: {headers}")


@check
def unsafe_requests_need_a_csrf_token_or_a_same_origin_browser(tmp):
    with_users(tmp)
    with Server(tmp) as s:
        b = Browser(s)
        b.login("alice", ALICE_PW)
        token = b.token("/posts")
        before = post_count(tmp)
        other = Browser(s)
        other_token = other.token()
        for name, fields, headers in (
                ("no token", {"title": "t", "body": "b"}, {}),
                ("wrong token", {"title": "t", "body": "b", "csrf_token": "A" * len(token)}, {}),
                ("another session's token", {"title": "t", "body": "b", "csrf_token": other_token}, {}),
                ("cross-site fetch", {"title": "t", "body": "b", "csrf_token": token}, {"Sec-Fetch-Site": "cross-site"}),
                ("foreign Origin", {"title": "t", "body": "b", "csrf_token": token}, {"Origin": "https://evil.example"})):
            status, _, body, _ = b.post_form("/posts", fields, headers)
            expect(status in (400, 403), f"{name}: {status}")
            expect_no_internals(body, name)
        expect(post_count(tmp) == before, "a forged request created a post")
        status, headers, _, _ = b.post_form("/posts", {"title": "<b>hi</b>", "body": "b", "csrf_token": token})
        expect(status == 302 and re.fullmatch(r"/posts/\d+", headers.get("location", "")), f"token form: {status} {headers}")
        status, _, _, _ = b.post_form("/posts", {"title": "header path", "body": "b"}, {"X-CSRFToken": token})
        expect(status == 302, f"X-CSRFToken header: {status}")
        status, _, _, _ = b.post_form("/posts", {"title": "fetch", "body": "b"}, {"Sec-Fetch-Site": "same-origin"})
        expect(status == 302, f"same-origin browser without a token: {status}")
        status, _, body, _ = b.post_form("/posts", {"title": "", "body": "x" * 10001, "csrf_token": token})
        expect(status == 400 and "title" in body and "body" in body, f"field errors: {status}")
        expect(post_count(tmp) == before + 3, "valid posts were not stored")


@check
def tampered_session_cookies_give_an_anonymous_page(tmp):
    with_users(tmp)
    with Server(tmp) as s:
        b = Browser(s)
        b.login("alice", ALICE_PW)
        good = b.cookies["session"]
        for bad in (good[:-2], good.replace(good[3], "A" if good[3] != "A" else "B", 1), "x" * 500, good + "x",
                    good.split(".")[0]):
            t = Browser(s)
            t.cookies = {"session": bad}
            status, _, body, _ = t.request("GET", "/")
            expect(status == 200 and "alice" not in body and "Log in" in body, f"tampered cookie: {status}")


@check
def admin_routes_need_the_admin_role(tmp):
    with_users(tmp)
    with Server(tmp) as s:
        anonymous, alice, admin = Browser(s), Browser(s), Browser(s)
        alice.login("alice", ALICE_PW)
        admin.login("admin", ADMIN_PW)
        for path in ("/admin/", "/admin/users"):
            status, headers, _, _ = anonymous.request("GET", path)
            expect(status == 302 and headers["location"].startswith("/login?next="), f"anonymous {path}: {status}")
            expect(alice.request("GET", path)[0] == 403, f"alice {path}")
            expect(admin.request("GET", path)[0] == 200, f"admin {path}")
        new_user = {"username": "carol", "password": "carol-password-789", "role": "user"}
        status, _, _, _ = alice.post_form("/admin/users", dict(new_user, csrf_token=alice.token("/posts")))
        expect(status == 403, f"alice created a user: {status}")
        status, _, _, _ = admin.post_form("/admin/users", new_user)
        expect(status == 403, f"admin form without a token: {status}")
        status, headers, _, _ = admin.post_form("/admin/users", dict(new_user, csrf_token=admin.token("/admin/users")))
        expect(status == 302, f"admin created no user: {status}")
        status, _, body, _ = admin.post_form("/admin/users", dict(new_user, password="short",
                                                                  csrf_token=admin.token("/admin/users")))
        expect(status == 400 and "too short" in body, f"a weak password was accepted: {status}")
        status, _, body, _ = admin.post_form("/admin/users", dict(new_user, csrf_token=admin.token("/admin/users")))
        expect(status == 400 and "taken" in body, f"a duplicate user was accepted: {status}")
        carol = Browser(s)
        status, _, _, _ = carol.login("carol", "carol-password-789")
        expect(status == 302, f"carol cannot log in: {status}")


@check
def api_tokens_authenticate_posts_without_csrf_and_are_never_logged(tmp):
    with_users(tmp)
    r = run_cli(tmp, ["create-token", "alice"])
    expect(r.returncode == 0 and re.fullmatch(r"\S{40,}\n", r.stdout), f"create-token: {r.stdout!r} {r.stderr}")
    token = r.stdout.strip()
    db = sqlite3.connect(os.path.join(tmp, "instance", "platform.db"))
    expect(token not in str(db.execute("SELECT * FROM api_tokens").fetchall()), "the token is stored in clear")
    expect(run_cli(tmp, ["create-token", "nobody"]).returncode != 0, "a token for an unknown user")
    with Server(tmp) as s:
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        status, headers, body = s.request("POST", "/api/v1/posts", json.dumps({"title": "api", "body": "b"}), auth)
        expect(status == 201 and json.loads(body)["url"].startswith("/posts/"), f"token post: {status} {body}")
        status, _, body = s.request("POST", "/api/v1/posts", json.dumps({"title": "", "body": 5}), auth)
        expect(status == 422 and set(json.loads(body)["fields"]) == {"title", "body"}, f"422: {status} {body}")
        expect(json.loads(body)["error"] == "validation failed", body)
        status, _, _ = s.request("POST", "/api/v1/posts", "title=x", dict(auth, **{"Content-Type": "text/plain"}))
        expect(status == 415, f"non-JSON: {status}")
        status, headers, body = s.request("POST", "/api/v1/posts", "{}", dict(auth, Authorization="Bearer bpt_wrong"))
        expect(status == 401 and json.loads(body).get("error"), f"wrong token: {status} {body}")
        b = Browser(s)
        b.login("alice", ALICE_PW)
        status, _, _, _ = b.request("POST", "/api/v1/posts", json.dumps({"title": "c", "body": "c"}),
                                    {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"})
        expect(status == 401, f"a session cookie posted to the token API: {status}")
        expect(token not in s.log(), "the token appears in the log")
    r = run_cli(tmp, ["revoke-tokens", "alice"])
    expect(r.returncode == 0, r.stderr)
    with Server(tmp) as s:
        status, _, _ = s.request("POST", "/api/v1/posts", json.dumps({"title": "a", "body": "b"}), auth)
        expect(status == 401, f"a revoked token still works: {status}")


@check
def login_is_rate_limited_per_client_and_per_username(tmp):
    with_users(tmp)
    with Server(tmp, RATELIMIT_ENABLED="true", LOGIN_RATELIMIT="3 per minute", TRUSTED_PROXIES="127.0.0.1/32") as s:
        statuses = [Browser(s, {"X-Forwarded-For": "198.51.100.7"}).login("alice", "wrong-password-1")[0]
                    for _ in range(4)]
        expect(statuses == [401, 401, 401, 429], f"per client: {statuses}")
        # The same username from other addresses (credential stuffing from a botnet).
        statuses = [Browser(s, {"X-Forwarded-For": f"203.0.113.{i}"}).login("admin", "wrong-password-1")[0]
                    for i in range(1, 5)]
        expect(statuses == [401, 401, 401, 429], f"per username: {statuses}")


@check
def production_session_cookies_are_secure_host_cookies(tmp):
    with_users(tmp, **PROD)
    with Server(tmp, **PROD, FORCE_HTTPS="false") as s:
        status, _, _, cookies = Browser(s).request("GET", "/login")
        expect(status == 200 and cookies, f"GET /login: {status} {cookies}")
        c = cookies[0]
        expect(c.startswith("__Host-session=") and "Secure" in c and "HttpOnly" in c and "Domain" not in c,
               f"production cookie: {c}")


SESSION_HANDLE = re.compile(r'action="/account/sessions/([0-9a-f]{16})/end"')
MY_HANDLE = re.compile(r"<code>([0-9a-f]{16})</code> \(this browser\)")


def handles(browser):
    status, _, body, _ = browser.request("GET", "/account")
    expect(status == 200, f"GET /account: {status}")
    mine = MY_HANDLE.search(body)
    expect(mine, f"/account does not mark this browser's session: {body[:400]}")
    return mine.group(1), set(SESSION_HANDLE.findall(body))


@check
def users_list_and_end_their_own_sessions_and_a_password_change_ends_the_others(tmp):
    with_users(tmp)
    with Server(tmp, LOGIN_RATELIMIT=MANY_LOGINS) as s:
        laptop, phone, tablet, admin = Browser(s), Browser(s), Browser(s), Browser(s)
        for b, pw in ((laptop, ALICE_PW), (phone, ALICE_PW), (tablet, ALICE_PW)):
            expect(b.login("alice", pw)[0] == 302, "alice cannot log in")
        admin.login("admin", ADMIN_PW)
        mine, listed = handles(laptop)
        phones, _ = handles(phone)
        admins, admin_listed = handles(admin)
        expect(len(listed) == 3 and mine in listed and phones in listed, f"alice's sessions: {listed}")
        expect(admins not in listed and admin_listed == {admins}, "sessions of other users are listed")
        status, headers, _, _ = laptop.post_form(f"/account/sessions/{phones}/end", {"csrf_token": laptop.token("/account")})
        expect(status == 302 and headers["location"] == "/account", f"ending the phone's session: {status}")
        status, headers, _, _ = phone.request("GET", "/account")
        expect(status == 302 and headers["location"].startswith("/login"), f"the ended session still works: {status}")
        expect(handles(tablet)[1] == {mine, handles(tablet)[0]}, "ending one session touched another")
        status, _, _, _ = laptop.post_form(f"/account/sessions/{admins}/end", {"csrf_token": laptop.token("/account")})
        expect(status == 404, f"alice ended the admin's session: {status}")
        expect(admin.request("GET", "/admin/")[0] == 200, "the admin was logged out by alice")

        change = lambda current, new: laptop.post_form("/account/password", {
            "current_password": current, "new_password": new, "csrf_token": laptop.token("/account")})
        status, _, body, _ = change("wrong-password-1", "alice-new-password-1")
        expect(status == 400 and "not right" in body, f"a wrong current password: {status}")
        status, _, body, _ = change(ALICE_PW, "short")
        expect(status == 400 and "too short" in body, f"a short new password: {status}")
        expect(handles(tablet)[0], "a refused change ended a session")
        before = dict(laptop.cookies)
        status, headers, _, _ = change(ALICE_PW, "alice-new-password-1")
        expect(status == 302 and headers["location"] == "/account", f"password change: {status}")
        expect(laptop.cookies["session"] != before["session"], "the session id did not change with the password")
        status, headers, _, _ = tablet.request("GET", "/account")
        expect(status == 302, f"another session survived the password change: {status}")
        now_mine, listed = handles(laptop)
        expect(listed == {now_mine}, f"sessions after the password change: {listed}")
        old = Browser(s)
        old.cookies = before
        expect(old.request("GET", "/account")[0] == 302, "the pre-change session id still works")
        expect(Browser(s).login("alice", ALICE_PW)[0] == 401, "the old password still works")
        expect(Browser(s).login("alice", "alice-new-password-1")[0] == 302, "the new password does not work")
        status, headers, _, _ = laptop.post_form(f"/account/sessions/{now_mine}/end", {"csrf_token": laptop.token("/account")})
        expect(status == 302 and headers["location"] == "/login", f"ending the current session: {status}")
        expect(laptop.request("GET", "/account")[0] == 302, "ending the current session did not log out")


@check
def database_sessions_outlive_a_restart_and_logout_still_ends_them(tmp):
    key = "k" * 48
    with_users(tmp)
    with Server(tmp, SESSION_STORE_URI="database://", SECRET_KEY=key) as s:
        b = Browser(s)
        expect(b.login("alice", ALICE_PW)[0] == 302, "alice cannot log in")
        expect(b.request("GET", "/account")[0] == 200, "no session right after login")
    db = sqlite3.connect(os.path.join(tmp, "instance", "platform.db"))
    rows = db.execute("SELECT key_hash, user_id FROM bastion_sessions").fetchall()
    cookie_id = b.cookies["session"].split(".")[0]
    expect(len(rows) == 1 and rows[0][1] != "" and cookie_id not in str(rows), f"stored sessions: {rows}")
    with Server(tmp, SESSION_STORE_URI="database://", SECRET_KEY=key) as s:
        b.server = s
        status, _, body, _ = b.request("GET", "/account")
        expect(status == 200 and "alice" in body, f"the session did not survive the restart: {status}")
        stolen = dict(b.cookies)
        status, _, _, _ = b.post_form("/logout", {"csrf_token": b.token("/account")})
        expect(status == 302, f"logout: {status}")
        replay = Browser(s)
        replay.cookies = stolen
        expect(replay.request("GET", "/account")[0] == 302, "a cookie replayed after logout still works")
    expect(db.execute("SELECT COUNT(*) FROM bastion_sessions WHERE user_id <> ''").fetchone()[0] == 0,
           "logout left the session in the table")


@check
def remember_me_is_opt_in_and_brings_a_restarted_browser_back(tmp):
    with_users(tmp)
    with Server(tmp) as s:
        b = Browser(s)
        expect('name="remember"' not in b.request("GET", "/login")[2], "remember-me offered while REMEMBER_ME is off")
        b.post_form("/login", {"username": "alice", "password": ALICE_PW, "remember": "1", "csrf_token": b.token()})
        expect(set(b.cookies) == {"session"}, f"a remember-me cookie while it is off: {b.cookies}")
    with Server(tmp, REMEMBER_ME="true", REMEMBER_ME_DURATION="7d") as s:
        b = Browser(s)
        expect('name="remember"' in b.request("GET", "/login")[2], "no remember-me box with REMEMBER_ME on")
        _, _, _, cookies = b.post_form("/login", {"username": "alice", "password": ALICE_PW, "remember": "1",
                                                  "csrf_token": b.token()})
        remember = [c for c in cookies if c.startswith("session_remember=")]
        expect(remember and all(f in remember[0] for f in ("HttpOnly", "SameSite=Lax", "Max-Age=604800")),
               f"remember-me cookie: {cookies}")
        token = b.cookies["session_remember"]
        del b.cookies["session"]  # the browser was closed and opened again
        status, _, body, _ = b.request("GET", "/account")
        expect(status == 200 and "alice" in body, f"a remembered browser is not logged in: {status}")
        expect(b.cookies["session_remember"] != token, "the remember-me token was not replaced on use")
        b.post_form("/logout", {"csrf_token": b.token("/account")})
        expect("session_remember" not in b.cookies, "logout kept the remember-me cookie")
        replay = Browser(s)
        replay.cookies = {"session_remember": token}
        expect(replay.request("GET", "/account")[0] == 302, "an old remember-me token logs in")


@check
def stronger_hash_parameters_rehash_the_password_at_the_next_login(tmp):
    with_users(tmp)
    db = lambda: sqlite3.connect(os.path.join(tmp, "instance", "platform.db")).execute(
        "SELECT password_hash FROM users WHERE username = 'alice'").fetchone()[0]
    expect(",t=2," in db(), f"alice's hash: {db()}")
    with Server(tmp, PASSWORD_HASH_ITERATIONS="3") as s:
        expect(Browser(s).login("alice", ALICE_PW)[0] == 302, "alice cannot log in")
    expect(",t=3," in db(), f"alice's hash after a login with t=3: {db()}")
    with Server(tmp) as s:
        expect(Browser(s).login("alice", ALICE_PW)[0] == 302, "the rehashed password does not verify")


def main():
    failures = 0
    for fn in CHECKS:
        if ONLY and fn.__name__ not in ONLY:
            continue
        with tempfile.TemporaryDirectory(prefix="bastion-contract-") as tmp:
            start = time.time()
            try:
                note = fn(tmp)
                print(f"{'SKIP' if note else 'PASS'}  {fn.__name__} ({time.time() - start:.1f}s){'  ' + note if note else ''}")
            except Exception as e:  # noqa: BLE001 - report every failure, keep going
                failures += 1
                print(f"FAIL  {fn.__name__}: {e}")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
