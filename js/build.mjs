// Bundles js/index.ts into one ES module (+ its CSS) inside the Python package.
import { build } from "esbuild";

const watch = process.argv.includes("--watch");

const options = {
  entryPoints: { index: "js/index.ts", compare: "js/compare_index.ts", snapshot: "js/snapshot.ts" },
  outdir: "rnnvis_widget/static",
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: !watch,
  sourcemap: false,
  logLevel: "info",
  // Deterministic output: snapshots must be byte-identical for the same inputs.
  legalComments: "none",
};

if (watch) {
  const { context } = await import("esbuild");
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
