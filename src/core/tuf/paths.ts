// Path patterns are matched segment by segment, as tuf-js and python-tuf do: `*` never
// crosses a `/`, so a pattern matches only paths with as many segments as it has.

export function isTargetInPathPattern(path: string, pattern: string): boolean {
  const pathParts = path.split('/');
  const patternParts = pattern.split('/');
  if (pathParts.length !== patternParts.length) return false;
  return pathParts.every((part, i) => globSegment(patternParts[i]).test(part));
}

function globSegment(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
