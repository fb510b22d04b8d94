export const ROOT: string;
export const SQLITE_SCHEMA_PATH: string;
export const POSTGRES_SCHEMA_PATH: string;
export function derivePostgresSchema(sqliteSchema: string): string;
