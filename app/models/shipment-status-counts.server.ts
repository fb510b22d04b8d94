import type { TransactionClient } from "~/db/database.server";

/**
 * Per-shop counts by status, changed in the same transaction as the shipments themselves so the
 * dashboard never has to count a million rows and never disagrees with them.
 */
export async function adjustStatusCount(tx: TransactionClient, shopId: string, status: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await tx.shipmentStatusCount.upsert({
    where: { shopId_status: { shopId, status } },
    create: { shopId, status, count: delta },
    update: { count: { increment: delta } },
  });
}

/**
 * Call it as the transaction's last write: the shop's counter rows are its hottest rows, and on
 * PostgreSQL each stays locked from its update to the commit. The two rows are taken in status
 * order, so two moves in opposite directions cannot deadlock.
 */
export async function moveStatusCount(tx: TransactionClient, shopId: string, from: string, to: string): Promise<void> {
  if (from === to) return;
  const changes: Array<[string, number]> = [
    [from, -1],
    [to, 1],
  ];
  changes.sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [status, delta] of changes) await adjustStatusCount(tx, shopId, status, delta);
}
