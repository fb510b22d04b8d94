/**
 * A tiny tagged template for server-rendered HTML. Every interpolated value is escaped (text and
 * attribute values alike, so attributes must be quoted in the template) unless it is itself the
 * output of `html`; arrays are joined. Carrier texts reach the storefront verbatim from carriers'
 * APIs, so nothing may be interpolated raw by accident: there is no "raw" escape hatch.
 */

import { escapeHtml } from "~/lib/escape-html";

export { escapeHtml };

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function renderValue(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let index = 0; index < values.length; index += 1) out += renderValue(values[index]!) + strings[index + 1]!;
  return new SafeHtml(out);
}

/**
 * The URL when it is an absolute http(s) URL, else null: a carrier's tracking link or an image URL
 * comes from outside, and `javascript:` or `data:` must never become a link or an image source.
 */
export function httpUrl(candidate: string | null | undefined): string | null {
  if (!candidate) return null;
  try {
    const url = new URL(candidate);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
