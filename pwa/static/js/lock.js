// One place to lock everything sensitive. Components that hold secrets (the journal) register a
// handler that saves any draft encrypted, then drops keys and clears the screen. Quick-hide and
// auto-lock call lockAll() and wait for it (bounded) before navigating away, so nothing is lost.
const handlers = new Set()

export function onLock (handler) {
  handlers.add(handler)
  return () => handlers.delete(handler)
}

export function lockAll (reason) {
  return Promise.allSettled([...handlers].map((handler) => handler(reason)))
}
