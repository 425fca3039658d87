// No interaction runs a task over 50 ms: each widget driven at its largest documented setting
// (tests/e2e/workloads.mjs, the same workloads `make bench` reports), with every long task
// recorded by a PerformanceObserver. The B-tree, retry and transactions tests assert the
// same of their widgets' heaviest interactions; these are the JSON and DNS widgets'.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WORKLOADS, quietest } from "./workloads.mjs";
import { WIDGETS } from "./widgets.mjs";

const site = useSite();

test("every widget the build lists has a workload at its largest setting", () => {
  assert.ok(WIDGETS.length >= 5, "dist/widgets.json lists the widgets");
  const missing = WIDGETS.map((w) => w.id).filter((id) => !WORKLOADS.some((w) => w.widget === id));
  assert.deepEqual(missing, [], "add each to tests/e2e/workloads.mjs");
});

for (const w of WORKLOADS.filter((w) => ["json-inspector", "dns-lookup"].includes(w.widget))) {
  test(`${w.widget}: ${w.label}, with no task over 50 ms`, async () => {
    const tasks = await quietest(site.browser, site.origin, w);
    assert.deepEqual(tasks.map((t) => Math.round(t.duration)), [], `long tasks (ms) while driving ${w.widget}`);
  });
}

// At 6 times the workload passed one CI try (its slices stop by the clock, so a slower CPU
// mostly makes more slices): 20 times slows single steps of work past 50 ms every time.
test("calibration: on a CPU slowed 20 times, the sharding workload has a long task on every try", async () => {
  const w = WORKLOADS.find((x) => x.widget === "sharding");
  const tasks = await quietest(site.browser, site.origin, w, { rate: 20 });
  assert.ok(tasks.length > 0, "a widget too slow for one task must fail the gate, retries and all");
});
