import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

/** Each face's root module; the report follows its chunk's static imports. */
const faces = {
  landing: 'src/landing/LandingPage.tsx',
  citizen: 'src/citizen/routes.tsx',
  work: 'src/work/routes.tsx',
  ops: 'src/ops/routes.tsx',
  admin: 'src/admin/routes.tsx',
  consent: 'src/consent/ConsentPage.tsx',
  verify: 'src/verify/VerifyPage.tsx',
} as const

/** Packages a face must never load: the citizen, landing and consent pages stay off antd. */
const forbidden: Partial<Record<keyof typeof faces, RegExp>> = {
  citizen: /[\\/]node_modules[\\/](antd|@ant-design)[\\/]/,
  landing: /[\\/]node_modules[\\/](antd|antd-mobile|@ant-design|@rc-component)[\\/]/,
  consent: /[\\/]node_modules[\\/](antd|antd-mobile|@ant-design|@rc-component)[\\/]/,
  verify: /[\\/]node_modules[\\/](antd|antd-mobile|@ant-design|@rc-component)[\\/]/,
}

interface ChunkInfo {
  imports: string[]
  dynamicImports: string[]
  moduleIds: string[]
  css: string[]
  facade: string | null
  isEntry: boolean
}

/**
 * Checks the code split after every build and prints what each face downloads (gzip). Fails the
 * build if the citizen face's chunk graph pulls in antd. Writes dist/.vite/faces.json.
 */
function faceChunks(): Plugin {
  const root = import.meta.dirname
  let chunks: Record<string, ChunkInfo> = {}
  return {
    name: 'yiwang-face-chunks',
    apply: 'build',
    generateBundle(_options, bundle) {
      chunks = {}
      for (const [fileName, out] of Object.entries(bundle)) {
        if (out.type !== 'chunk') continue
        const meta = (out as { viteMetadata?: { importedCss?: Set<string> } }).viteMetadata
        chunks[fileName] = {
          imports: out.imports,
          dynamicImports: out.dynamicImports,
          moduleIds: out.moduleIds,
          css: meta?.importedCss ? [...meta.importedCss] : [],
          facade: out.facadeModuleId ?? null,
          isEntry: out.isEntry,
        }
      }
    },
    writeBundle(options) {
      const outDir = options.dir ?? path.join(root, 'dist')
      const gzip = (file: string) => zlib.gzipSync(fs.readFileSync(path.join(outDir, file)), { level: 9 }).length
      const closure = (start: string[]) => {
        const seen = new Set<string>()
        const walk = (f: string) => {
          if (seen.has(f) || !chunks[f]) return
          seen.add(f)
          chunks[f].imports.forEach(walk)
        }
        start.forEach(walk)
        return seen
      }
      const files = (js: Set<string>) => [...js, ...[...js].flatMap((f) => chunks[f].css)]
      const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`
      const entry = Object.keys(chunks).find((f) => chunks[f].isEntry)
      if (!entry) return
      const shared = closure([entry])
      const sharedFiles = files(shared)
      const sharedGzip = sharedFiles.reduce((n, f) => n + gzip(f), 0)
      const report: Record<string, unknown> = { entry: { files: sharedFiles, gzip: sharedGzip } }
      const lines = [`  entry (every face)      ${kb(sharedGzip)} gzip`]
      const problems: string[] = []
      for (const [face, source] of Object.entries(faces) as [keyof typeof faces, string][]) {
        const abs = path.join(root, source)
        const chunk = Object.keys(chunks).find((f) => chunks[f].facade === abs)
        if (!chunk) {
          problems.push(`no chunk for face ${face} (${source}): is it still lazy-loaded?`)
          continue
        }
        const own = closure([chunk])
        for (const f of shared) own.delete(f)
        const ownFiles = files(own)
        const ownGzip = ownFiles.reduce((n, f) => n + gzip(f), 0)
        const lazy = new Set<string>()
        for (const f of own) for (const d of chunks[f].dynamicImports) for (const c of closure([d])) if (!own.has(c) && !shared.has(c)) lazy.add(c)
        const lazyGzip = files(lazy).reduce((n, f) => n + gzip(f), 0)
        const rule = forbidden[face]
        if (rule) {
          // Lazy pages count too: a citizen page loaded on demand must not bring antd either.
          const bad = [...own, ...shared, ...lazy].flatMap((f) => chunks[f].moduleIds.filter((m) => rule.test(m)))
          if (bad.length) problems.push(`face ${face} loads forbidden modules, e.g. ${bad.slice(0, 3).join(', ')}`)
        }
        const packages = [...new Set([...own].flatMap((f) => chunks[f].moduleIds.map((m) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(m)?.[1]).filter(Boolean)))].sort()
        report[face] = { chunk, files: ownFiles, gzip: ownGzip, lazyFiles: files(lazy), lazyPagesGzip: lazyGzip, packages }
        lines.push(`  ${face.padEnd(8)} first load ${kb(sharedGzip + ownGzip).padStart(9)} gzip  (face ${kb(ownGzip)}${lazyGzip ? `, + lazy pages ${kb(lazyGzip)}` : ''})`)
      }
      fs.mkdirSync(path.join(outDir, '.vite'), { recursive: true })
      fs.writeFileSync(path.join(outDir, '.vite', 'faces.json'), JSON.stringify(report, null, 2))
      this.info(`faces (gzip):\n${lines.join('\n')}`)
      if (problems.length) this.error(`code split broken:\n  ${problems.join('\n  ')}`)
    },
  }
}

export default defineConfig({
  plugins: [react(), faceChunks()],
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/oidc': 'http://127.0.0.1:3000', '/.well-known': 'http://127.0.0.1:3000' } },
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 1500 },
})
