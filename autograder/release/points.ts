/**
 * The points each graded test file is worth, read from its source: the second argument of
 * every `graded(name, points, ...)` call. Read statically, so a release needs no test run.
 */
import * as fs from "node:fs";
import ts from "typescript";

/** Sum of the points of the `graded()` calls in `file`. Throws on a points argument that is not a literal number. */
export function gradedPoints(file: string): number {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
  let total = 0;
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "graded"
    ) {
      const points = node.arguments[1];
      if (!points || !ts.isNumericLiteral(points)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        throw new Error(`${file}:${line + 1}: graded() points must be a number literal`);
      }
      total += Number(points.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return total;
}
