export interface PostgresServer {
  url: string;
  started: boolean;
  stopIfStarted(): Promise<void>;
}
export function ensurePostgres(): Promise<PostgresServer>;
export function stopPostgres(): void;
