/**
 * The packages a source file loads when it runs, read with the TypeScript compiler's own parser:
 * static imports and re-exports (but not `import type` / `export type`, which the compiler erases),
 * dynamic `import()` and `require()`. Used to check that everything the compiled service loads is a
 * production dependency, since the image prunes the dev ones.
 */
import { isBuiltin } from 'node:module';
import ts from 'typescript';

export interface RuntimeImport {
  file: string;
  line: number;
  specifier: string;
  /** The npm package the specifier resolves from (`@scope/name` or `name`). */
  packageName: string;
}

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The bare package imports that survive compilation in one file's source text. */
export function findRuntimeImports(file: string, text: string): RuntimeImport[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: RuntimeImport[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const packageName = packageOf(literal.text);
    if (!packageName) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push({ file, line: line + 1, specifier: literal.text, packageName });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // With verbatimModuleSyntax only a whole `import type` is erased; `import { type A }` still loads the module.
      if (!node.importClause?.isTypeOnly) add(node, node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node)) {
      if (!node.isTypeOnly) add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (!node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The files a tsconfig compiles (its `include`), less declaration files, which emit nothing. */
export function compiledSourceFiles(tsconfigPath: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfigPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`cannot read ${tsconfigPath}`);
  return parsed.fileNames.filter((name) => !name.endsWith('.d.ts'));
}

/** One line per import of a package that is not in `dependencies`, saying where it is declared instead. */
export function describeMisplacedImports(
  imports: RuntimeImport[],
  manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> },
): string[] {
  return imports
    .filter((i) => !manifest.dependencies?.[i.packageName])
    .map((i) => {
      const where = manifest.devDependencies?.[i.packageName] ? 'only a devDependency (pruned from the image)' : 'not declared in package.json';
      return `${i.file}:${i.line} imports '${i.specifier}', but ${i.packageName} is ${where}`;
    });
}
