// TypeScript's transpiler as its own bundle (dist/typescriptTranspiler.js, ~9 MB), so that dist/kernel.js stays
// small and starts fast: the kernel loads it only where esbuild cannot run (see transpile.ts).
export { transpileModule, flattenDiagnosticMessageText, ScriptTarget, ModuleKind, DiagnosticCategory } from 'typescript';
