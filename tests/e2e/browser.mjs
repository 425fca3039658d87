// Launches Debian's Chromium through playwright-core. Nothing is downloaded: the browser is
// the system one, and the flags keep it from contacting any outside service.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Every page opened in this browser starts its widget bundles at once, instead of when a
 * widget nears the screen, so tests need not scroll first. `newLazyContext` opts out. */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    ],
  });
  const plain = browser.newContext.bind(browser);
  browser.newLazyContext = plain;
  browser.newContext = async (options) => {
    const ctx = await plain(options);
    await ctx.addInitScript(() => { window.__techbasicsEager = true; });
    return ctx;
  };
  return browser;
}
