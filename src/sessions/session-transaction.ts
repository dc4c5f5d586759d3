import type { DataSource, EntityManager } from 'typeorm';

/**
 * Thrown inside a transaction to roll all of it back: a spend whose race was lost, a grace claim another
 * retry won, or a session revoked (or a user epoch moved on) while this refresh or login was under way.
 */
export class Abort extends Error {
  constructor(readonly outcome: 'lost_race' | 'session_ended') {
    super(outcome);
  }
}

/** Runs `work` in a transaction; an Abort rolls it back and is returned instead of thrown. */
export async function attempt<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T | Abort> {
  try {
    return await dataSource.transaction(work);
  } catch (error) {
    if (error instanceof Abort) return error;
    throw error;
  }
}
