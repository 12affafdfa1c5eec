// What the browser scripts share: their checks, the browser they drive and how they end.
import { chromium } from "playwright-core";

/** The checks that failed, and the errors that stopped a script. */
export const problems = [];

/** Notes a check, passed or failed, on standard output. */
export function check(cond, what) {
  if (!cond) problems.push(what);
  console.log(`${cond ? "ok  " : "FAIL"} ${what}`);
}

/** Headless Chromium (`CHROMIUM`, else Debian's). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
}

/** Notes the error that stopped a script, with a screenshot of the page where it stopped. */
export async function stopped(error, page, screenshot) {
  problems.push(String(error && error.stack ? error.stack : error));
  console.log(`FAIL ${error}`);
  await page.screenshot({ path: screenshot }).catch(() => {});
}

/** Ends a script: exit status 1 when anything failed, else `passed` on standard output. */
export function report(passed) {
  if (problems.length) {
    console.log(`${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(passed);
}
