/**
 * A small JSON Schema checker for the schemas in `schemas/`: just the keywords they use
 * (type, enum, required, properties, additionalProperties: false, items, minimum, maximum,
 * local $ref). Hand-written so that checking our exporters adds no dependency.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The subset of JSON Schema this checker understands. */
export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  $ref?: string;
  definitions?: Record<string, Schema>;
}

const KNOWN = new Set([
  "$schema",
  "$comment",
  "title",
  "description",
  "type",
  "enum",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "minimum",
  "maximum",
  "$ref",
  "definitions",
]);

/** Reads a schema from `schemas/`, by file name. */
export function loadSchema(file: string): Schema {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "schemas", file), "utf8")) as Schema;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

/**
 * Every way `value` breaks `schema`, as "path: problem" lines; empty when it conforms.
 * A keyword this checker does not know is reported too, rather than silently ignored.
 */
export function checkSchema(
  value: unknown,
  schema: Schema,
  root: Schema = schema,
  at = "$",
): string[] {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) return [`${at}: schema keyword "${key}" is not supported`];
  }
  if (schema.$ref !== undefined) {
    const name = /^#\/definitions\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : root.definitions?.[name];
    if (!target) return [`${at}: unresolved $ref ${schema.$ref}`];
    return checkSchema(value, target, root, at);
  }
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      return [`${at}: expected ${types.join(" or ")}, got ${typeOf(value)}`];
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) {
      problems.push(`${at}: ${value} is below the minimum ${schema.minimum}`);
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      problems.push(`${at}: ${value} is above the maximum ${schema.maximum}`);
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) =>
      problems.push(...checkSchema(item, schema.items!, root, `${at}[${i}]`)),
    );
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in object)) problems.push(`${at}: missing required field "${key}"`);
    }
    for (const [key, field] of Object.entries(object)) {
      const fieldSchema = schema.properties?.[key];
      if (fieldSchema) problems.push(...checkSchema(field, fieldSchema, root, `${at}.${key}`));
      else if (schema.additionalProperties === false) {
        problems.push(`${at}: field "${key}" is not in the schema`);
      }
    }
  }
  return problems;
}
