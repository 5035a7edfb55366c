// Runs in <head>, before the page paints (a classic script on purpose). After a quick-hide, and
// under a disguise until the secret way in is used, a protected page goes straight to the decoy:
// so Back, a reload, a history entry or a restore from the back/forward cache never shows it.
// The state lives in sessionStorage ('door'): 'shut' after a hide, 'open' after the way in.
(function () {
  var root = document.documentElement
  // The appearance page carries data-recovery: a forgotten PIN must not lock anyone out for good.
  var recovery = document.currentScript && document.currentScript.hasAttribute('data-recovery')

  function state () {
    try { return sessionStorage.getItem('door') } catch (error) { return null }
  }

  function mustHide () {
    var now = state()
    return now === 'shut' || (root.hasAttribute('data-disguise') && now !== 'open' && !recovery)
  }

  function leave () {
    location.replace(root.getAttribute('data-decoy'))
  }

  if (mustHide()) {
    root.classList.add('is-hiding')
    leave() // nothing of this page has been painted yet
  }

  // A page in the back/forward cache comes back showing its last frame until it paints a new one. So it goes
  // into the cache covered (the next frame it paints is blank), and when it must hide it leaves only after
  // that covered frame: leaving at once would hold the old frame on screen until the decoy paints.
  window.addEventListener('pagehide', function () { root.classList.add('is-leaving') })
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return
    if (!mustHide()) return root.classList.remove('is-hiding', 'is-leaving')
    root.classList.add('is-hiding')
    requestAnimationFrame(function () { setTimeout(leave) })
  })
})()
