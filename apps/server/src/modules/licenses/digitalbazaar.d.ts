/** Minimal typings for the Digital Bazaar VC libraries (they ship JavaScript only). */
declare module '@digitalbazaar/vc' {
  export function issue(opts: { credential: object; suite: unknown; documentLoader: unknown; now?: string | Date }): Promise<Record<string, any>>
  export function verifyCredential(opts: { credential: object; suite: unknown; documentLoader: unknown; checkStatus?: (o: { credential: any; documentLoader: any }) => Promise<{ verified: boolean; error?: unknown }>; now?: Date }): Promise<{ verified: boolean; error?: any; results?: any[]; statusResult?: any }>
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(opts: { signer?: unknown; cryptosuite: unknown; date?: string | Date })
  }
}
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: unknown
}
declare module '@digitalbazaar/ed25519-multikey' {
  export interface KeyPair {
    id?: string
    controller?: string
    publicKeyMultibase: string
    signer(): unknown
    export(opts: { publicKey: boolean; includeContext?: boolean }): Promise<Record<string, unknown>>
  }
  export function generate(opts?: { seed?: Uint8Array; id?: string; controller?: string }): Promise<KeyPair>
}
declare module '@digitalbazaar/security-document-loader' {
  export function securityLoader(opts?: object): { addStatic(url: string, doc: unknown): void; build(): (url: string) => Promise<{ document: any; documentUrl: string; contextUrl: string | null }> }
}
declare module '@digitalbazaar/bitstring' {
  export class Bitstring {
    constructor(opts: { length?: number; buffer?: Uint8Array; leftToRightIndexing?: boolean })
    set(index: number, on: boolean): void
    get(index: number): boolean
    encodeBits(): Promise<string>
    static decodeBits(opts: { encoded: string }): Promise<Uint8Array>
  }
}
