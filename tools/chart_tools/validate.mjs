// Validates every object of rendered multi-document YAML files against the Kubernetes API schemas
// (npm kubernetes-models, OpenAPI of Kubernetes 1.33) and the prometheus-operator CRD schemas
// (npm @kubernetes-models/prometheus-operator), offline. Prints one line per object and
// `N passed, N failed`; exits 1 if any object fails.
//
// These schemas catch wrong types, missing required fields and unknown apiVersion/kind pairs
// (including APIs removed from Kubernetes, such as extensions/v1beta1 Deployments); they do not
// reject unknown fields, which the golden snapshots catch.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const removed = new Set(["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2", "policy/v1beta1",
  "autoscaling/v2beta1", "autoscaling/v2beta2", "networking.k8s.io/v1beta1", "batch/v1beta1"]);

async function modelFor(apiVersion, kind) {
  if (removed.has(apiVersion)) throw new Error(`${apiVersion} is removed from Kubernetes >= 1.25`);
  const module = apiVersion.startsWith("monitoring.coreos.com/")
    ? `@kubernetes-models/prometheus-operator/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  let exports;
  try {
    exports = await import(module);
  } catch {
    throw new Error(`unknown apiVersion ${apiVersion}`);
  }
  if (typeof exports[kind] !== "function") throw new Error(`unknown kind ${kind} in ${apiVersion}`);
  return exports[kind];
}

let passed = 0, failed = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.log(`FAIL ${file}: YAML: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    const what = `${file}: ${obj.kind}/${obj.metadata?.name}`;
    try {
      const Model = await modelFor(obj.apiVersion, obj.kind);
      new Model(obj).validate();
      passed++;
    } catch (e) {
      console.log(`FAIL ${what}: ${e.message}`);
      failed++;
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
