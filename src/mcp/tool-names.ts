// How the gateway names what it aggregates: a downstream tool `write_file` of server `files` is
// offered to the client as `files__write_file` and decided as the action `mcp.files.write_file`.

/** Separates the server from the tool in the names the client sees (`files__write_file`). */
export const TOOL_SEPARATOR = '__';

/**
 * Tool names the gateway forwards: MCP's recommended characters, no empty dotted segment (the
 * action name needs one per dot), and not shadowing the actions of resources and prompts.
 */
const TOOL_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const TOOL_NAME_LENGTH_MAX = 128;
const RESERVED_PREFIXES = ['resources.', 'prompts.'];

export function exposedToolName(server: string, tool: string): string {
  return `${server}${TOOL_SEPARATOR}${tool}`;
}

/** The server and tool an exposed name stands for; undefined when it has no separator. */
export function splitToolName(name: string): { readonly server: string; readonly tool: string } | undefined {
  const at = name.indexOf(TOOL_SEPARATOR);
  if (at <= 0) return undefined;
  return { server: name.slice(0, at), tool: name.slice(at + TOOL_SEPARATOR.length) };
}

export function toolAction(server: string, tool: string): string {
  return `mcp.${server}.${tool}`;
}

export function resourceReadAction(server: string): string {
  return `mcp.${server}.resources.read`;
}

export function promptGetAction(server: string): string {
  return `mcp.${server}.prompts.get`;
}

/** Why the gateway will not forward a downstream tool of this name, or undefined when it will. */
export function toolNameProblem(tool: string): string | undefined {
  if (tool.length === 0 || tool.length > TOOL_NAME_LENGTH_MAX)
    return `tool names are 1 to ${TOOL_NAME_LENGTH_MAX} characters`;
  if (!TOOL_NAME.test(tool)) return 'tool names may hold letters, digits, `_`, `-` and single inner dots';
  if (RESERVED_PREFIXES.some((prefix) => tool.startsWith(prefix)))
    return 'tool names starting `resources.` or `prompts.` would shadow the gateway’s own actions';
  return undefined;
}
