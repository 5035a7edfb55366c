// Secret fields are masked by CSS rather than type="password", which would invite password managers to save
// them (templates/_masked_field.html says why). Where the browser cannot mask text, masking matters more.
export function initMaskedFields (scope) {
  const masks = window.CSS && (CSS.supports('-webkit-text-security', 'disc') || CSS.supports('text-security', 'disc'))
  if (masks) return
  scope.querySelectorAll('[data-masked]').forEach((field) => { field.type = 'password' })
}
