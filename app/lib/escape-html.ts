/**
 * Text to HTML (element content and quoted attribute values), for every page and e-mail we render
 * by hand. Braces are escaped too: Shopify renders the app proxy's page as Liquid, and a carrier
 * text holding "{{ customer.email }}" must reach the reader as text. Entities look the same to a
 * reader, in a browser or a mail client.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
  "{": "&#123;",
  "}": "&#125;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`{}]/g, (character) => ESCAPES[character]!);
}
