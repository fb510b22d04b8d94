import { createContext, useContext, useMemo, type ReactNode } from "react";
import { createTranslator, DEFAULT_LOCALE, type Translate } from "./catalogue";

const TranslatorContext = createContext<(Translate & { locale: string }) | null>(null);

/** Makes `useT()` speak the merchant's admin language below it. */
export function I18nProvider({ locale, children }: { locale: string; children: ReactNode }) {
  const translator = useMemo(() => createTranslator(locale), [locale]);
  return <TranslatorContext.Provider value={translator}>{children}</TranslatorContext.Provider>;
}

/** The translator of the nearest `I18nProvider` (English outside one, e.g. in error pages). */
export function useT(): Translate & { locale: string } {
  return useContext(TranslatorContext) ?? createTranslator(DEFAULT_LOCALE);
}
