import type { DatabaseConnection, Dialect, Driver, Kysely, QueryCompiler, TransactionSettings } from 'kysely';

/**
 * Work that may happen only once a transaction has committed (the audit log streamed to stdout:
 * a change that is rolled back must never appear there). Kysely has no commit hook, so the driver
 * is wrapped: it keeps, per connection inside a transaction, what to run after COMMIT, and drops
 * it on ROLLBACK (or on a rollback to a savepoint taken before it was added).
 */
interface OpenTransaction {
  tasks: Array<() => void>;
  /** How many tasks there were when each savepoint was taken. */
  savepoints: Map<string, number>;
}

const openTransactions = new WeakMap<DatabaseConnection, OpenTransaction>();

type SavepointCompiler = QueryCompiler['compileQuery'];

class CommitAwareDriver implements Driver {
  constructor(private readonly driver: Driver) {}

  init(): Promise<void> {
    return this.driver.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.driver.acquireConnection();
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.driver.beginTransaction(connection, settings);
    // A fresh list: one left by a transaction that ended without our seeing it is dropped here.
    openTransactions.set(connection, { tasks: [], savepoints: new Map() });
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const transaction = openTransactions.get(connection);
    openTransactions.delete(connection);
    // A failed COMMIT (a serialization failure, the connection lost) throws before any task runs.
    await this.driver.commitTransaction(connection);
    for (const task of transaction?.tasks ?? []) task();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    openTransactions.delete(connection);
    await this.driver.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: SavepointCompiler): Promise<void> {
    if (!this.driver.savepoint) throw new Error('This database driver has no savepoints.');
    await this.driver.savepoint(connection, name, compile);
    const transaction = openTransactions.get(connection);
    transaction?.savepoints.set(name, transaction.tasks.length);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: SavepointCompiler): Promise<void> {
    if (!this.driver.rollbackToSavepoint) throw new Error('This database driver has no savepoints.');
    await this.driver.rollbackToSavepoint(connection, name, compile);
    const transaction = openTransactions.get(connection);
    const kept = transaction?.savepoints.get(name);
    if (transaction && kept !== undefined) transaction.tasks.length = kept;
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: SavepointCompiler): Promise<void> {
    if (!this.driver.releaseSavepoint) throw new Error('This database driver has no savepoints.');
    await this.driver.releaseSavepoint(connection, name, compile);
    openTransactions.get(connection)?.savepoints.delete(name);
  }
}

/** The dialect with its driver wrapped, so `runAfterCommit` works on its connections. */
export function withAfterCommit(dialect: Dialect): Dialect {
  return {
    createDriver: () => new CommitAwareDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

/**
 * Runs `task` once the transaction `db` belongs to has committed, and never if it is rolled back.
 * Outside a transaction (`db` is the database itself: every statement commits on its own) it runs
 * at once. `task` must not throw: the change is already committed.
 */
export async function runAfterCommit<T>(db: Kysely<T>, task: () => void): Promise<void> {
  if (!db.isTransaction) return task();
  // A transaction's executor provides the transaction's own connection.
  await db.getExecutor().provideConnection(async (connection) => {
    const transaction = openTransactions.get(connection);
    if (transaction) transaction.tasks.push(task);
    else task();
  });
}
