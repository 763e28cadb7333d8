/**
 * How hard the store pushes a write to disk before returning:
 * - `write`: written through to the operating system (`writeSync`) before returning. Survives
 *   the process being killed (SIGKILL, a crash), which is what resume needs; a power loss may
 *   lose the last writes.
 * - `fsync`: also `fsync`ed, so it survives a power loss or kernel crash too, at the cost of a
 *   disk flush per event.
 */
export type Durability = 'write' | 'fsync';
