// Web Storage that never throws: storage can be turned off, full, or cleared by the browser at any time, and
// nothing that uses it (the decoys above all) may stop working because of that.
const area = (name) => {
  try { return window[name] } catch { return null } // reading the property itself throws when storage is off
}

export function readItem (key, name = 'localStorage') {
  try { return area(name)?.getItem(key) ?? null } catch { return null }
}

// True when the value was kept.
export function writeItem (key, value, name = 'localStorage') {
  try {
    area(name).setItem(key, value)
    return true
  } catch {
    return false
  }
}

export function removeItem (key, name = 'localStorage') {
  try { area(name)?.removeItem(key) } catch {}
}

export function readJson (key, name) {
  try { return JSON.parse(readItem(key, name)) } catch { return null }
}
