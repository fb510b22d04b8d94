import type { ShipmentStatus } from "./shipment-status";

/**
 * The moments of a parcel's journey a customer hears about, which status change earns which, and
 * when an earned milestone must no longer be sent. Pure: the recording service stores what
 * `milestonesEarned` returns in the outbox (unique per shipment and dedupe key, so a replayed or
 * duplicated update earns nothing twice); the sender asks `sendTimeDecision` just before sending.
 */

export const MILESTONES = [
  "shipped",
  "out_for_delivery",
  "delivered",
  "failed_attempt",
  "exception",
  "available_for_pickup",
  "new_delivery_date",
] as const;

export type Milestone = (typeof MILESTONES)[number];

export function isMilestone(value: unknown): value is Milestone {
  return typeof value === "string" && (MILESTONES as readonly string[]).includes(value);
}

/** On unless the merchant says otherwise: the moments customers ask about. */
export const MILESTONE_ENABLED_BY_DEFAULT: Readonly<Record<Milestone, boolean>> = {
  shipped: false,
  out_for_delivery: true,
  delivered: true,
  failed_attempt: true,
  exception: true,
  available_for_pickup: false,
  new_delivery_date: false,
};

/**
 * How far along the journey a milestone is. A milestone is never sent after one further along
 * (no "out for delivery" after "delivered"); milestones level with each other (a failed attempt
 * after "out for delivery") are ordered by when they happened instead.
 */
export const MILESTONE_RANK: Readonly<Record<Milestone, number>> = {
  shipped: 2,
  new_delivery_date: 2,
  out_for_delivery: 3,
  available_for_pickup: 3,
  failed_attempt: 3,
  exception: 3,
  delivered: 5,
};

/** The journey stage a shipment's current status stands for, on the same scale. */
const STATUS_RANK: Readonly<Record<ShipmentStatus, number>> = {
  pending: 0,
  notfound: 0,
  inforeceived: 0,
  expired: 0,
  transit: 2,
  pickup: 3,
  undelivered: 3,
  exception: 3,
  delivered: 5,
};

const DAY_MS = 24 * 60 * 60_000;

/** The part of a shipment milestones are judged on. */
export interface MilestoneSnapshot {
  status: ShipmentStatus;
  substatus: string | null;
  /** First carrier scan. */
  shippedAt: Date | null;
  estimatedDeliveryAt: Date | null;
  /** When the carrier evidence for `status` happened. */
  statusAsOf: Date | null;
}

export interface EarnedMilestone {
  milestone: Milestone;
  /** Unique per shipment in the outbox: the milestone, or `new_delivery_date:<YYYY-MM-DD>`. */
  dedupeKey: string;
  /** When the carrier event behind it happened. */
  occurredAt: Date;
}

/** The milestone a status stands for, or null for statuses customers are not told about. */
export function milestoneForStatus(status: ShipmentStatus, substatus: string | null): Milestone | null {
  switch (status) {
    case "pickup":
      if (substatus === "ready_for_collection") return "available_for_pickup";
      // "Delivery being arranged" is the carrier's business, not a moment for the customer.
      return substatus === "delivery_being_arranged" ? null : "out_for_delivery";
    case "undelivered":
      return "failed_attempt";
    case "delivered":
      return "delivered";
    case "exception":
      return "exception";
    default:
      return null;
  }
}

export function newDeliveryDateKey(estimate: Date): string {
  return `new_delivery_date:${estimate.toISOString().slice(0, 10)}`;
}

/**
 * What one applied update earned, from the shipment before and after it. `observedAt` (when the
 * update reached us) dates a moved estimate, and stands in for a status without a carrier time.
 */
export function milestonesEarned(previous: MilestoneSnapshot, next: MilestoneSnapshot, observedAt: Date): EarnedMilestone[] {
  const earned: EarnedMilestone[] = [];
  if (!previous.shippedAt && next.shippedAt) {
    earned.push({ milestone: "shipped", dedupeKey: "shipped", occurredAt: next.shippedAt });
  }

  const statusMilestone = milestoneForStatus(next.status, next.substatus);
  const statusMoved = previous.status !== next.status || previous.substatus !== next.substatus;
  if (statusMilestone && statusMoved && statusMilestone !== milestoneForStatus(previous.status, previous.substatus)) {
    earned.push({ milestone: statusMilestone, dedupeKey: statusMilestone, occurredAt: next.statusAsOf ?? observedAt });
  }

  const before = previous.estimatedDeliveryAt;
  const after = next.estimatedDeliveryAt;
  if (before && after && next.status !== "delivered" && Math.abs(after.getTime() - before.getTime()) >= DAY_MS) {
    // The news is the moved date, learnt now: the status it came with may be days old.
    earned.push({ milestone: "new_delivery_date", dedupeKey: newDeliveryDateKey(after), occurredAt: observedAt });
  }
  return earned;
}

export type RecordDecision = { state: "queued" } | { state: "skipped"; reason: "disabled" | "stale" };

/**
 * Whether an earned milestone goes to the outbox as an e-mail to send, or is only recorded (the
 * merchant's e-mail log shows it, and it never goes out later).
 */
export function recordDecision(input: { occurredAt: Date; now: Date; enabled: boolean; maxEventAgeHours: number }): RecordDecision {
  if (!input.enabled) return { state: "skipped", reason: "disabled" };
  if (input.now.getTime() - input.occurredAt.getTime() > input.maxEventAgeHours * 60 * 60_000) return { state: "skipped", reason: "stale" };
  return { state: "queued" };
}

export interface SentMilestone {
  milestone: Milestone;
  occurredAt: Date;
}

export type SendTimeDecision = { send: true } | { send: false; reason: "disabled" | "superseded" };

/**
 * The last look before an e-mail goes out: the merchant may have switched the milestone off since,
 * and the parcel may have moved on. A milestone is superseded by one already sent that is further
 * along or happened later, and by a current status further along ("out for delivery" is not sent
 * once the parcel shows as delivered).
 */
export function sendTimeDecision(input: {
  milestone: Milestone;
  occurredAt: Date;
  enabled: boolean;
  current: Pick<MilestoneSnapshot, "status">;
  alreadySent: readonly SentMilestone[];
}): SendTimeDecision {
  if (!input.enabled) return { send: false, reason: "disabled" };
  const rank = MILESTONE_RANK[input.milestone];
  if (STATUS_RANK[input.current.status] > rank) return { send: false, reason: "superseded" };
  for (const sent of input.alreadySent) {
    const sentRank = MILESTONE_RANK[sent.milestone];
    if (sentRank > rank || (sentRank === rank && sent.occurredAt > input.occurredAt)) return { send: false, reason: "superseded" };
  }
  return { send: true };
}

/** Per-milestone settings as the merchant stored them (ShopNotificationSettings.milestones). */
export interface MilestoneSetting {
  enabled?: boolean;
  subject?: string;
  intro?: string;
}

export function milestoneEnabled(settings: Partial<Record<Milestone, MilestoneSetting>> | null | undefined, milestone: Milestone): boolean {
  return settings?.[milestone]?.enabled ?? MILESTONE_ENABLED_BY_DEFAULT[milestone];
}
