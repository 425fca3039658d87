// The build's own list of its widgets (dist/widgets.json, written by prerender from the
// widget registry): every gate that visits widgets reads it, so a new widget is covered by
// each of them without editing a test.
import { readFileSync } from "node:fs";

const manifest = JSON.parse(readFileSync(new URL("../../dist/widgets.json", import.meta.url), "utf8"));

/** Each widget: id, title, kind, settings, embed and oembed paths, pages, reserved heights. */
export const WIDGETS = manifest.widgets;
/** One embed page per widget, as a path from the site's root. */
export const EMBEDS = WIDGETS.map((w) => `/${w.embed}`);
