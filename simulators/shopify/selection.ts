import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";

/**
 * Static walks over a validated operation: used for the cost calculation and for turning a bulk
 * query's result into Shopify's JSONL lines. Fragments are expanded without checking type
 * conditions against runtime values; a field a fragment did not contribute is simply absent from
 * the data and is skipped.
 */

export interface CollectedField {
  key: string;
  name: string;
  nodes: FieldNode[];
  def: GraphQLField<unknown, unknown> | null;
}

export interface WalkContext {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function collectFields(ctx: WalkContext, parentType: GraphQLCompositeType, sets: readonly SelectionSetNode[]): CollectedField[] {
  const out = new Map<string, CollectedField>();
  const visit = (type: GraphQLCompositeType, set: SelectionSetNode, seen: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        const existing = out.get(key);
        if (existing) {
          existing.nodes.push(sel);
          continue;
        }
        const fields = "getFields" in type ? type.getFields() : {};
        out.set(key, { key, name: sel.name.value, nodes: [sel], def: (fields[sel.name.value] as GraphQLField<unknown, unknown>) ?? null });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? ctx.schema.getType(sel.typeCondition.name.value) : type;
        if (cond && isCompositeType(cond)) visit(cond, sel.selectionSet, seen);
      } else {
        const name = sel.name.value;
        if (seen.has(name)) continue;
        const frag = ctx.fragments[name];
        const cond = frag ? ctx.schema.getType(frag.typeCondition.name.value) : null;
        if (frag && cond && isCompositeType(cond)) visit(cond, frag.selectionSet, new Set([...seen, name]));
      }
    }
  };
  for (const set of sets) visit(parentType, set, new Set());
  return [...out.values()];
}

export function childSets(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
}

/** Shopify's connection types: `XConnection { edges { node } nodes pageInfo }`. */
export function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith("Connection") && "edges" in type.getFields();
}

export function connectionNodeType(type: GraphQLObjectType): GraphQLCompositeType {
  return getNamedType(type.getFields().nodes!.type) as GraphQLCompositeType;
}

/** The selection sets applied to each node of a connection, whether reached by `edges { node }` or `nodes`. */
export function connectionNodeSets(ctx: WalkContext, type: GraphQLObjectType, nodes: readonly FieldNode[]): { viaEdges: SelectionSetNode[]; viaNodes: SelectionSetNode[] } {
  const viaEdges: SelectionSetNode[] = [];
  const viaNodes: SelectionSetNode[] = [];
  for (const f of collectFields(ctx, type, childSets(nodes))) {
    if (f.name === "nodes") viaNodes.push(...childSets(f.nodes));
    if (f.name === "edges") {
      const edgeType = getNamedType(f.def!.type) as GraphQLObjectType;
      for (const g of collectFields(ctx, edgeType, childSets(f.nodes))) {
        if (g.name === "node") viaEdges.push(...childSets(g.nodes));
      }
    }
  }
  return { viaEdges, viaNodes };
}

export function argumentValue(ctx: WalkContext, node: FieldNode, name: string): unknown {
  const arg = node.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  return valueFromASTUntyped(arg.value, ctx.variables);
}

// ---------------------------------------------------------------------------------------------
// Cost: objects 1, connections 2 + page size × node cost, scalars and enums 0, mutations 10.

export const MUTATION_COST = 10;

function pageSize(ctx: WalkContext, node: FieldNode): number {
  const first = argumentValue(ctx, node, "first");
  const last = argumentValue(ctx, node, "last");
  const n = typeof first === "number" ? first : typeof last === "number" ? last : 0;
  return Math.max(0, n);
}

function listSize(ctx: WalkContext, node: FieldNode): number {
  const first = argumentValue(ctx, node, "first");
  if (typeof first === "number") return Math.max(0, first);
  const ids = argumentValue(ctx, node, "ids");
  if (Array.isArray(ids)) return ids.length;
  return 1;
}

export function requestedCost(ctx: WalkContext, type: GraphQLCompositeType, sets: readonly SelectionSetNode[]): number {
  let cost = 0;
  for (const f of collectFields(ctx, type, sets)) {
    if (!f.def) continue;
    const named = getNamedType(f.def.type);
    if (!isCompositeType(named)) continue;
    const node = f.nodes[0]!;
    if (isConnectionType(named)) {
      const nodeType = connectionNodeType(named);
      const { viaEdges, viaNodes } = connectionNodeSets(ctx, named, f.nodes);
      const perNode = Math.max(
        viaEdges.length ? 1 + requestedCost(ctx, nodeType, viaEdges) : 0,
        viaNodes.length ? 1 + requestedCost(ctx, nodeType, viaNodes) : 0,
      );
      cost += 2 + pageSize(ctx, node) * perNode;
    } else if (isListType(getNullableType(f.def.type))) {
      cost += listSize(ctx, node) * (1 + requestedCost(ctx, named, childSets(f.nodes)));
    } else {
      cost += 1 + requestedCost(ctx, named, childSets(f.nodes));
    }
  }
  return cost;
}

export function actualCost(ctx: WalkContext, type: GraphQLCompositeType, sets: readonly SelectionSetNode[], data: unknown): number {
  if (data === null || typeof data !== "object") return 0;
  const record = data as Record<string, unknown>;
  let cost = 0;
  for (const f of collectFields(ctx, type, sets)) {
    if (!f.def || !(f.key in record)) continue;
    const named = getNamedType(f.def.type);
    const value = record[f.key];
    if (!isCompositeType(named) || value === null || value === undefined) continue;
    if (isConnectionType(named)) {
      const nodeType = connectionNodeType(named);
      const { viaEdges, viaNodes } = connectionNodeSets(ctx, named, f.nodes);
      const conn = value as { edges?: Array<{ node?: unknown }>; nodes?: unknown[] };
      const list = conn.edges ? conn.edges.map((e) => e.node) : (conn.nodes ?? []);
      const sets2 = viaEdges.length ? viaEdges : viaNodes;
      cost += 2 + list.reduce<number>((sum, n) => sum + 1 + actualCost(ctx, nodeType, sets2, n), 0);
    } else if (Array.isArray(value)) {
      cost += value.reduce<number>((sum, v) => sum + (v === null ? 0 : 1 + actualCost(ctx, named, childSets(f.nodes), v)), 0);
    } else {
      cost += 1 + actualCost(ctx, named, childSets(f.nodes), value);
    }
  }
  return cost;
}
