/**
 * Shopify's search syntax (the `query:` argument): terms joined by whitespace (AND), `AND`/`OR`
 * keywords (AND binds tighter), `NOT` or a leading `-` to negate, parentheses, `field:value` with
 * `:>`, `:>=`, `:<`, `:<=`, quoted values with '…' or "…", and bare words for free text.
 * Unknown fields are ignored and reported in `extensions.search` warnings, as Shopify does.
 */

export type Comparator = "=" | ">" | ">=" | "<" | "<=";

export interface SearchWarning {
  field: string;
  message: string;
}

export type Predicate<T> = (item: T) => boolean;

/** Returns a predicate, or a warning message when the value is unusable (the term is then ignored). */
export type FieldCompiler<T> = (comparator: Comparator, value: string) => Predicate<T> | { warning: string };

export interface SearchSpec<T> {
  fields: Record<string, FieldCompiler<T>>;
  freeText(text: string): Predicate<T>;
}

type Token = { kind: "word"; text: string; quoted: boolean } | { kind: "(" } | { kind: ")" };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")") {
      tokens.push({ kind: ch });
      i++;
      continue;
    }
    let text = "";
    let quoted = false;
    while (i < query.length && !/\s/.test(query[i]!) && query[i] !== ")" && !(query[i] === "(" && text === "")) {
      const c = query[i]!;
      if (c === '"' || c === "'") {
        const end = query.indexOf(c, i + 1);
        const stop = end === -1 ? query.length : end;
        // Only a fully quoted token is a literal; `field:'value'` is still a field term.
        if (text === "") quoted = true;
        text += query.slice(i + 1, stop);
        i = stop + 1;
        continue;
      }
      if (c === "\\" && i + 1 < query.length) {
        text += query[i + 1];
        i += 2;
        continue;
      }
      text += c;
      i++;
    }
    tokens.push({ kind: "word", text, quoted });
  }
  return tokens;
}

interface Node<T> {
  test: Predicate<T>;
}

export function compileSearch<T>(query: string | null | undefined, spec: SearchSpec<T>): { predicate: Predicate<T>; warnings: SearchWarning[] } {
  const warnings: SearchWarning[] = [];
  if (!query || !query.trim()) return { predicate: () => true, warnings };
  const tokens = tokenize(query);
  let pos = 0;
  const peekWord = (): string | null => {
    const t = tokens[pos];
    return t && t.kind === "word" && !t.quoted ? t.text : null;
  };

  const parseOr = (): Node<T> => {
    const parts = [parseAnd()];
    while (peekWord() === "OR") {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0]! : { test: (x) => parts.some((p) => p.test(x)) };
  };

  const parseAnd = (): Node<T> => {
    const parts: Node<T>[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos]!;
      if (t.kind === ")") break;
      const w = peekWord();
      if (w === "OR") break;
      if (w === "AND") {
        pos++;
        continue;
      }
      parts.push(parseUnary());
    }
    return { test: (x) => parts.every((p) => p.test(x)) };
  };

  const parseUnary = (): Node<T> => {
    const t = tokens[pos]!;
    if (t.kind === "word" && !t.quoted && t.text === "NOT") {
      pos++;
      const inner = parseUnary();
      return { test: (x) => !inner.test(x) };
    }
    if (t.kind === "(") {
      pos++;
      const inner = parseOr();
      if (tokens[pos]?.kind === ")") pos++;
      return inner;
    }
    pos++;
    if (t.kind === ")") return { test: () => true };
    let text = t.text;
    let negate = false;
    if (!t.quoted && text.startsWith("-") && text.length > 1) {
      negate = true;
      text = text.slice(1);
    }
    const node = term(text, t.quoted);
    return negate ? { test: (x) => !node.test(x) } : node;
  };

  const term = (text: string, quoted: boolean): Node<T> => {
    const colon = quoted ? -1 : text.indexOf(":");
    if (colon <= 0) return { test: spec.freeText(text) };
    const field = text.slice(0, colon).toLowerCase();
    let rest = text.slice(colon + 1);
    let comparator: Comparator = "=";
    const m = /^(>=|<=|>|<)/.exec(rest);
    if (m) {
      comparator = m[1] as Comparator;
      rest = rest.slice(m[1]!.length);
    }
    const compile = spec.fields[field];
    if (!compile) {
      warnings.push({ field, message: "Invalid search field for this query." });
      return { test: () => true };
    }
    const compiled = compile(comparator, rest);
    if (typeof compiled !== "function") {
      warnings.push({ field, message: compiled.warning });
      return { test: () => true };
    }
    return { test: compiled };
  };

  const root = parseOr();
  return { predicate: root.test, warnings };
}

/** Compares with the given comparator; `=` is equality. */
export function compare(left: number, comparator: Comparator, right: number): boolean {
  switch (comparator) {
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    default:
      return left === right;
  }
}

/**
 * A date term. A bare `YYYY-MM-DD` means that whole day in the shop's time zone, so `>=` starts at
 * its midnight, `>` after its end, `<` before its start, `<=` up to its end, `=` within it. [U]
 * A timestamp compares as an instant (no offset → UTC).
 */
export function dateCompiler<T>(
  pick: (item: T) => Date | null,
  dayStart: (y: number, m: number, d: number) => Date,
  now: () => Date,
): FieldCompiler<T> {
  return (comparator, value) => {
    const v = value.trim();
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    const instant = (t: number) => (item: T) => {
      const d = pick(item);
      return d !== null && compare(d.getTime(), comparator, t);
    };
    if (day) {
      const start = dayStart(Number(day[1]), Number(day[2]), Number(day[3])).getTime();
      const end = dayStart(Number(day[1]), Number(day[2]), Number(day[3]) + 1).getTime();
      return (item: T) => {
        const d = pick(item);
        if (d === null) return false;
        const t = d.getTime();
        switch (comparator) {
          case ">=":
            return t >= start;
          case ">":
            return t >= end;
          case "<":
            return t < start;
          case "<=":
            return t < end;
          default:
            return t >= start && t < end;
        }
      };
    }
    if (v === "now") return instant(now().getTime());
    const rel = /^now([+-])(\d+)(minute|hour|day|week|month|year)s?$/i.exec(v);
    if (rel) {
      const unitMs: Record<string, number> = { minute: 60e3, hour: 3600e3, day: 86400e3, week: 7 * 86400e3, month: 30 * 86400e3, year: 365 * 86400e3 };
      const delta = Number(rel[2]) * unitMs[rel[3]!.toLowerCase()]! * (rel[1] === "-" ? -1 : 1);
      return instant(now().getTime() + delta);
    }
    const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) || !v.includes("T") ? v : `${v}Z`);
    if (Number.isNaN(t)) return { warning: `Invalid date: ${value}` };
    return instant(t);
  };
}
