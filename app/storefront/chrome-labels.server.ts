/**
 * The tracking page's fixed wording (form fields, section headings, status messages). One source:
 * the theme app extension's storefront locale files, which the Liquid block reads through the `t`
 * filter, so the block and the server-rendered page say the same words. The changing texts
 * (headlines, steps, dates) come already localised in the view model (app/i18n/storefront/).
 */
import type { StorefrontLocale } from "~/domain/tracking-page-contract";
import de from "../../extensions/tracking-page/locales/de.json";
import en from "../../extensions/tracking-page/locales/en.default.json";
import es from "../../extensions/tracking-page/locales/es.json";
import fr from "../../extensions/tracking-page/locales/fr.json";

export type StorefrontChromeLabels = (typeof en)["tracking_page"];

const LABELS: Readonly<Record<StorefrontLocale, StorefrontChromeLabels>> = {
  en: en.tracking_page,
  fr: fr.tracking_page,
  de: de.tracking_page,
  es: es.tracking_page,
};

export function storefrontChromeLabels(locale: StorefrontLocale): StorefrontChromeLabels {
  return LABELS[locale] ?? LABELS.en;
}

/** Fills Liquid-style placeholders (`{{ name }}`), the syntax Shopify's `t` filter uses in the same files. */
export function fillLabel(label: string, params: Readonly<Record<string, string | number>>): string {
  return label.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}
