// Evaluates a Content-Security-Policy with Google's CSP Evaluator (CspParser + CspEvaluator,
// the library behind csp-evaluator.withgoogle.com) and prints its findings as JSON:
//   {policy, highest, findings: [{severity, severity_value, type, directive, value, description}]}
//
//   node csp_evaluate.mjs "<policy>"
//
// Exit code 1 when any finding has severity HIGH (value 10), 2 on a usage error, else 0.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { CspEvaluator } = require("csp_evaluator/dist/evaluator.js");
const { CspParser } = require("csp_evaluator/dist/parser.js");
const { Severity, Type } = require("csp_evaluator/dist/finding.js");

const policy = process.argv[2];
if (process.argv.length !== 3 || !policy || !policy.trim()) {
  console.error('usage: node csp_evaluate.mjs "<policy>"');
  process.exit(2);
}

const parsed = new CspParser(policy).csp;
const findings = new CspEvaluator(parsed).evaluate().map((f) => ({
  severity: Severity[f.severity] ?? String(f.severity),
  severity_value: f.severity,
  type: Type[f.type] ?? String(f.type),
  directive: f.directive,
  value: f.value ?? null,
  description: f.description,
}));
findings.sort((a, b) => a.severity_value - b.severity_value);
const highest = findings.length ? findings[0].severity : "NONE";

console.log(JSON.stringify({ policy, highest, findings }, null, 2));
process.exit(findings.some((f) => f.severity_value === Severity.HIGH) ? 1 : 0);
