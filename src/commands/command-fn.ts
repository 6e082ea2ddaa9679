/**
 * A command as the headless driver, the console's command line and the lab run it: words in,
 * one JSON-able reply out (thrown errors become `ok: false` replies).
 */
export type CommandFn = (args: string[]) => Promise<Record<string, unknown>>;

/** A command table: name → command. */
export type CommandTable = Record<string, CommandFn>;
