// The files of the data directory (LICENSING_DATA_DIR): named once, for the
// server and the command-line tools alike.
import { isMainThread } from 'node:worker_threads'

/**
 * The data directory holds customer e-mails and secrets: whatever the engine
 * (or SQLite, for its -wal and -shm files, or the mail outbox) creates there
 * is its owner's only, 0700 for directories and 0600 for files, whatever the
 * umask it was started with. Files that exist already keep their modes.
 */
export const keepFilesPrivate = (): void => {
  // A worker thread may not set the umask; the process's main thread set it.
  if (isMainThread) process.umask(0o077)
}

export const DATA_FILES = {
  /** The embedded event log: the source of truth. */
  eventLog: 'events.sqlite',
  /** The read models; delete it and restart to rebuild it from the log. */
  readModels: 'read-models.sqlite',
  /** Snapshots of long streams' states, for cold loads: a cache; delete it and first loads read more. */
  snapshots: 'snapshots.sqlite',
  /** The mailer's checkpoint and what it sent: state, not a cache. */
  mailer: 'mailer.sqlite',
  /** E-mail notices written as .eml files when no SMTP server is configured. */
  mailOutbox: 'outbox',
  /** A generated admin token, when LICENSING_ADMIN_TOKEN is not set. */
  adminToken: 'admin-token',
  /** This node's id, generated once: what its leases in the log name, so a restarted node knows its own. */
  nodeId: 'node-id',
} as const
