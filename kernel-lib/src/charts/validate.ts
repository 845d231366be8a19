import { ChannelError } from "../channel";

/** Fails with `InvalidArgument` unless `value` is a finite number; `what` names the point. */
export function requireFinite(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ChannelError(
      "InvalidArgument",
      `${what}: expected a finite number, got ${typeof value === "number" ? String(value) : typeof value}`,
    );
  }
  return value;
}

/** Fails with `InvalidArgument` unless `text` is a non-empty string. */
export function requireText(text: unknown, what: string): string {
  if (typeof text !== "string" || text.trim() === "") {
    throw new ChannelError("InvalidArgument", `${what}: expected a non-empty string`);
  }
  return text;
}
