// The Insights tab of an app with more steps than the page loads: the app's part shows the
// server's sums over all its steps, and says so. Run by tests/browser.rs, which writes the app
// and starts the server, and sets:
//   BURR_URL          the server's base URL
//   BURR_APP          "project/app" of the app (its second newest step makes an LLM call)
//   BURR_EXPECT       a JSON object: steps, calls, input, output (numbers) and cost (text)
//   BURR_SCREENSHOTS  where to save screenshots
//   CHROMIUM          the browser binary
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { check, launch, report } from "./harness.mjs";

const base = process.env.BURR_URL;
const [project, app] = process.env.BURR_APP.split("/");
const want = JSON.parse(process.env.BURR_EXPECT);
const shots = process.env.BURR_SCREENSHOTS;
mkdirSync(shots, { recursive: true });


const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: "en-US" });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => {
  if (m.type() === "error") errors.push(m.text());
});
page.setDefaultTimeout(20000);

try {
  await page.goto(`${base}#/project/${project}/app/${app}?seq=${want.steps - 2}&tab=insights`);
  await page.waitForSelector("#step-insights");
  const loaded = await page.$$eval("tr.step", (rows) => rows.length);
  check(loaded > 0 && loaded < want.steps, `the page loads some of the steps: ${loaded} of ${want.steps}`);
  await page.waitForSelector("#app-insights");
  const title = await page.textContent("#app-insights-title");
  check(title === `This app (all ${want.steps.toLocaleString("en-US")} steps)`, `the app's part says it covers all steps: ${title}`);
  const text = await page.textContent("#app-insights");
  const number = (label) => Number(((new RegExp(`${label}\\s*([\\d,]+)`).exec(text) || [])[1] || "").replace(/,/g, ""));
  check(number("LLM calls") === want.calls, `all the app's LLM calls: ${number("LLM calls")}`);
  check(number("Input tokens") === want.input, `all the app's input tokens: ${number("Input tokens")}`);
  check(number("Output tokens") === want.output, `all the app's output tokens: ${number("Output tokens")}`);
  check(text.includes(want.cost), `the app's cost: ${text.slice(0, 200)}`);
  const llm = await page.textContent('#app-insights tr[data-span-name="llm"]');
  check(llm.includes(want.calls.toLocaleString("en-US")), `the app's llm spans: ${llm}`);
  const step = await page.textContent("#step-insights");
  check(/LLM calls\s*1\s*Input tokens\s*10\s*Output tokens\s*5\s*Cost\s*\$0\.2500/.test(step), `the step's part is the selected step's own: ${step.slice(0, 80)}`);
  await page.screenshot({ path: join(shots, "insights-all-steps.png") });
  check(errors.length === 0, `no errors in the page: ${errors.join(" | ")}`);
} catch (e) {
  check(false, `the walkthrough ran to its end: ${e}`);
} finally {
  await browser.close();
}
report("insights passed");
