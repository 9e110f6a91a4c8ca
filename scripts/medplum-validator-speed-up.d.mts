/** Types of scripts/medplum-validator-speed-up.mjs (a plain script: npm ci runs it before anything is compiled). */
export declare const MARKER: string;
export declare function speedUp(source: string): { source: string; missing: string[]; already: boolean };
export declare function pristinePath(file: string): string;
export declare function packageRoot(file: string): string;
/** Patches one installed bundle (keeping its original beside it); a message when it could not. */
export declare function patchFile(file: string): string | undefined;
