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

  function guard () {
    if (!mustHide()) return false
    root.classList.add('is-hiding')
    location.replace(root.getAttribute('data-decoy'))
    return true
  }

  guard()
  window.addEventListener('pageshow', function (event) {
    if (event.persisted && !guard()) root.classList.remove('is-hiding')
  })
})()
