// Apache Burr's own UI (the React build shipped in its Python package) against this server:
// its pages are served from the build folder and every `/api` request it makes goes to this
// server. Opens the projects, a project's apps, an app with each tab, and the annotations page;
// fails on any API answer of 400 or more and on page errors. Run by tests/browser.rs with:
//   BURR_URL          this server's base URL (demo projects and an annotation in its folder)
//   BURR_UI_BUILD     the build folder of Burr's UI
//   BURR_APP          project/app_id of an app to open
//   BURR_SCREENSHOTS  where to save screenshots
//   CHROMIUM          the browser binary
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { check, launch, report, stopped } from "./harness.mjs";

const base = process.env.BURR_URL.replace(/\/$/, "");
const build = process.env.BURR_UI_BUILD;
const [project, appId] = process.env.BURR_APP.split("/");
const shots = process.env.BURR_SCREENSHOTS;
const ORIGIN = "http://burr-ui.test";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".png": "image/png", ".ico": "image/x-icon", ".svg": "image/svg+xml", ".txt": "text/plain", ".woff2": "font/woff2" };


const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
page.setDefaultTimeout(15000);
const failures = [];
const apiCalls = [];
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
await page.route("**/*", async (route) => {
  const url = new URL(route.request().url());
  if (url.origin !== ORIGIN) return route.abort();
  if (url.pathname.startsWith("/api/")) {
    const response = await route.fetch({ url: `${base}${url.pathname}${url.search}`, headers: { ...route.request().headers(), host: new URL(base).host, origin: base } });
    apiCalls.push(`${route.request().method()} ${url.pathname}`);
    if (response.status() >= 400) failures.push(`${response.status()} ${route.request().method()} ${url.pathname}${url.search}`);
    return route.fulfill({ response });
  }
  // The build's files; any other path is the single page's index.
  let file = normalize(join(build, decodeURIComponent(url.pathname)));
  if (!file.startsWith(build) || !existsSync(file) || statSync(file).isDirectory()) file = join(build, "index.html");
  return route.fulfill({ status: 200, contentType: TYPES[extname(file)] || "application/octet-stream", body: readFileSync(file) });
});

try {
  await page.goto(`${ORIGIN}/projects`);
  // Burr's UI shows a `demo_` project as a "demo" badge and the rest of its name.
  await page.waitForFunction((p) => document.body.innerText.includes(p), project.replace(/^demo_/, ""));
  check(true, `Burr's projects page lists ${project}`);
  await page.screenshot({ path: join(shots, "burr-ui-1-projects.png") });

  await page.goto(`${ORIGIN}/project/${project}`);
  await page.waitForFunction((a) => document.body.innerText.includes(a), appId);
  check(true, `Burr's app list shows ${appId}`);
  await page.screenshot({ path: join(shots, "burr-ui-2-apps.png") });

  await page.goto(`${ORIGIN}/project/${project}/null/${appId}`);
  await page.waitForFunction(() => document.querySelectorAll("tr").length > 3);
  check(true, "Burr's app view draws its steps");
  await page.locator("tr", { hasText: "success" }).first().click();
  await page.waitForTimeout(500);
  for (const tab of ["Data", "Code", "Reproduce", "Insights", "Annotations"]) {
    try {
      await page.locator(`text="${tab}" >> visible=true`).first().click({ timeout: 5000 });
      await page.waitForTimeout(400);
      check(true, `Burr's ${tab} tab opens`);
    } catch (e) {
      check(false, `Burr's ${tab} tab opens: ${e}`);
    }
  }
  await page.screenshot({ path: join(shots, "burr-ui-3-app.png") });

  await page.goto(`${ORIGIN}/annotations/${project}/`);
  await page.waitForFunction(() => document.body.innerText.includes("looks right"));
  check(true, "Burr's annotations page shows the annotation written through this server");
  await page.screenshot({ path: join(shots, "burr-ui-4-annotations.png") });

  check(apiCalls.some((c) => c.includes("/annotations")), "Burr's UI asked this server for annotations");
  check(failures.length === 0, `no API answer of 400 or more: ${failures.join(", ")}`);
  check(errors.length === 0, `no page errors: ${errors.slice(0, 3).join(" | ").slice(0, 1000)}`);
} catch (e) {
  await stopped(e, page, join(shots, "burr-ui-failure.png"));
} finally {
  await browser.close();
}
console.log(`API calls: ${[...new Set(apiCalls)].join(", ")}`);
report("Burr's UI walkthrough passed");
