// Runs the MDN HTTP Observatory scanner (its own retriever, tests and grader) against a site on
// this machine and prints one JSON object:
//   {score, grade, url, verified, status, tests: {name: {pass, scoreModifier, result, ...}}, ...}
//
//   NODE_EXTRA_CA_CERTS=ca.pem node observatory.mjs --https-port 8443 [--http-port 8080] \
//       [--host localhost] [--path /]
//
// The scanner's own entry point (scan() and its command line) takes only a host name and so
// talks to ports 443 and 80. Its retriever does accept ports and a path (retrieve(hostname,
// {httpsPort, httpPort, path})), so this script calls the retriever with them and then grades the
// result exactly as scan() does, with the scanner's own test list, score table and grade chart.
//
// Without --http-port the plain-HTTP request goes to a loopback port that was just free (so
// nothing answers) and the redirection test reads "no HTTP listener".
import net from "node:net";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

import { retrieve } from "@mdn/mdn-http-observatory/src/retriever/retriever.js";
import { ALL_TESTS, ALGORITHM_VERSION, NUM_TESTS } from "@mdn/mdn-http-observatory/src/constants.js";
import { MINIMUM_SCORE_FOR_EXTRA_CREDIT } from "@mdn/mdn-http-observatory/src/grader/charts.js";
import { getGradeForScore, getScoreModifier } from "@mdn/mdn-http-observatory/src/grader/grader.js";

function fail(message) {
  console.log(JSON.stringify({ error: message }));
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "localhost" },
    "https-port": { type: "string" },
    "http-port": { type: "string" },
    path: { type: "string", default: "/" },
  },
});
if (!args["https-port"]) fail("--https-port is required");
if (!process.env.NODE_EXTRA_CA_CERTS) {
  fail("NODE_EXTRA_CA_CERTS must name the CA that signed the server certificate");
}
const require = createRequire(import.meta.url);
const scannerDir = path.dirname(require.resolve("@mdn/mdn-http-observatory/package.json"));
if (!existsSync(path.join(scannerDir, "conf", "hsts-preload.json"))) {
  fail("the scanner's conf/hsts-preload.json is missing: run tests/outside/install.sh");
}

function closedPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const options = {
  httpsPort: Number(args["https-port"]),
  httpPort: args["http-port"] ? Number(args["http-port"]) : await closedPort(),
  path: args.path,
};

let r;
try {
  r = await retrieve(args.host, options);
} catch (e) {
  fail(`retrieval failed: ${e?.message ?? e}`);
}
if (!r.responses.auto) fail("The site seems to be down.");

// From here on, as scan() in the scanner's src/scanner/index.js.
const { status } = r.responses.auto;
if (status < 200 || (status >= 400 && ![401, 403].includes(status))) {
  fail(`Site did respond with an unexpected HTTP status code ${status}.`);
}
const results = ALL_TESTS.map((test) => test(r));
let testsPassed = 0;
let scoreWithExtraCredit = 100;
let uncurvedScore = scoreWithExtraCredit;
for (const result of results) {
  if (result.result) {
    result.scoreModifier = getScoreModifier(result.result);
    testsPassed += result.pass ? 1 : 0;
    scoreWithExtraCredit += result.scoreModifier;
    if (result.scoreModifier < 0) uncurvedScore += result.scoreModifier;
  }
}
const score = uncurvedScore >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? scoreWithExtraCredit : uncurvedScore;
const final = getGradeForScore(score);

const tests = {};
for (const result of results) {
  const { expectation, scoreDescription, ...rest } = result;
  tests[result.constructor.name] = {
    pass: result.pass,
    scoreModifier: result.scoreModifier ?? 0,
    result: result.result,
    // the best modifier this test can give (its bonus, when it has one)
    bestModifier: Math.max(...result.constructor.possibleResults.map(getScoreModifier)),
    ...rest,
  };
}

const auto = r.responses.auto;
console.log(
  JSON.stringify(
    {
      score: final.score,
      grade: final.grade,
      algorithmVersion: ALGORITHM_VERSION,
      testsPassed,
      testsQuantity: NUM_TESTS,
      url: r.session?.url?.href ?? null,
      // true when the certificate chain was verified (the scanner retries unverified otherwise)
      verified: auto.verified ?? false,
      status,
      https: r.responses.https
        ? { status: r.responses.https.status, verified: r.responses.https.verified }
        : null,
      http: r.responses.http
        ? {
            status: r.responses.http.status,
            verified: r.responses.http.verified,
            route: r.responses.httpRedirects.map((e) => ({ url: e.url.href, status: e.status })),
          }
        : null,
      responseHeaders: Object.fromEntries(Object.entries(auto.headers ?? {})),
      tests,
    },
    null,
    2,
  ),
);
