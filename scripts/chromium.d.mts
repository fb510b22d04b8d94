export const DEFAULT_CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: string[];
export function chromiumPath(): string;
export function ensureChromium(): string;
