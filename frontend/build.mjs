// Builds the pages' assets into ../static/build, where Django's static files (and whitenoise)
// serve them: the site stylesheet (govuk-frontend compiled with the LGA's settings) and
// govuk-frontend's scripts with the one module that starts them. No CDN, no download.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static", "build");
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(out, { recursive: true });

const css = sass.compile(join(here, "scss", "site.scss"), {
  loadPaths: [join(here, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "site.css"), css.css + "\n");

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
copyFileSync(join(here, "js", "site.mjs"), join(out, "site.mjs"));
console.log(`built ${out}`);
