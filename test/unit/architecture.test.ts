import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Layering rules (routes → services → domain; adapters implement domain ports):
 * - domain is pure: no framework, database, Node, network, environment or server-only code;
 * - routes reach providers only through services;
 * - adapters never call back up into services, jobs or routes.
 * Imports are read with the TypeScript parser, so comments and strings never count, and
 * relative imports are resolved to their `~/` path before the rules are applied.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const APP = join(ROOT, "app");

interface ImportSite {
  specifier: string;
  /** The specifier as a `~/` path when it points into app/, else the specifier itself. */
  resolved: string;
  line: number;
}

interface Usage {
  what: string;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function toAppAlias(specifier: string, fromFile: string): string {
  if (!specifier.startsWith(".")) return specifier;
  const absolute = resolve(dirname(fromFile), specifier);
  const inApp = relative(APP, absolute);
  if (inApp.startsWith("..")) return specifier;
  return `~/${inApp.split(sep).join(posix.sep)}`;
}

function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

/** Every module a file depends on: static imports and re-exports (type-only included), import(), require(), import types. */
function importsOf(fileName: string, text: string): ImportSite[] {
  const source = parse(fileName, text);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    sites.push({
      specifier: literal.text,
      resolved: toAppAlias(literal.text, fileName),
      line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** `process.env` (any access form) and calls to the global `fetch`. */
function forbiddenGlobalsOf(fileName: string, text: string): Usage[] {
  const source = parse(fileName, text);
  const found: Usage[] = [];
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const isProcess = (node: ts.Node) =>
    (ts.isIdentifier(node) && node.text === "process") ||
    (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "globalThis" && node.name.text === "process");
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === "env" && isProcess(node.expression)) {
      found.push({ what: "process.env", line: line(node) });
    } else if (ts.isElementAccessExpression(node) && isProcess(node.expression) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === "env") {
      found.push({ what: "process.env", line: line(node) });
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isFetch =
        (ts.isIdentifier(callee) && callee.text === "fetch") ||
        (ts.isPropertyAccessExpression(callee) && callee.name.text === "fetch" && ts.isIdentifier(callee.expression) && ["globalThis", "window", "global", "self"].includes(callee.expression.text));
      if (isFetch) found.push({ what: "fetch(", line: line(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, name.split("/")[0]!]));

type Rule = [description: string, test: (resolved: string) => boolean];

const isServerModule = (resolved: string) => /\.server(\.[cm]?[jt]sx?)?$/.test(resolved) || /\.server\//.test(resolved);

const DOMAIN_RULES: Rule[] = [
  ["@remix-run/*", (m) => m.startsWith("@remix-run/")],
  ["@prisma/*", (m) => m.startsWith("@prisma/")],
  ["~/generated", (m) => m === "~/generated" || m.startsWith("~/generated/")],
  ["node:*", (m) => m.startsWith("node:")],
  ["a Node built-in", (m) => NODE_BUILTINS.has(m) || NODE_BUILTINS.has(m.split("/")[0]!)],
  ["~/adapters", (m) => m === "~/adapters" || m.startsWith("~/adapters/")],
  ["~/services", (m) => m === "~/services" || m.startsWith("~/services/")],
  ["~/db", (m) => m === "~/db" || m.startsWith("~/db/") || m.startsWith("~/db.")],
  ["~/jobs", (m) => m === "~/jobs" || m.startsWith("~/jobs/")],
  ["~/lib/*.server", (m) => m.startsWith("~/lib/") && isServerModule(m)],
  ["a *.server module", isServerModule],
];

const ROUTE_RULES: Rule[] = [["~/adapters (routes go through services)", (m) => m === "~/adapters" || m.startsWith("~/adapters/")]];

const ADAPTER_RULES: Rule[] = [
  ["~/services", (m) => m === "~/services" || m.startsWith("~/services/")],
  ["~/jobs", (m) => m === "~/jobs" || m.startsWith("~/jobs/")],
  ["~/routes", (m) => m === "~/routes" || m.startsWith("~/routes/")],
];

function importViolations(fileName: string, text: string, rules: Rule[]): string[] {
  const shown = relative(ROOT, fileName).split(sep).join(posix.sep);
  const violations: string[] = [];
  for (const site of importsOf(fileName, text)) {
    for (const [description, matches] of rules) {
      if (matches(site.resolved)) {
        const via = site.resolved === site.specifier ? "" : ` (= ${site.resolved})`;
        violations.push(`${shown}:${site.line} imports "${site.specifier}"${via}, which matches the forbidden ${description}`);
        break;
      }
    }
  }
  return violations;
}

function globalViolations(fileName: string, text: string): string[] {
  const shown = relative(ROOT, fileName).split(sep).join(posix.sep);
  return forbiddenGlobalsOf(fileName, text).map((usage) => `${shown}:${usage.line} uses ${usage.what}`);
}

function scan(dir: string, check: (file: string, text: string) => string[]): { files: number; violations: string[] } {
  const files = sourceFiles(dir);
  return { files: files.length, violations: files.flatMap((file) => check(file, readFileSync(file, "utf8"))) };
}

describe("architecture", () => {
  it("domain modules import no framework, database, Node, adapter, service, job or server-only code", () => {
    const { files, violations } = scan(join(APP, "domain"), (file, text) => importViolations(file, text, DOMAIN_RULES));
    expect(files).toBeGreaterThan(5);
    expect(violations, `domain must stay pure:\n${violations.join("\n")}`).toEqual([]);
  });

  it("domain modules neither read process.env nor call fetch", () => {
    const { files, violations } = scan(join(APP, "domain"), globalViolations);
    expect(files).toBeGreaterThan(5);
    expect(violations, `domain must stay pure:\n${violations.join("\n")}`).toEqual([]);
  });

  it("routes never import adapters directly", () => {
    const { files, violations } = scan(join(APP, "routes"), (file, text) => importViolations(file, text, ROUTE_RULES));
    expect(files).toBeGreaterThan(5);
    expect(violations, `routes → services only:\n${violations.join("\n")}`).toEqual([]);
  });

  it("adapters import nothing from services, jobs or routes", () => {
    const { files, violations } = scan(join(APP, "adapters"), (file, text) => importViolations(file, text, ADAPTER_RULES));
    expect(files).toBeGreaterThan(5);
    expect(violations, `adapters must not depend on callers:\n${violations.join("\n")}`).toEqual([]);
  });
});

// The checks above only mean something if the scanner finds what it should: exercise it on fixtures.
describe("architecture scanner", () => {
  const domainFile = join(APP, "domain", "fixture.ts");

  it.each([
    ['import { json } from "@remix-run/node";', "@remix-run/*"],
    ['import type { PrismaClient } from "@prisma/client";', "@prisma/*"],
    ['import type { Shipment } from "~/generated/prisma-sqlite/client";', "~/generated"],
    ['import { createHash } from "node:crypto";', "node:*"],
    ['import { readFileSync } from "fs";', "a Node built-in"],
    ['import { observationFromV4 } from "~/adapters/trackingmore/mappers";', "~/adapters"],
    ['import { observationFromV4 } from "../adapters/trackingmore/mappers";', "~/adapters"],
    ['export { pollShipments } from "~/services/poll-shipments.server";', "~/services"],
    ['import { db } from "~/db.server";', "~/db"],
    ['import { database } from "~/db/database.server";', "~/db"],
    ['const jobs = await import("~/jobs/job-types");', "~/jobs"],
    ['import { hmacSha256Hex } from "~/lib/crypto.server";', "~/lib/*.server"],
    ['import { config } from "../config.server";', "a *.server module"],
    ['const x = require("~/shopify.server");', "a *.server module"],
    ['let t: import("@prisma/client").PrismaClient;', "@prisma/*"],
  ])("flags %s", (source, rule) => {
    const violations = importViolations(domainFile, source, DOMAIN_RULES);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("app/domain/fixture.ts:1");
    expect(violations[0]).toContain(rule);
  });

  it("ignores allowed imports and mentions in comments and strings", () => {
    const source = [
      'import { z } from "zod";',
      'import type { ShipmentStatus } from "./shipment-status";',
      'import { normalizeTrackingNumber } from "~/domain/carriers/detect";',
      '// import { db } from "~/db.server";',
      '/* fetch("https://example.com"); process.env.SECRET */',
      'const note = "see ~/adapters/trackingmore and process.env";',
      "const prefetch = (x: { fetch(): void }) => x.fetch();",
    ].join("\n");
    expect(importViolations(domainFile, source, DOMAIN_RULES)).toEqual([]);
    expect(globalViolations(domainFile, source)).toEqual([]);
  });

  it("flags process.env and fetch in their usual forms, with line numbers", () => {
    const source = ["const a = process.env.SECRET;", 'const b = process["env"];', "await fetch(url);", "await globalThis.fetch(url);", "const { env } = globalThis.process.env;"].join("\n");
    expect(globalViolations(domainFile, source)).toEqual([
      "app/domain/fixture.ts:1 uses process.env",
      "app/domain/fixture.ts:2 uses process.env",
      "app/domain/fixture.ts:3 uses fetch(",
      "app/domain/fixture.ts:4 uses fetch(",
      "app/domain/fixture.ts:5 uses process.env",
    ]);
  });

  it("resolves relative imports of routes and adapters before applying the rules", () => {
    const route = join(APP, "routes", "webhooks.fixture.tsx");
    expect(importViolations(route, 'import { x } from "../adapters/trackingmore/webhook.server";', ROUTE_RULES)).toEqual([
      'app/routes/webhooks.fixture.tsx:1 imports "../adapters/trackingmore/webhook.server" (= ~/adapters/trackingmore/webhook.server), which matches the forbidden ~/adapters (routes go through services)',
    ]);
    expect(importViolations(route, 'import { x } from "~/services/receive-webhooks.server";', ROUTE_RULES)).toEqual([]);
    const adapter = join(APP, "adapters", "trackingmore", "fixture.ts");
    expect(importViolations(adapter, 'import { x } from "../../services/poll-shipments.server";', ADAPTER_RULES)).toHaveLength(1);
    expect(importViolations(adapter, 'import type { JobType } from "~/jobs/job-types";', ADAPTER_RULES)).toHaveLength(1);
    expect(importViolations(adapter, 'import { loader } from "~/routes/app";', ADAPTER_RULES)).toHaveLength(1);
    expect(importViolations(adapter, 'import { mapTrackingMoreStatus } from "./status-codes";', ADAPTER_RULES)).toEqual([]);
  });
});
