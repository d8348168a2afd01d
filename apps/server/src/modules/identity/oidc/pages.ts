import type { KoaContextWithOIDC } from 'oidc-provider'
import { negotiateLocale, t, type Locale } from '../../../platform/i18n.js'

/**
 * The few pages oidc-provider renders itself (errors shown to a browser, the logout question and
 * its answer), in the browser's language. Everything else of the sign-in UI is the web app's
 * consent page.
 */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

function localeOf(ctx: KoaContextWithOIDC): Locale {
  return negotiateLocale(ctx.get('accept-language') || undefined)
}

function page(locale: Locale, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f8;margin:0;padding:48px 16px;color:#1f2329}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 12px}p{line-height:1.6;margin:0 0 16px}
button{display:block;width:100%;height:40px;margin:0 0 10px;border-radius:6px;font-size:15px;cursor:pointer;border:1px solid #d0d3d6;background:#fff}
button.primary{background:#c8161d;border-color:#c8161d;color:#fff}
code{font-size:12px;color:#646a73}
</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>`
}

/** oidc-provider `renderError`: a short page; the protocol error code is shown for support. */
export async function renderError(ctx: KoaContextWithOIDC, out: Record<string, unknown>): Promise<void> {
  const locale = localeOf(ctx)
  const code = typeof out.error === 'string' ? `<p><code>${escapeHtml(out.error)}</code></p>` : ''
  ctx.type = 'html'
  ctx.body = page(locale, t(locale, 'identity.oidc.page.error.title'), `<p>${escapeHtml(t(locale, 'identity.oidc.page.error.body'))}</p>${code}`)
}

/** oidc-provider `features.rpInitiatedLogout.logoutSource`: asks before signing out. */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const locale = localeOf(ctx)
  const client = ctx.oidc.client?.clientName
  const question = client
    ? t(locale, 'identity.oidc.page.logout.question-client', { client: escapeHtml(client) })
    : escapeHtml(t(locale, 'identity.oidc.page.logout.question'))
  ctx.type = 'html'
  ctx.body = page(
    locale,
    t(locale, 'identity.oidc.page.logout.title'),
    `<p>${question}</p>${form}
<button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">${escapeHtml(t(locale, 'identity.oidc.page.logout.yes'))}</button>
<button type="submit" form="op.logoutForm">${escapeHtml(t(locale, 'identity.oidc.page.logout.no'))}</button>`,
  )
}

/** oidc-provider `features.rpInitiatedLogout.postLogoutSuccessSource`: when no redirect was asked for. */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  const locale = localeOf(ctx)
  ctx.type = 'html'
  ctx.body = page(locale, t(locale, 'identity.oidc.page.logout-done.title'), `<p>${escapeHtml(t(locale, 'identity.oidc.page.logout-done.body'))}</p>`)
}
