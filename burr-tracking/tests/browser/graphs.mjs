// Opens the Graph tab of one app per graph (every tracked example's, the demo projects', the
// walkthrough's and Apache Burr's demo apps') in headless Chromium, in the light and dark
// themes at 1400 and 800 px, and checks that the picture reads: no two edge labels overlap,
// and no input node sits on a row of actions. Saves a screenshot of each. Run by
// tests/browser.rs, which starts the server and sets:
//   BURR_URL          the server's base URL
//   BURR_GRAPH_APPS   a JSON list of "project/app", one app per graph
//   BURR_SCREENSHOTS  where to save screenshots
//   CHROMIUM          the browser binary
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { check, launch, report, stopped } from "./harness.mjs";

const base = process.env.BURR_URL;
const apps = JSON.parse(process.env.BURR_GRAPH_APPS || "[]");
const shots = join(process.env.BURR_SCREENSHOTS, "graphs");
mkdirSync(shots, { recursive: true });


const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => {
  if (m.type() === "error") errors.push(m.text());
});
page.setDefaultTimeout(10000);

/** What the picture in the Graph tab shows: the boxes (on screen) of its edge labels, its
 * action nodes and its input nodes. */
const measure = () => page.$eval("#graph-large", (svg) => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { l: r.left, r: r.right, t: r.top, b: r.bottom };
  };
  return {
    labels: [...svg.querySelectorAll("text.elabel")].map((t) => ({ text: t.firstChild.nodeValue, ...box(t) })),
    actions: [...svg.querySelectorAll(".node:not(.input) rect")].map((r) => ({ name: r.parentNode.dataset.action, ...box(r) })),
    inputs: [...svg.querySelectorAll(".node.input rect")].map((r) => ({ name: r.parentNode.querySelector("text").textContent, ...box(r) })),
  };
});

/** Whether two boxes share more than a sliver (`by` pixels each way). */
const overlaps = (a, b, by = 0.5) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > by && Math.min(a.b, b.b) - Math.max(a.t, b.t) > by;

try {
  check(apps.length >= 15, `graphs to check: ${apps.length}`);
  await page.goto(base);
  await page.waitForSelector("tr[data-project]");
  let labelsSeen = 0;
  let inputsSeen = 0;
  for (const theme of ["light", "dark"]) {
    for (let i = 0; i < 3 && (await page.textContent("#theme")) !== `theme: ${theme}`; i++) await page.click("#theme");
    check((await page.textContent("#theme")) === `theme: ${theme}`, `the ${theme} theme is on`);
    for (const width of [1400, 800]) {
      await page.setViewportSize({ width, height: 900 });
      for (const app of apps) {
        const [project, appId] = app.split("/");
        await page.goto(`${base}#/project/${encodeURIComponent(project)}/app/${encodeURIComponent(appId)}?tab=graph`);
        await page.waitForSelector("#graph-large");
        const inputsBox = await page.$(".graphbox label.hint input");
        if (inputsBox && !(await inputsBox.isChecked())) {
          await inputsBox.click();
          await page.waitForSelector(".graphbox label.hint input:checked");
          await page.waitForSelector("#graph-large");
        }
        await page.click("#graph-fit");
        await page.mouse.move(0, 0);
        const m = await measure();
        labelsSeen += m.labels.length;
        inputsSeen += m.inputs.length;
        const clashes = [];
        for (let i = 0; i < m.labels.length; i++) {
          for (let j = i + 1; j < m.labels.length; j++) {
            if (overlaps(m.labels[i], m.labels[j])) clashes.push(`"${m.labels[i].text}" / "${m.labels[j].text}"`);
          }
        }
        check(clashes.length === 0, `${app} (${theme}, ${width} px): ${m.labels.length} edge labels, none overlapping${clashes.length ? `: ${clashes.join(", ")}` : ""}`);
        const onRow = m.inputs.flatMap((inp) => m.actions.filter((a) => Math.min(inp.b, a.b) - Math.max(inp.t, a.t) > 0.5).map((a) => `${inp.name} beside ${a.name}`));
        check(onRow.length === 0, `${app} (${theme}, ${width} px): ${m.inputs.length} inputs, none on a row of actions${onRow.length ? `: ${onRow.join(", ")}` : ""}`);
        const slug = app.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 80);
        await (await page.$(".biggraph")).screenshot({ path: join(shots, `${slug}-${theme}-${width}.png`) });
      }
    }
  }
  check(labelsSeen > 0 && inputsSeen > 0, `the graphs had edge labels (${labelsSeen}) and inputs (${inputsSeen}) to check`);
  check(errors.length === 0, `no page errors ${[...new Set(errors)].slice(0, 5).join(" | ").slice(0, 2000)}`);
} catch (e) {
  await stopped(e, page, join(shots, "failure.png"));
} finally {
  await browser.close();
}

report("graphs passed");
